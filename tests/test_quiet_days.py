"""A quiet day (no ticket created or updated, no survey answered) is green and publishes.

The sample creates no tickets on its quiet days (CSKPI_SAMPLE_QUIET_DAYS). Every event of an
ordinary ticket lies within 14 days of its creation (MAX_LIFETIME_DAYS) and this test turns the
long-running ones off, so with 2 .. 16 March quiet, 16 March has no ticket created, no ticket
updated and no survey response at all. A first run publishes 1 March;
the daily run of 16 March then builds only empty days and must still publish.
"""

from __future__ import annotations

from contextlib import closing
from datetime import date, datetime

import dagster as dg
import duckdb
import pytest

from ingestion.local_days import day_bounds
from ingestion.sample.source import SampleSource
from ingestion.settings import load_settings
from tests.conftest import use_small_sample

pytestmark = pytest.mark.e2e
BUSY, QUIET = date(2026, 3, 1), date(2026, 3, 16)


def _run(day: date, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    from orchestration.definitions import defs

    return defs.resolve_job_def("daily_kpi_job").execute_in_process(
        instance=instance, tags={"dagster/partition": day.isoformat()}, raise_on_error=False
    )


def _check(result: dg.ExecuteInProcessResult, name: str):
    evaluations = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    assert evaluations, f"check {name} did not run"
    return evaluations[-1]


@pytest.fixture(scope="module")
def quiet_run(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch, dg.DagsterInstance.ephemeral() as instance:
        use_small_sample(tmp_path_factory.mktemp("quiet"), monkeypatch)
        monkeypatch.setenv("CSKPI_SAMPLE_TICKETS_PER_DAY", "60")
        monkeypatch.setenv("CSKPI_SAMPLE_QUIET_DAYS", "2026-03-02..2026-03-16")
        monkeypatch.setenv("CSKPI_SAMPLE_LONG_RUNNING_PER_DAY", "0")
        busy = _run(BUSY, instance)
        assert busy.success
        yield _run(QUIET, instance), load_settings(), SampleSource.from_env()


def test_the_source_is_silent_on_the_quiet_day(quiet_run):
    _, _, source = quiet_run
    start, end = day_bounds(source.config.timezone, QUIET)
    assert source.tickets_updated(start, end) == []
    assert source.audits_between(start, end) == []
    assert source.survey_responses(start, end, route="api") == []


def test_a_quiet_day_is_green_and_publishes(quiet_run):
    result, settings, _ = quiet_run
    assert result.success
    for name in ("gx_fct_kpi_daily", "gx_fct_tickets", "gx_fct_survey_responses", "gx_stg_zendesk__tickets",
                 "gx_reject_share"):  # fmt: skip
        evaluation = _check(result, name)
        assert evaluation.passed, (name, evaluation.metadata.get("failures"))
    assert _check(result, "gx_fct_tickets").metadata["rows_checked"].value == 0
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "serving/published_marts" in materialised
    with closing(duckdb.connect(str(settings.serving_dir / "cs_kpi_marts.duckdb"), read_only=True)) as served:
        days = dict(
            served.execute("select kpi_date, sum(tickets_created) from marts.fct_kpi_daily group by 1").fetchall()
        )
    assert QUIET not in days  # nothing happened: no row, not a row of zeros
    assert days[BUSY] > 0  # the busy day published by the first run is still served


def test_stale_tickets_are_flagged_but_do_not_block(quiet_run):
    """The newest ticket update is 1 March's, more than 36 h before 16 March ends: a warning."""
    result, *_ = quiet_run
    evaluation = _check(result, "gx_ticket_freshness")
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    # readable metadata, not a traceback: 16 March ends at 2026-03-16 16:00 UTC (Asia/Shanghai, UTC+8);
    # 36 h before that is 2026-03-15 04:00 UTC. 1 March local is [2026-02-28 16:00, 2026-03-01 16:00) UTC.
    metadata = {name: value.value for name, value in evaluation.metadata.items()}
    assert metadata["oldest_acceptable_utc"] == "2026-03-15 04:00:00"
    newest = datetime.fromisoformat(metadata["newest_update_utc"])
    assert datetime(2026, 2, 28, 16) <= newest < datetime(2026, 3, 1, 16)
    (failure,) = metadata["failures"]
    assert failure["observed_value"] == newest.isoformat()
    assert failure["kwargs"]["min_value"] == "2026-03-15T04:00:00"
    assert evaluation.description == (
        f"stale tickets: the newest ticket update is {metadata['newest_update_utc']} UTC, older than "
        "2026-03-15 04:00:00 UTC (36 h before the end of the run's last day)"
    )
