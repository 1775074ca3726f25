"""Row counts and columns of what a dbt build materialised, read once the build is over.

dagster-dbt's own `fetch_row_counts()` / `fetch_column_metadata()` do not work in this pipeline on
DuckDB (dagster-dbt 0.29, dbt-duckdb 1.11): on DuckDB they wait for dbt to exit, then query through
a dbt-duckdb adapter opened READ_ONLY in the Dagster process, and that adapter's DuckDB instance
stays open after the step. The next connection of the run's process with its own settings then
fails ("Can't open a connection to same database file with a different configuration"), and a
later dbt step cannot take the write lock: the first GX check after the dbt step failed.

So, as dagster-dbt does on DuckDB, the build's events are held until dbt has exited (its write lock
is free); then one read-only connection, opened and closed here, counts the rows of every table
the build materialised and reads every built relation's columns. The metadata keys are Dagster's
own, as dagster-dbt's would be: dagster/row_count (tables and seeds; a view is not counted, its
query is not run) and dagster/column_schema (names and types as built, descriptions from the yml).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing
from typing import Any

import dagster as dg
import duckdb

from ingestion.settings import Settings

# Dagster's own keys of table metadata (docs: "Table metadata"), which the UI shows as such
ROW_COUNT, COLUMN_SCHEMA = "dagster/row_count", "dagster/column_schema"
NOT_COUNTED = ("view", "ephemeral")


def _node(manifest: Mapping[str, Any], event: Any) -> Mapping[str, Any] | None:
    """The manifest node a model or seed materialisation stands for (None for a test's result)."""
    if not isinstance(event, dg.Output | dg.AssetMaterialization) or "unique_id" not in event.metadata:
        return None
    return manifest["nodes"].get(event.metadata["unique_id"].value)


def read_table_metadata(settings: Settings, nodes: list[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """unique_id -> Dagster metadata (row count of a table, columns of any relation), in one read."""
    built = [n for n in nodes if n["config"]["materialized"] != "ephemeral"]
    if not built:
        return {}
    relations = {n["unique_id"]: (n["schema"], n["alias"]) for n in built}
    counted = [n["unique_id"] for n in built if n["config"]["materialized"] not in NOT_COUNTED]
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True, config=settings.duckdb_config)) as con:
        rows = con.execute(
            "select table_schema, table_name, column_name, data_type from information_schema.columns "
            "where list_contains(?, table_schema || '.' || table_name) order by table_schema, table_name, "
            "ordinal_position",
            [sorted({f"{schema}.{table}" for schema, table in relations.values()})],
        ).fetchall()
        counts = {}
        if counted:
            union = " union all ".join(
                f'select {n} as i, count(*) from "{relations[uid][0]}"."{relations[uid][1]}"'
                for n, uid in enumerate(counted)
            )
            counts = {counted[i]: c for i, c in con.execute(union).fetchall()}
    columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, name, data_type in rows:
        columns.setdefault((schema, table), []).append((name, data_type))
    described = {
        n["unique_id"]: {c: v.get("description") or None for c, v in n.get("columns", {}).items()} for n in nodes
    }
    out: dict[str, dict[str, Any]] = {}
    for uid, relation in relations.items():
        schema = dg.TableSchema(
            columns=[
                dg.TableColumn(name=name, type=data_type, description=described[uid].get(name))
                for name, data_type in columns.get(relation, [])
            ]
        )
        out[uid] = {COLUMN_SCHEMA: schema, **({ROW_COUNT: counts[uid]} if uid in counts else {})}
    return out


def with_table_metadata(
    events: Iterable[Any],
    manifest: Mapping[str, Any],
    settings: Settings,
    log: dg.DagsterLogManager,
    extra_when_counted: Mapping[str, Any] | None = None,
) -> Iterator[Any]:
    """The build's events, each materialisation with its row count and columns; `extra_when_counted`
    is added where a row count is. A failed build's events come out all the same, then its error."""
    held, error = [], None
    try:
        held.extend(events)  # dbt runs to its end: DuckDB's one writer is free after this
    except Exception as exc:
        error = exc
    nodes = [node for node in (_node(manifest, e) for e in held) if node is not None]
    started = time.monotonic()
    try:
        found = read_table_metadata(settings, nodes)
    except duckdb.Error as exc:  # the build's own outcome stands; only its metadata is missing
        log.warning(
            f"row counts and columns of the dbt build could not be read ({exc}); the materialisations carry none"
        )
        found = {}
    counted = sum(ROW_COUNT in m for m in found.values())
    took = time.monotonic() - started
    log.info(f"row counts of {counted} tables and columns of {len(found)} relations read in {took:.2f} s")
    for event in held:
        node = _node(manifest, event)
        metadata = found.get(node["unique_id"], {}) if node else {}
        if metadata:
            if ROW_COUNT in metadata and extra_when_counted:
                metadata = {**metadata, **extra_when_counted}
            event = event.with_metadata({**event.metadata, **metadata})
        yield event
    if error is not None:
        raise error
