"""The CLI's one-line answers to a user's likely mistakes: what is wrong and what to do, no traceback,
and `cskpi` working on its own (without the Makefile's DAGSTER_HOME)."""

from __future__ import annotations

import os
import re
import subprocess
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ingestion.settings import PROJECT_ROOT
from orchestration.cli import redact_dsn, warehouse_summary

CSKPI = str(PROJECT_ROOT / ".venv" / "bin" / "cskpi")


def _cskpi(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CSKPI_", "DAGSTER_"))}
    return subprocess.run([CSKPI, *args], env={**clean, **env}, capture_output=True, text=True, timeout=120)


def _yesterday() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1)


def test_a_day_that_has_not_ended_is_refused_with_the_last_full_day():
    tomorrow = _yesterday() + timedelta(days=2)
    done = _cskpi("run", "--start", str(tomorrow), "--end", str(tomorrow))
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"cskpi: --end {tomorrow} has not ended yet in Asia/Shanghai (the last full day is {_yesterday()}): "
        f"end on {_yesterday()} or earlier"
    )
    assert done.stdout == ""  # refused before anything else is said or written


def test_an_end_before_the_start_is_refused():
    done = _cskpi("run", "--start", "2026-03-05", "--end", "2026-03-01")
    assert (done.returncode, done.stderr.strip()) == (
        1,
        "cskpi: --end 2026-03-01 is before --start 2026-03-05: swap them",
    )


def test_a_start_before_the_history_start_names_the_setting():
    done = _cskpi("run", "--start", "2025-12-01", "--end", "2025-12-02", CSKPI_HISTORY_START="2026-01-01")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "cskpi: --start 2025-12-01 is before the history start 2026-01-01: "
        "set CSKPI_HISTORY_START to that day or earlier, or start later"
    )


def test_a_day_that_is_no_day_is_refused():
    done = _cskpi("run", "--start", "2026-02-30", "--end", "2026-03-01")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "cskpi run: error: argument --start: '2026-02-30' is not a day like 2026-03-01"
    )


def test_cskpi_works_without_dagster_home(tmp_path):
    # no DAGSTER_HOME in the environment: the project's instance (.dagster_home, with its DuckDB
    # writer pool) runs the report, which then says what is missing: nothing was published yet
    done = _cskpi("report", "--period", "2026-03", CSKPI_DATA_DIR=str(tmp_path))
    assert "DagsterHomeNotSetError" not in done.stderr + done.stdout
    assert done.returncode == 1
    assert done.stdout.strip().splitlines()[-1] == (
        f"service-level report FAILED: FileNotFoundError: no published marts at "
        f"{tmp_path / 'serving' / 'cs_kpi_marts.duckdb'}: run the pipeline (make run or make demo) first"
    )


def test_make_backfill_without_dates_prints_its_own_usage():
    done = subprocess.run(["make", "-s", "backfill"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "usage: make backfill START=YYYY-MM-DD END=YYYY-MM-DD" in done.stdout


def test_a_missing_warehouse_is_one_line_at_once(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "warehouse.duckdb"
    monkeypatch.setenv("CSKPI_WAREHOUSE_PATH", str(missing))
    started = time.monotonic()
    with pytest.raises(SystemExit) as exc:
        warehouse_summary("some-run")
    assert time.monotonic() - started < 5  # no waiting: only another run's write lock is waited for
    assert str(exc.value) == (
        f"cskpi: no warehouse at {missing}: the run wrote none (see its log above), "
        "or CSKPI_WAREHOUSE_PATH points elsewhere"
    )


@pytest.mark.parametrize(
    ("dsn", "printed"),
    [
        ("postgresql://bi:s3cr3t@db.example.com:5432/kpi", "postgresql://bi:***@db.example.com:5432/kpi"),
        ("postgresql://db.example.com/kpi", "postgresql://db.example.com/kpi"),
        ("host=db dbname=kpi user=me password=s3cr3t", "host=db dbname=kpi user=me password=***"),
        ("host=db password='two words' user=me", "host=db password=*** user=me"),
    ],
)
def test_a_dsn_is_printed_without_its_password(dsn, printed):
    assert redact_dsn(dsn) == printed


def test_an_unreachable_source_is_the_named_cause_with_the_setting_to_check(tmp_path):
    # a wrong ZENDESK_BASE_URL (nothing listens on port 9): the run fails, and its last words name
    # the failed steps' cause from the run's own events, not a quality check, and what BI still reads
    done = _cskpi(
        "run", "--start", "2026-03-01", "--end", "2026-03-01",
        CSKPI_DATA_DIR=str(tmp_path), CSKPI_HTTP_MAX_RETRIES="0", CSKPI_PII_HASH_KEY="ab" * 32,
        ZENDESK_BASE_URL="http://127.0.0.1:9", ZENDESK_EMAIL="agent@example.com", ZENDESK_API_TOKEN="token",
    )  # fmt: skip
    assert done.returncode == 1
    verdict = [line for line in done.stdout.splitlines() if line.startswith("NOT PUBLISHED")]
    # the five Zendesk steps that call the API fail alike and are counted together (the first to fail
    # is named: the in-process executor's order)
    assert len(verdict) == 1
    assert re.fullmatch(
        r"NOT PUBLISHED: step (raw__)?zendesk__\w+ and 4 more failed: zendesk: cannot reach "
        r"http://127\.0\.0\.1:9 \(connection refused\): check ZENDESK_BASE_URL; the served marts are unchanged",
        verdict[0],
    ), verdict[0]
    assert "published DuckDB snapshot" not in done.stdout  # nothing was ever published here
