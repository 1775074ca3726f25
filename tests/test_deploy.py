"""The production recipe (deploy/): its instance keeps the demo's DuckDB writer pool, and a failed run
on it (PostgreSQL storage, as deploy/dagster.yaml configures it) posts one alert to the team's
webhook, through the sensor's own cursor as the daemon evaluates it.

The daily job's successful runs on this instance are tests/test_cli_runs.py's (two `cskpi run`s).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml

from ingestion.settings import PROJECT_ROOT
from orchestration.defs.alerts import run_failure_alert
from orchestration.defs.resources import SourceAccounts
from tests import postgres
from tests.loopback import LoopbackJsonServer

DAY = "2026-03-18"
NOWHERE = "http://127.0.0.1:9"  # nothing listens on port 9: the run fails at once, as with a mistyped URL


def test_the_production_instance_keeps_the_demo_pool():
    demo = yaml.safe_load((PROJECT_ROOT / ".dagster_home" / "dagster.yaml").read_text())
    production = yaml.safe_load((PROJECT_ROOT / "deploy" / "dagster.yaml").read_text())
    assert production["concurrency"] == demo["concurrency"] == {"pools": {"default_limit": 1}}
    assert "storage" not in demo  # the demo stays on SQLite in .dagster_home
    assert set(production["storage"]) == {"postgres"}


@pytest.fixture
def instance(sample_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.DagsterInstance]:
    """A fresh instance from deploy/dagster.yaml, its database a throwaway one, reached as the env file says."""
    with postgres.throwaway_database() as dbname:
        home = tmp_path / "dagster_home"
        home.mkdir()
        shutil.copy(PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
        for name, value in {"DAGSTER_HOME": str(home), "DAGSTER_PG_HOST": postgres.HOST,
                            "DAGSTER_PG_PORT": str(postgres.PORT), "DAGSTER_PG_USER": postgres.USER,
                            "DAGSTER_PG_PASSWORD": "", "DAGSTER_PG_DB": dbname}.items():  # fmt: skip
            monkeypatch.setenv(name, value)
        with dg.DagsterInstance.get() as opened:
            yield opened


def _fail_a_daily_run(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """The daily job for DAY, its Zendesk account at a URL where nothing answers: its tickets step fails."""
    from orchestration.definitions import defs

    account = SourceAccounts(zendesk_base_url=NOWHERE, zendesk_email="agent@example.com", zendesk_api_token="t0ken")
    # the project's definitions with that account, as a deployment's env file would configure them
    with_account = dg.Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        jobs=defs.jobs,
        resources={**defs.resources, "source_accounts": account},
    )
    return with_account.resolve_job_def("daily_kpi_job").execute_in_process(
        instance=instance,
        partition_key=DAY,
        # the tickets step, which also loads the ticket metrics
        asset_selection=[dg.AssetKey(["raw", "zendesk", "tickets"]), dg.AssetKey(["raw", "zendesk", "ticket_metrics"])],
        raise_on_error=False,
    )


def test_a_failed_run_posts_one_alert_naming_the_cause_and_the_run(instance, monkeypatch):
    received: list[tuple[str, str, dict | None]] = []
    webhook = LoopbackJsonServer(
        lambda method, path, _q, body, _h: (received.append((method, path, body)), (200, {}))[1]
    )
    monkeypatch.setenv("CSKPI_ALERT_WEBHOOK_URL", f"{webhook.base_url}/hooks/cskpi")
    monkeypatch.setenv("CSKPI_DAGSTER_URL", "https://dagster.example.com/")
    monkeypatch.setenv("CSKPI_HTTP_MAX_RETRIES", "0")
    monkeypatch.setenv("CSKPI_PII_HASH_KEY", "ab" * 32)
    try:
        # the daemon's first tick starts the sensor's cursor at the instance's latest run event
        first = run_failure_alert.evaluate_tick(dg.build_sensor_context(instance=instance))
        result = _fail_a_daily_run(instance)
        assert not result.success
        second = run_failure_alert.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        # a later tick finds nothing new: one alert per failed run
        third = run_failure_alert.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=second.cursor))
    finally:
        webhook.stop()
    run_id = result.run_id
    assert [r.dagster_run.run_id for r in second.dagster_run_reactions] == [run_id]
    assert third.dagster_run_reactions == [] and received[1:] == []
    assert received == [(
        "POST",
        "/hooks/cskpi",
        {"text": f"cs-kpi-warehouse: daily_kpi_job FAILED for {DAY}: step zendesk__tickets failed: zendesk: "
                 f"cannot reach {NOWHERE} (connection refused): check ZENDESK_BASE_URL. "
                 f"See https://dagster.example.com/runs/{run_id}"},
    )]  # fmt: skip
    with postgres.connect(instance.run_storage.postgres_url.rsplit("/", 1)[1]) as pg:
        assert pg.execute("select status from runs where run_id = %s", [run_id]).fetchone() == ("FAILURE",)


def test_without_a_webhook_the_failure_is_a_skipped_tick_naming_the_run(instance, monkeypatch):
    monkeypatch.delenv("CSKPI_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.setenv("CSKPI_HTTP_MAX_RETRIES", "0")
    monkeypatch.setenv("CSKPI_PII_HASH_KEY", "ab" * 32)
    first = run_failure_alert.evaluate_tick(dg.build_sensor_context(instance=instance))
    result = _fail_a_daily_run(instance)
    second = run_failure_alert.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
    assert second.skip_message == (
        f"run {result.run_id} of daily_kpi_job failed; no alert sent: CSKPI_ALERT_WEBHOOK_URL is unset"
    )
