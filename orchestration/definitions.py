"""The code location loaded by workspace.yaml (`make dev`)."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.alerts import run_failure_alert
from orchestration.defs.dbt.assets import dbt_model_assets
from orchestration.defs.ingestion.assets import ingestion_assets
from orchestration.defs.jobs import daily_kpi_job, daily_kpi_schedule
from orchestration.defs.quality.checks import quality_checks
from orchestration.defs.report.assets import service_level_report
from orchestration.defs.resources import dbt_resource, source_accounts_from_env
from orchestration.defs.serving.assets import published_marts
from orchestration.run_log import CLI_LOGGER, cli_logger

# The loader's own bookkeeping, which every ingest step writes as it loads (ingestion/loader.py)
# and rpt_sources reads: declared so the catalog says what they are.
loader_bookkeeping = [
    dg.AssetSpec(
        ["raw", "ingest", "ledger"],
        description="raw._ingest_ledger: one row per committed load of a stream, with its counts and commit time.",
        group_name="ingestion",
    ),
    dg.AssetSpec(
        ["raw", "ingest", "source_modes"],
        description="raw._source_modes: the mode (sample, account or off) each ingest step ran its source in.",
        group_name="ingestion",
    ),
]

defs = dg.Definitions(
    assets=[*ingestion_assets, *loader_bookkeeping, *dbt_model_assets, published_marts, service_level_report],
    asset_checks=quality_checks,
    jobs=[daily_kpi_job],
    schedules=[daily_kpi_schedule],
    sensors=[run_failure_alert],
    resources={"source_accounts": source_accounts_from_env(), "dbt": dbt_resource()},
    # only a run whose config names it (the CLI's) uses it; UI and daemon runs keep Dagster's console logger
    loggers={CLI_LOGGER: cli_logger},
)
