"""Late data and re-runs through the connectors, the loader and dbt's incremental window.

Day 4 Feb is built as of 5 Feb; then the ten daily runs up to 14 Feb arrive as one range (the
window of a range run starts the look-back before its first day). A survey submitted on 4 Feb and
delivered on 14 Feb counts on 4 Feb, tickets created on 4 Feb and solved later count as solved on
4 Feb, and re-running the whole history from scratch reproduces every mart exactly.
"""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pytest

from ingestion import pipeline
from ingestion.sample.source import SampleSource
from ingestion.sample.tickets import first_solve, ticket_lives
from ingestion.settings import load_settings
from orchestration.defs.dbt.window import dbt_window_vars
from tests.conftest import use_small_sample
from tests.sample_warehouse import mart_fingerprints, run_dbt

DAY = date(2026, 2, 4)
LATE_SURVEY = "api-73965000020"  # submitted 4 Feb, delivered 14 Feb (found in the sample)
TZ = ZoneInfo("Asia/Shanghai")


def _midnight(day: date) -> str:
    return datetime(day.year, day.month, day.day, tzinfo=TZ).isoformat()


def _ingest(first: date, last: date) -> None:
    settings = load_settings()
    for ingest in pipeline.DAILY_INGESTS:
        ingest(settings, first, last, f"run-{first}-{last}")
    for ingest in pipeline.REFERENCE_INGESTS:
        ingest(settings, "run")


def _build(work, *args: str) -> None:
    run_dbt("build", *args, env={"CSKPI_WAREHOUSE_PATH": str(load_settings().warehouse_path)}, target_dir=work)


def _day(con, column: str) -> int:
    return con.execute(f"select sum({column}) from marts.fct_kpi_daily where kpi_date = ?", [DAY]).fetchone()[0]


def _expected_tickets(now: int) -> tuple[int, int]:
    """(tickets created on DAY that count, of which solved by `now`), straight from the sample."""
    source = SampleSource.from_env()
    counted = [t for t in ticket_lives(source.config, DAY) if not t.defect and not
               ({"spam", "test", "closed_by_merge"} & set(t.tags))]  # fmt: skip
    solved = [t for t in counted if (first_solve(t) or now + 1) <= now]
    return len(counted), len(solved)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    work = tmp_path_factory.mktemp("late")
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_small_sample(work, monkeypatch)
        # Phase 1: the run of 4 Feb, as of 5 Feb.
        monkeypatch.setenv("CSKPI_SAMPLE_NOW", _midnight(DAY + timedelta(days=1)))
        _ingest(DAY - timedelta(days=13), DAY)
        _build(work / "p1")
        with closing(duckdb.connect(str(load_settings().warehouse_path), read_only=True)) as con:
            before = {"created": _day(con, "tickets_created"), "solved": _day(con, "solved_tickets"),
                      "late_survey": con.execute("select count(*) from marts.fct_survey_responses "
                                                 "where response_id = ?", [LATE_SURVEY]).fetchone()[0],
                      "now": SampleSource.from_env().now}  # fmt: skip
        # Phase 2: the daily runs of 5..14 Feb, as of 15 Feb, as one range run.
        first, last = DAY + timedelta(days=1), DAY + timedelta(days=10)
        monkeypatch.setenv("CSKPI_SAMPLE_NOW", _midnight(last + timedelta(days=1)))
        _ingest(first, last)
        window = dbt_window_vars(
            datetime(first.year, first.month, first.day, tzinfo=TZ),
            datetime(last.year, last.month, last.day, tzinfo=TZ) + timedelta(days=1),
            14,
        )
        _build(work / "p2", "--vars", json.dumps(window))  # fmt: skip
        path = load_settings().warehouse_path
        yield before, path, work, SampleSource.from_env().now, monkeypatch


def test_a_survey_delivered_ten_days_late_counts_on_its_own_day(history):
    before, path, *_ = history
    assert before["late_survey"] == 0, "not delivered yet on 5 Feb"
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        submitted_date = con.execute(
            "select submitted_date from marts.fct_survey_responses where response_id = ?", [LATE_SURVEY]
        ).fetchone()[0]
    assert submitted_date == DAY


def test_tickets_solved_later_update_their_creation_day(history):
    before, path, _, now, _ = history
    assert (before["created"], before["solved"]) == _expected_tickets(before["now"])
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        after = (_day(con, "tickets_created"), _day(con, "solved_tickets"))
    assert after == _expected_tickets(now)
    assert after[1] > before["solved"], "tickets of 4 Feb solved after 5 Feb now count as solved"


def test_rerunning_the_whole_history_reproduces_every_mart(history):
    _, path, work, _, _ = history
    incremental = mart_fingerprints(path)
    _ingest(DAY - timedelta(days=13), DAY + timedelta(days=10))
    _build(work / "p3", "--full-refresh")
    assert mart_fingerprints(path) == incremental
