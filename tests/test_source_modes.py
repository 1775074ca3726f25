"""Outside demo mode, a source that is not configured is off: the sample never fills the gap.

A team has connected only its survey tool's CSV drop folder (CSKPI_SURVEY_DROP_DIR), not Zendesk,
HubSpot or the survey API. One daily run must be green, publish its two survey responses, and put
no ticket or customer of the embedded sample in the marts; rpt_sources, the run log and the
service-level report say Zendesk, HubSpot and the survey API were off. (Demo mode, where every
source is the sample, is asserted on the end-to-end run: tests/test_end_to_end.py.)
"""

from __future__ import annotations

import shutil
from contextlib import closing
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingestion import pipeline
from ingestion.settings import PROJECT_ROOT, load_settings
from tests.conftest import TEST_PII_HASH_KEY, use_small_sample

pytestmark = pytest.mark.e2e
DAY = date(2026, 3, 18)
# The 腾讯问卷 export of tests/fixtures/survey_exports/ the team's tool dropped for the day, about
# Zendesk tickets the warehouse does not hold: 101 CSAT 5 and 102 CSAT 4 (positive, >= 4), 103 CSAT 2,
# 104 answered only NPS; 105 (NPS 11) is rejected.
TENCENT_EXPORT = PROJECT_ROOT / "tests/fixtures/survey_exports/9799234_20260318213015.csv"
OFF = ("zendesk", "hubspot", "survey_api")


@pytest.fixture(scope="module")
def surveys_only(tmp_path_factory):
    from orchestration.definitions import defs

    work = tmp_path_factory.mktemp("surveys_only")
    with pytest.MonkeyPatch.context() as monkeypatch, dg.DagsterInstance.ephemeral() as instance:
        use_small_sample(work, monkeypatch)
        monkeypatch.setenv("CSKPI_SOURCES", "accounts")  # a real deployment, not the demo
        monkeypatch.setenv("CSKPI_PII_HASH_KEY", TEST_PII_HASH_KEY)  # a real account needs its own key
        drops = work / "drops"
        drops.mkdir()
        shutil.copy(TENCENT_EXPORT, drops / TENCENT_EXPORT.name)
        monkeypatch.setenv("CSKPI_SURVEY_DROP_DIR", str(drops))
        result = defs.resolve_job_def("daily_kpi_job").execute_in_process(
            instance=instance, tags={"dagster/partition": DAY.isoformat()}, raise_on_error=False
        )
        yield result, load_settings(), instance


def _rows(path: Path, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        return con.execute(sql).fetchall()


def test_a_run_with_only_the_survey_drop_folder_is_green(surveys_only):
    result, *_ = surveys_only
    assert result.success
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    # no ticket was ever loaded, so the ticket freshness warning (not blocking) is the only one
    assert set(failed) <= {"gx_ticket_freshness"}, failed
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"raw/zendesk/tickets", "raw/hubspot/contacts", "serving/published_marts",
            "report/service_level_report"} <= materialised  # fmt: skip


def test_no_sample_ticket_or_customer_reaches_the_marts(surveys_only):
    _, settings, _ = surveys_only
    served = settings.snapshot_path
    assert _rows(served, "select count(*) from marts.fct_tickets") == [(0,)]
    assert _rows(served, "select count(*) from marts.dim_customer") == [(0,)]
    # the off sources' raw tables exist, empty, so staging resolves them
    for table in ("zendesk__tickets", "zendesk__groups", "zendesk__requesters", "hubspot__contacts",
                  "surveys__api_responses"):  # fmt: skip
        assert _rows(settings.warehouse_path, f"select count(*) from raw.{table}") == [(0,)], table


def test_the_survey_responses_are_published(surveys_only):
    _, settings, _ = surveys_only
    # the four loaded rows (ids are prefixed with their tool), with no ticket to take a team from:
    # "unassigned"; the channel is the one the tencent mapping fixes
    rows = _rows(
        settings.snapshot_path,
        "select response_id, overall_score, is_csat_positive, channel, team from marts.fct_survey_responses order by 1",
    )
    assert rows == [
        ("tencent:101", 5, True, "wechat", "unassigned"),
        ("tencent:102", 4, True, "wechat", "unassigned"),
        ("tencent:103", 2, False, "wechat", "unassigned"),
        ("tencent:104", None, None, "wechat", "unassigned"),
    ]


def test_the_marts_and_the_report_say_which_sources_fed_them(surveys_only):
    result, settings, _ = surveys_only
    modes = dict(_rows(settings.snapshot_path, "select source, mode from marts.rpt_sources"))
    assert modes == {"zendesk": "off", "hubspot": "off", "survey_api": "off", "survey_csv": "account"}
    loaded = dict(_rows(settings.snapshot_path, "select source, last_loaded_at is not null from marts.rpt_sources"))
    assert loaded == {"zendesk": False, "hubspot": False, "survey_api": False, "survey_csv": True}

    report = next(
        e.step_materialization_data.materialization
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["report", "service_level_report"])
    )
    line = "Sources: Zendesk (off), HubSpot (off), survey API (off), survey tool exports (account)"
    assert report.metadata["sources"].value == line
    assert line in Path(report.metadata["path"].value).read_text("utf-8")


def test_an_off_source_materialises_with_zero_records_and_says_how_to_turn_it_on(surveys_only):
    result, _, instance = surveys_only
    by_key = {
        e.asset_key.to_user_string(): e.step_materialization_data.materialization
        for e in result.get_asset_materialization_events()
    }
    contacts = by_key["raw/hubspot/contacts"].metadata
    assert (contacts["source_off"].value, contacts["source_mode"].value, contacts["records_loaded"].value) == (
        True, "off", 0,
    )  # fmt: skip
    assert by_key["raw/zendesk/tickets"].metadata["source_off"].value is True
    assert by_key["raw/surveys/csv_responses"].metadata["source_mode"].value == "account"
    accounting = [e for e in result.get_asset_check_evaluations() if e.check_name == "records_accounted_for"]
    assert accounting and all(e.passed for e in accounting)
    log = [entry.user_message for entry in instance.all_logs(result.run_id)]
    off = "zendesk is off: set ZENDESK_BASE_URL, ZENDESK_EMAIL and ZENDESK_API_TOKEN to load it"
    assert any(off in message for message in log)


def test_an_empty_drop_folder_leaves_the_survey_table_empty_not_missing(tmp_path, monkeypatch):
    """No export dropped yet: the CSV table exists, empty, so dbt's source() resolves."""
    use_small_sample(tmp_path, monkeypatch)
    monkeypatch.setenv("CSKPI_SOURCES", "accounts")
    monkeypatch.setenv("CSKPI_PII_HASH_KEY", TEST_PII_HASH_KEY)
    monkeypatch.setenv("CSKPI_SURVEY_DROP_DIR", str(tmp_path / "empty_drops"))
    settings = load_settings()
    result = pipeline.ingest_survey_csv(settings, DAY, DAY, "run-1")
    assert result.records_loaded == 0
    assert _rows(settings.warehouse_path, "select count(*) from raw.surveys__csv_responses") == [(0,)]
    assert _rows(settings.warehouse_path, "select source, mode from raw._source_modes") == [("survey_csv", "account")]
