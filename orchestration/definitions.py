"""The code location loaded by workspace.yaml (`make dev`)."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.dbt.assets import dbt_model_assets
from orchestration.defs.ingestion.assets import ingestion_assets
from orchestration.defs.jobs import daily_kpi_job, daily_kpi_schedule
from orchestration.defs.quality.checks import quality_checks
from orchestration.defs.report.assets import service_level_report
from orchestration.defs.resources import dbt_resource, source_accounts_from_env
from orchestration.defs.serving.assets import published_marts

defs = dg.Definitions(
    assets=[*ingestion_assets, *dbt_model_assets, published_marts, service_level_report],
    asset_checks=quality_checks,
    jobs=[daily_kpi_job],
    schedules=[daily_kpi_schedule],
    resources={"source_accounts": source_accounts_from_env(), "dbt": dbt_resource()},
)
