"""The CLI's one-line answers to a user's likely mistakes: what is wrong and what to do, no traceback,
and `cskpi` working on its own (without the Makefile's DAGSTER_HOME)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ingestion.settings import PROJECT_ROOT
from orchestration.cli import redact_dsn, warehouse_summary

CSKPI = str(PROJECT_ROOT / ".venv" / "bin" / "cskpi")


def _cskpi(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CSKPI_", "DAGSTER_"))}
    return subprocess.run([CSKPI, *args], env={**clean, **env}, capture_output=True, text=True, timeout=600)


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
    log = sorted((tmp_path / "logs").glob("cskpi-report-*.log"))
    assert len(log) == 1 and "Stack Trace" in log[0].read_text("utf-8")
    assert (done.stdout, done.stderr) == (
        "",
        f"cskpi: service-level report FAILED: no published marts at {tmp_path / 'serving' / 'cs_kpi_marts.duckdb'}: "
        f"run the pipeline (make run or make demo) first (full log: {log[0]})\n",
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


def test_an_unreachable_source_and_refused_credentials_are_named_without_tracebacks(server, tmp_path):
    # two likely mistakes in one run: a wrong ZENDESK_BASE_URL (nothing listens on port 9) and a
    # wrong HUBSPOT_ACCESS_TOKEN (the loopback HubSpot answers 401). The run fails; the terminal shows
    # each failed step's cause in one line, never a traceback; the verdict names the failed steps'
    # causes from the run's own events, not a quality check; the log file holds the tracebacks.
    done = _cskpi(
        "run", "--start", "2026-03-01", "--end", "2026-03-01",
        CSKPI_DATA_DIR=str(tmp_path), CSKPI_HTTP_MAX_RETRIES="0", CSKPI_PII_HASH_KEY="ab" * 32,
        ZENDESK_BASE_URL="http://127.0.0.1:9", ZENDESK_EMAIL="agent@example.com", ZENDESK_API_TOKEN="token",
        HUBSPOT_BASE_URL=server.base_url, HUBSPOT_ACCESS_TOKEN="pat-na1-wrong",
    )  # fmt: skip
    assert done.returncode == 1
    terminal = done.stdout + done.stderr
    assert "Traceback" not in terminal and "Stack Trace" not in terminal
    # the sources line and its three "off" lines, the counts and tables, the verdict: under 60 lines,
    # where Dagster's console logger printed 777
    assert len(terminal.splitlines()) < 60, terminal
    verdict = [line for line in done.stdout.splitlines() if line.startswith("NOT PUBLISHED")]
    also = [line.strip() for line in done.stdout.splitlines() if line.startswith("  also: ")]
    assert len(verdict) == 1
    first = re.fullmatch(r"NOT PUBLISHED: (.+) \(and 2 more\); the served marts are unchanged", verdict[0])
    assert first, verdict[0]
    causes = sorted([first.group(1), *(a.removeprefix("also: ") for a in also)])
    # the eight Zendesk steps that call the API first fail alike and are counted together (tickets,
    # ticket events, ticket metric events, satisfaction ratings, CSAT survey responses, ticket fields,
    # SLA policies, schedules; groups, agents and requesters wait for the tickets); the first to fail
    # is named (the in-process executor's order); each HubSpot CRM object's search is refused
    zendesk = (r"step (raw__)?zendesk__\w+ and 7 more failed: zendesk: cannot reach http://127\.0\.0\.1:9 "
               r"\(connection refused\): check ZENDESK_BASE_URL")  # fmt: skip
    # (contacts asks for its properties first, companies searches at once)
    refused = (r"step raw__hubspot__{0} failed: hubspot: (GET|POST) http://127\.0\.0\.1:\d+/crm/v3/\w+/{0}\S* "
               r"was refused with HTTP 401\. The credentials are missing, wrong or expired: set "
               r"HUBSPOT_ACCESS_TOKEN \(and HUBSPOT_BASE_URL for the account's URL\)\.")  # fmt: skip
    assert len(causes) == 3, causes
    assert re.fullmatch(refused.format("companies"), causes[0]), causes[0]
    assert re.fullmatch(refused.format("contacts"), causes[1]), causes[1]
    assert re.fullmatch(zendesk, causes[2]), causes[2]
    assert verdict[0].endswith("; the served marts are unchanged")
    assert "published DuckDB snapshot" not in done.stdout  # nothing was ever published here
    # the last line names the log file, which holds every traceback
    log_line = done.stdout.strip().splitlines()[-1]
    assert log_line.startswith("full log (tracebacks included): ")
    log = Path(log_line.split(": ", 1)[1]).read_text("utf-8")
    assert log.count("Stack Trace") >= 7 and "ConnectionRefusedError" in log


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("run", "--start", "2026-03-01", "--end", "2026-03-01"), {"CSKPI_REPORTING_TIMEZONE": "Asia/Shangai"},
         "cskpi: CSKPI_REPORTING_TIMEZONE 'Asia/Shangai' is no IANA time zone: use a name like Asia/Shanghai "
         "or Europe/Berlin"),
        (("run", "--start", "2026-03-01", "--end", "2026-03-01"), {"CSKPI_SOURCES": "samples"},
         "cskpi: CSKPI_SOURCES must be 'sample' or 'accounts', not 'samples'"),
        (("demo", "--days", "2"), {"CSKPI_LOOKBACK_DAYS": "two weeks"},
         "cskpi: CSKPI_LOOKBACK_DAYS must be a whole number, not 'two weeks'"),
        (("report", "--period", "2026-13"), {},
         "cskpi: report period '2026-13' is not a real period (month must be in 1..12); use YYYY-MM (a month), "
         "YYYY-Www (an ISO week, e.g. 2026-W11) or YYYY-Qn (a quarter)"),
    ],
)  # fmt: skip
def test_a_setting_or_argument_that_cannot_be_right_is_one_line_at_once(tmp_path, args, env, message):
    done = _cskpi(*args, CSKPI_DATA_DIR=str(tmp_path), **env)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", message + "\n")


def test_a_survey_mapping_that_cannot_be_read_stops_the_run_before_it_starts(tmp_path):
    # a user edits a mapping and writes a scale the NPS question cannot have: the run refuses at once,
    # naming the file and the key, before any source is fetched (no warehouse is written)
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    retail = (PROJECT_ROOT / "config/survey_mappings/nps_retail.yaml").read_text("utf-8")
    (mappings / "nps_retail.yaml").write_text(retail.replace("scale: 0-10", "scale: stars"), "utf-8")
    done = _cskpi("run", "--start", "2026-03-01", "--end", "2026-03-01", CSKPI_DATA_DIR=str(tmp_path / "data"),
                  CSKPI_SOURCES="sample", CSKPI_SURVEY_MAPPING_DIR=str(mappings))  # fmt: skip
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"cskpi: survey mapping {mappings / 'nps_retail.yaml'}: questions.nps: an NPS scale is 0-10 or "
        "three_option, not 'stars'\n"
    )
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()


def test_a_slot_of_a_run_killed_mid_step_is_freed_by_the_next_run(tmp_path, monkeypatch):
    # A CLI run SIGKILLed while its step held the DuckDB writer slot never ends, so Dagster never frees
    # the slot: every later run would wait for it forever. The next run frees it, once its process is
    # gone; a run whose process lives keeps its slot.
    import dagster as dg
    from dagster._core.storage.dagster_run import DagsterRun, DagsterRunStatus

    from orchestration.cli import HOST_TAG, PID_TAG, release_abandoned_slots

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    dead = subprocess.Popen(["sleep", "0"])
    dead.wait()  # its pid names no process now
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "cskpi"])
    try:
        with dg.DagsterInstance.get() as instance:
            for run_id, pid in (("killed", dead.pid), ("running", alive.pid)):
                tags = {PID_TAG: str(pid), HOST_TAG: socket.gethostname()}
                run = DagsterRun(job_name="daily_kpi_job", run_id=run_id, status=DagsterRunStatus.STARTED, tags=tags)
                instance.add_run(run)
            storage = instance.event_log_storage
            storage.initialize_concurrency_limit_to_default("duckdb_writer")  # as the executor does first
            assert storage.claim_concurrency_slot("duckdb_writer", "killed", "zendesk__tickets").is_claimed
            # the pool's limit is 1: the live run's step waits behind the killed run's
            assert not storage.claim_concurrency_slot("duckdb_writer", "running", "zendesk__tickets").is_claimed
            assert release_abandoned_slots(instance) == [
                f"run killed was killed mid-step (its process, pid {dead.pid}, is gone): marked failed, and its "
                "duckdb_writer slot freed"
            ]
            assert instance.get_run_by_id("killed").status == DagsterRunStatus.FAILURE
            assert storage.claim_concurrency_slot("duckdb_writer", "running", "zendesk__tickets").is_claimed
            # the live run's slot is its own
            assert release_abandoned_slots(instance) == []
            claimed = storage.get_concurrency_info("duckdb_writer").claimed_slots
            assert [(c.run_id, c.step_key) for c in claimed] == [("running", "zendesk__tickets")]
    finally:
        alive.kill()
