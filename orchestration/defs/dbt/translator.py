"""How dbt nodes become Dagster assets: sources map onto the ingestion assets that load them;
descriptions come from the models' yml (never the raw SQL), and each dbt test's check says what it
tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator


class WarehouseDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            # source('zendesk', 'tickets') is the asset raw/zendesk/tickets that loads raw.zendesk__tickets
            return dg.AssetKey(["raw", dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["config"].get("schema") or "main", dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["config"].get("schema") or "dbt"

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        # the yml's description; Dagster's default appends the model's raw SQL, which the catalog
        # then shows in place of a description
        return dbt_resource_props.get("description") or (
            f"dbt {dbt_resource_props['resource_type']} {dbt_resource_props['name']}"
        )

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=_test_description(manifest["nodes"][unique_id]))


def _test_description(test: Mapping[str, Any]) -> str:
    """What a dbt test checks, in words: 'dbt test unique of ticket_id', 'dbt test accepted_values of
    channel (warns)'; a singular test by its own description or name."""
    if test.get("description"):
        return test["description"]
    metadata = test.get("test_metadata") or {}
    name = metadata.get("name") or test["name"]
    column = (metadata.get("kwargs") or {}).get("column_name") or test.get("column_name")
    severity = (test.get("config") or {}).get("severity", "error").lower()
    return f"dbt test {name}" + (f" of {column}" if column else "") + (" (warns)" if severity == "warn" else "")
