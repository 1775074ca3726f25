"""Bulk-load landed files into the warehouse's `raw` schema with DuckDB's own readers.

One load is one transaction: the stream's rows for the window, its rejects and its ledger entry
(which carries the cursor) commit together or not at all. So a cursor is never ahead of the data,
and re-running a window replaces it instead of adding to it.

Modes:
- partition: replace the rows whose local partition day falls in the window;
- upsert: keep the newest version of each id (incremental streams with a high-water mark);
- snapshot: replace the whole table (small reference lists).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from ingestion.errors import IngestionError
from ingestion.settings import DEFAULT_DUCKDB_MEMORY_LIMIT
from ingestion.streams import Column, StreamSpec

LEDGER_DDL = """
create table if not exists raw._ingest_ledger (
    run_id varchar,
    batch_id varchar,
    source varchar,
    stream varchar,
    first_partition date,
    last_partition date,
    window_start timestamp,
    window_end timestamp,
    pages integer,
    records_fetched bigint,
    records_loaded bigint,
    records_rejected bigint,
    duplicates_dropped bigint,
    outside_window bigint,
    cursor varchar,
    landing_dir varchar,
    committed_at timestamp
)"""

REJECTS_DDL = """
create table if not exists raw._rejects (
    source varchar,
    stream varchar,
    scope varchar,
    partition_date date,
    record_id varchar,
    reason varchar,
    payload json,
    payload_md5 varchar,
    source_file varchar,
    run_id varchar,
    batch_id varchar,
    rejected_at timestamp
)"""


@dataclass(frozen=True)
class LoadWindow:
    """A half-open UTC window [start, end) and the local partition days it covers."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date
    timezone: str


@dataclass(frozen=True)
class LoadResult:
    stream: str
    records_fetched: int
    records_loaded: int
    records_rejected: int
    duplicates_dropped: int
    outside_window: int
    cursor: str | None

    def as_metadata(self) -> dict:
        return asdict(self)


def connect(warehouse_path: Path, memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT) -> duckdb.DuckDBPyConnection:
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse_path), config={"memory_limit": memory_limit})
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")
    con.execute("create schema if not exists raw")
    con.execute(LEDGER_DDL)
    con.execute(REJECTS_DDL)
    return con


def _sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _ensure_table(con: duckdb.DuckDBPyConnection, spec: StreamSpec) -> None:
    """Create the raw table, or give an existing one the typed columns a newer release added."""
    cols = ", ".join(f"{c.name} {c.type}" for c in spec.columns)
    con.execute(
        f"create table if not exists {spec.table} ({cols}, _partition_date date, _batch_id varchar, "
        "_run_id varchar, _loaded_at timestamp, _source_file varchar, _record json)"
    )
    schema, table = spec.table.split(".")
    present = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }
    if missing := [c for c in spec.columns if c.name not in present]:
        _add_columns_from_record(con, spec, missing)


def _add_columns_from_record(con: duckdb.DuckDBPyConnection, spec: StreamSpec, columns: list[Column]) -> None:
    """Add `columns` and fill them for every stored row from `_record`: one pass, one transaction."""
    names = ", ".join(c.name for c in columns)
    con.execute("begin transaction")
    try:
        for n, column in enumerate(columns):
            con.execute(f"create or replace temp macro _column_from_record_{n}(rec) as {column.expr}")
            con.execute(f"alter table {spec.table} add column {column.name} {column.type}")
        fills = ", ".join(f"{c.name} = _column_from_record_{n}(_record)" for n, c in enumerate(columns))
        con.execute(f"update {spec.table} set {fills}")
        con.execute("commit")
    except duckdb.Error as exc:
        con.execute("rollback")
        raise IngestionError(
            f"{spec.table} lacks column(s) {names}, which cannot be filled from the stored _record ({exc}). "
            "Reload the stream's history into a new warehouse."
        ) from exc


