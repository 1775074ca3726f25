"""dbt models as assets. Staging models are views over raw and need no partition window."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.dbt.project import dbt_project
from orchestration.defs.dbt.translator import WarehouseDbtTranslator
from orchestration.defs.pools import DUCKDB_WRITERS
from orchestration.defs.resources import export_warehouse_path


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=WarehouseDbtTranslator(),
    select="fqn:*",
    pool=DUCKDB_WRITERS,
)
def warehouse_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    export_warehouse_path()
    yield from dbt.cli(["build"], context=context).stream()
