"""The code location loaded by workspace.yaml (`make dev`): each domain's definitions
(orchestration/defs/<domain>/definitions.py), merged with the job, its schedule, the failed-run
alert, the resources and the CLI's logger, which span the domains."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.alerts import run_failure_alert
from orchestration.defs.dbt import definitions as dbt
from orchestration.defs.ingestion import definitions as ingestion
from orchestration.defs.jobs import daily_kpi_job, daily_kpi_schedule
from orchestration.defs.quality import definitions as quality
from orchestration.defs.report import definitions as report
from orchestration.defs.resources import dbt_resource, source_accounts_from_env
from orchestration.defs.serving import definitions as serving
from orchestration.run_log import CLI_LOGGER, cli_logger

defs = dg.Definitions.merge(
    ingestion.defs,
    dbt.defs,
    quality.defs,
    serving.defs,
    report.defs,
    dg.Definitions(
        jobs=[daily_kpi_job],
        schedules=[daily_kpi_schedule],
        sensors=[run_failure_alert],
        resources={"source_accounts": source_accounts_from_env(), "dbt": dbt_resource()},
        # only a run whose config names it (the CLI's) uses it; UI and daemon runs keep Dagster's console logger
        loggers={CLI_LOGGER: cli_logger},
    ),
)