def _stage_incoming(con: duckdb.DuckDBPyConnection, spec: StreamSpec, files: Sequence[Path]) -> int:
    """Read the landed files into temp table _incoming, classify each row, return the row count."""
    con.execute("drop table if exists _incoming")
    if not files:
        cols = ", ".join(f"null::{c.type} as {c.name}" for c in spec.columns)
        con.execute(
            f"create temp table _incoming as select {cols}, null::json as _record, null::varchar as _source_file, "
            "null::varchar as _reject_reason, null::varchar as _payload_md5 where false"
        )
        return 0
    reader = spec.reader.replace("{files}", _sql_list([str(f) for f in files]))
    cols = ", ".join(f"{c.expr} as {c.name}" for c in spec.columns)
    reasons = " ".join(f"when {cond} then '{reason}'" for cond, reason in spec.rules)
    con.execute(
        f"""
        create temp table _incoming as
        with parsed as (select {cols}, rec, filename as _source_file from ({reader}))
        select * exclude (rec), rec as _record, case {reasons} end as _reject_reason,
               md5(rec::varchar) as _payload_md5
        from parsed
        """
    )
    return con.execute("select count(*) from _incoming").fetchone()[0]


def _local_day(expr: str, timezone: str) -> str:
    return f"timezone('{timezone}', timezone('UTC', {expr}))::date"


