"""dbt models as assets, in three steps of one run.

- foundation: seeds, staging and intermediate views, and dimensions (not partitioned);
- KPI facts: the ticket lifecycle, fct_tickets, fct_survey_responses and fct_kpi_daily, incremental
  over the partition window widened by the look-back; a range of partitions is one dbt invocation;
- reports: the scorecard and the SLA outcomes (fct_ticket_sla, fct_sla_daily), rebuilt from the facts.
"""

import json
from datetime import date, datetime, time, timedelta

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from ingestion.settings import load_settings
from orchestration.defs.dbt.project import dbt_project
from orchestration.defs.dbt.table_metadata import with_table_metadata
from orchestration.defs.dbt.translator import WarehouseDbtTranslator
from orchestration.defs.dbt.window import dbt_window_vars
from orchestration.defs.partitions import daily_partitions, partition_days, run_days
from orchestration.defs.pools import DUCKDB_WRITERS
from orchestration.defs.resources import prepare_dbt_environment

PARTITIONED = "tag:partitioned"
REPORTS = "tag:report"
FOUNDATION = "resource_type:seed path:models/staging path:models/intermediate tag:dimension"
WHOLE_TABLE = "the whole table's rows, every day's: the run rebuilt only its window of days"
# What every dbt step shares: one project, one translator, the one DuckDB writer pool.
SHARED = {
    "manifest": dbt_project.manifest_path,
    "project": dbt_project,
    "dagster_dbt_translator": WarehouseDbtTranslator(),
    "pool": DUCKDB_WRITERS,
    # One run per range; on the unpartitioned steps it lets the Dagster CLI take partition ranges.
    "backfill_policy": dg.BackfillPolicy.single_run(),
}


def _events(dbt: DbtCliResource, args: list[str], context: dg.AssetExecutionContext, partitioned: bool = False):
    """The build's events, each table's with its row count and each relation's with its columns
    (orchestration/defs/dbt/table_metadata.py says why not dagster-dbt's fetch_row_counts on DuckDB).
    A partitioned step's models are incremental, whole tables: their count is every day's rows, not
    the partition's, and `row_count_is` says so on each partition."""
    invocation = dbt.cli(args, context=context)
    yield from with_table_metadata(
        invocation.stream(),
        invocation.manifest,
        load_settings(),
        context.log,
        extra_when_counted={"row_count_is": WHOLE_TABLE} if partitioned else None,
    )


def _window_args(first: date, last: date) -> list[str]:
    """--vars with the half-open window of the local days [first, last], widened by the look-back."""
    start, end = datetime.combine(first, time()), datetime.combine(last + timedelta(days=1), time())
    return ["--vars", json.dumps(dbt_window_vars(start, end, load_settings().lookback_days))]


@dbt_assets(select=FOUNDATION, exclude=PARTITIONED, name="dbt_foundation_models", **SHARED)
def dbt_foundation_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    prepare_dbt_environment()
    # In a partitioned run, the tests on history-wide views check the run's window only.
    days = run_days(context)
    yield from _events(dbt, ["build", *(_window_args(*days) if days else [])], context)


@dbt_assets(
    select=PARTITIONED,
    name="dbt_kpi_fact_models",
    partitions_def=daily_partitions,
    **SHARED,
)
def dbt_kpi_fact_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    prepare_dbt_environment()
    args = _window_args(*partition_days(context))
    context.log.info(f"rebuilding local days {args[1]} (window_end exclusive)")
    yield from _events(dbt, ["build", *args], context, partitioned=True)


@dbt_assets(select=REPORTS, name="dbt_report_models", **SHARED)
def dbt_report_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    prepare_dbt_environment()
    yield from _events(dbt, ["build"], context)


dbt_model_assets = [dbt_foundation_models, dbt_kpi_fact_models, dbt_report_models]
