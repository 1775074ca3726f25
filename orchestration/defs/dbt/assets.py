"""dbt models as assets, in three steps of one run.

- foundation: seeds, staging and intermediate views, and dimensions (not partitioned);
- KPI facts: fct_tickets, fct_survey_responses and fct_kpi_daily, incremental over the partition
  window widened by the look-back; a range of partitions is one dbt invocation;
- reports: the scorecard, rebuilt from the facts.
"""

import json

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from ingestion.settings import load_settings
from orchestration.defs.dbt.project import dbt_project
from orchestration.defs.dbt.translator import WarehouseDbtTranslator
from orchestration.defs.dbt.window import dbt_window_vars
from orchestration.defs.partitions import daily_partitions
from orchestration.defs.pools import DUCKDB_WRITERS
from orchestration.defs.resources import prepare_dbt_environment

PARTITIONED = "tag:partitioned"
REPORTS = "tag:report"
FOUNDATION = "resource_type:seed path:models/staging path:models/intermediate tag:dimension"
# What every dbt step shares: one project, one translator, the one DuckDB writer pool.
SHARED = {
    "manifest": dbt_project.manifest_path,
    "project": dbt_project,
    "dagster_dbt_translator": WarehouseDbtTranslator(),
    "pool": DUCKDB_WRITERS,
    # One run per range; on the unpartitioned steps it lets the Dagster CLI take partition ranges.
    "backfill_policy": dg.BackfillPolicy.single_run(),
}


@dbt_assets(select=FOUNDATION, name="dbt_foundation_models", **SHARED)
def dbt_foundation_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    prepare_dbt_environment()
    yield from dbt.cli(["build"], context=context).stream()


@dbt_assets(
    select=PARTITIONED,
    name="dbt_kpi_fact_models",
    partitions_def=daily_partitions,
    **SHARED,
)
def dbt_kpi_fact_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    prepare_dbt_environment()
    window = context.partition_time_window
    dbt_vars = dbt_window_vars(window.start, window.end, load_settings().lookback_days)
    context.log.info(f"rebuilding local days {dbt_vars['window_start']} .. {dbt_vars['window_end']} (exclusive)")
    yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars)], context=context).stream()


@dbt_assets(select=REPORTS, name="dbt_report_models", **SHARED)
def dbt_report_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    prepare_dbt_environment()
    yield from dbt.cli(["build"], context=context).stream()


dbt_model_assets = [dbt_foundation_models, dbt_kpi_fact_models, dbt_report_models]