def load(
    con: duckdb.DuckDBPyConnection,
    spec: StreamSpec,
    files: Sequence[Path],
    *,
    run_id: str,
    batch_id: str,
    landing_dir: Path | None,
    pages: int,
    window: LoadWindow | None = None,
    fixed_partition: date | None = None,
    cursor: str | None = None,
    scope: tuple[str, str] | None = None,
) -> LoadResult:
    """Load one batch of landed files for `spec`, atomically. See the module docstring for modes."""
    _ensure_table(con, spec)
    fetched = _stage_incoming(con, spec, files)
    scope_sql = f" and {scope[0]} = '{scope[1]}'" if scope else ""

    # Which rows this load speaks for: the window's (partition by timestamp), or all of them.
    if spec.mode == "partition" and spec.partition_by:
        assert window is not None, f"{spec.name} is partitioned: pass a window"
        ts = spec.partition_by
        day_expr = _local_day(ts, window.timezone)
        lo, hi = f"'{window.start:%Y-%m-%d %H:%M:%S}'::timestamp", f"'{window.end:%Y-%m-%d %H:%M:%S}'::timestamp"
        in_scope = f"({ts} >= {lo} and {ts} < {hi})"
        # A reject whose timestamp did not parse cannot be placed; this load owns it.
        reject_scope = f"({in_scope} or {ts} is null)"
        reject_day = f"coalesce({day_expr}, '{window.first_day}'::date)"
    elif spec.mode == "partition":
        assert fixed_partition is not None, f"{spec.name} is partitioned by file: pass fixed_partition"
        day_expr = reject_day = f"'{fixed_partition}'::date"
        in_scope = reject_scope = "true"
    else:
        day_expr = reject_day = "null::date"
        in_scope = reject_scope = "true"

    col_names = ", ".join(c.name for c in spec.columns)
    # by name: a table migrated by _ensure_table has its newer columns last
    stored = f"{col_names}, _partition_date, _batch_id, _run_id, _loaded_at, _source_file, _record"
    con.execute("drop table if exists _accepted")
    con.execute(
        f"""
        create temp table _accepted as
        select {col_names}, {day_expr} as _partition_date, _record, _source_file from (
            select *, row_number() over (
                partition by {spec.key} order by {spec.version} desc nulls last, _source_file desc
            ) as _rn
            from _incoming where _reject_reason is null and {in_scope}
        ) where _rn = 1
        """
    )
    in_window = con.execute(f"select count(*) from _incoming where _reject_reason is null and {in_scope}").fetchone()[0]
    outside = con.execute(
        f"select count(*) from _incoming where _reject_reason is null and not ({in_scope})"
    ).fetchone()[0]
    con.execute("drop table if exists _new_rejects")
    con.execute(
        f"""
        create temp table _new_rejects as
        select any_value({reject_day}) as partition_date, any_value({spec.key}::varchar) as record_id,
               any_value(_reject_reason) as reason, any_value(_record) as payload, _payload_md5,
               any_value(_source_file) as source_file
        from _incoming where _reject_reason is not null and {reject_scope}
        group by _payload_md5
        """
    )
    loaded = con.execute("select count(*) from _accepted").fetchone()[0]
    rejected = con.execute("select count(*) from _new_rejects").fetchone()[0]

    meta = f"'{batch_id}', '{run_id}', now()::timestamp"
    insert_accepted = (
        f"insert into {spec.table} ({stored}) select {col_names}, _partition_date, {meta}, _source_file, _record "
    )
    con.execute("begin transaction")
    try:
        if spec.mode == "partition":
            first = window.first_day if window else fixed_partition
            last = window.last_day if window else fixed_partition
            con.execute(f"delete from {spec.table} where _partition_date between '{first}' and '{last}'{scope_sql}")
            con.execute(insert_accepted + "from _accepted")
            reject_delete = f"partition_date between '{first}' and '{last}'"
        elif spec.mode == "upsert":
            # Keep whichever version is newer; an equal version is replaced by the redelivery.
            con.execute(
                f"delete from {spec.table} t using _accepted n where t.{spec.key} = n.{spec.key} "
                f"and (t.{spec.version} <= n.{spec.version} or n.{spec.version} is null)"
            )
            con.execute(
                insert_accepted
                + f"from _accepted n where not exists (select 1 from {spec.table} t where t.{spec.key} = n.{spec.key})"
            )
            reject_delete = "false"
        else:
            con.execute(f"delete from {spec.table}")
            con.execute(insert_accepted + "from _accepted")
            reject_delete = "true"
        scope_value = f"'{scope[1]}'" if scope else "null"
        con.execute(
            f"delete from raw._rejects where source = '{spec.source}' and stream = '{spec.stream}' "
            f"and ((({reject_delete}) and scope is not distinct from {scope_value}) "
            "or payload_md5 in (select _payload_md5 from _new_rejects))"
        )
        con.execute(
            f"insert into raw._rejects select '{spec.source}', '{spec.stream}', {scope_value}, partition_date, "
            f"record_id, reason, payload, _payload_md5, source_file, '{run_id}', '{batch_id}', now()::timestamp "
            "from _new_rejects"
        )
        con.execute(
            "insert into raw._ingest_ledger values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::timestamp)",
            [
                run_id,
                batch_id,
                spec.source,
                spec.stream,
                window.first_day if window else fixed_partition,
                window.last_day if window else fixed_partition,
                window.start if window else None,
                window.end if window else None,
                pages,
                fetched,
                loaded,
                rejected,
                in_window - loaded,
                outside,
                cursor,
                str(landing_dir) if landing_dir else None,
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return LoadResult(spec.name, fetched, loaded, rejected, in_window - loaded, outside, cursor)


def last_cursor(con: duckdb.DuckDBPyConnection, spec: StreamSpec) -> str | None:
    """The newest committed cursor of a stream: only data that is committed moves it."""
    row = con.execute(
        "select cursor from raw._ingest_ledger where source = ? and stream = ? and cursor is not null "
        "order by committed_at desc limit 1",
        [spec.source, spec.stream],
    ).fetchone()
    return row[0] if row else None


def ledger_summary(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    rows = con.execute(
        "select source || '.' || stream, sum(records_fetched), sum(records_loaded), sum(records_rejected), "
        "sum(duplicates_dropped) from raw._ingest_ledger where run_id = ? group by 1 order by 1",
        [run_id],
    ).fetchall()
    keys = ("stream", "fetched", "loaded", "rejected", "duplicates_dropped")
    return [dict(zip(keys, r, strict=True)) for r in rows]
