"""Bulk-load landed files into the warehouse's `raw` schema with DuckDB's own readers.

One load is one transaction: the stream's rows for the window, its rejects and its ledger entry
(which carries the cursor) commit together or not at all. So a cursor is never ahead of the data,
and re-running a window replaces it instead of adding to it.

Modes:
- versions: add the (id, version) pairs of the window that raw does not hold yet and never delete
  one, so re-running any day in any order, at any page size, can only add what was missing;
- partition: replace one day's rows (a file-based stream whose file is that day's whole truth);
- versions without a partition (the CRM): the same, over the whole table: every version fetched
  belongs to the load;
- upsert: keep the newest version of each id (incremental streams with a high-water mark);
- snapshot: replace the whole table (small reference lists).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from ingestion import pii
from ingestion.errors import IngestionError
from ingestion.settings import DEFAULT_DUCKDB_MEMORY_LIMIT, load_settings
from ingestion.streams import (
    ALL_HTTP_STREAMS,
    FUTURE,
    ZENDESK_SCHEDULE_HOLIDAYS,
    ZENDESK_SCHEDULE_INTERVALS,
    ZENDESK_SCHEDULES,
    Column,
    Reason,
    StreamSpec,
)

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
    records_received bigint,
    records_fetched bigint,
    records_loaded bigint,
    records_rejected bigint,
    duplicates_dropped bigint,
    outside_window bigint,
    cursor varchar,
    landing_dir varchar,
    committed_at timestamp,
    scope varchar
)"""
# The teams' calendars expanded to opening intervals per local day (ingestion/business_calendar.py):
# written whole by pipeline.ingest_business_calendar, not loaded from fetched records.
BUSINESS_DAYS_TABLE = "raw.calendar__business_days"
BUSINESS_DAYS_DDL = (
    f"create table if not exists {BUSINESS_DAYS_TABLE} (team varchar, time_zone varchar, local_date date, "
    "open_minute integer, close_minute integer, day_kind varchar)"
)
BUSINESS_HOURS_STREAMS = (ZENDESK_SCHEDULES, ZENDESK_SCHEDULE_INTERVALS, ZENDESK_SCHEDULE_HOLIDAYS)
LEDGER_COLUMNS = (
    "run_id, batch_id, source, stream, first_partition, last_partition, window_start, window_end, pages, "
    "records_received, records_fetched, records_loaded, records_rejected, duplicates_dropped, outside_window, "
    "cursor, landing_dir, committed_at, scope"
)

# Each ingest step records the mode its source ran in (sample, account, off): the published marts
# say which sources fed them (marts.rpt_sources), and an off source has no ledger rows to say it.
SOURCE_MODES_DDL = """
create table if not exists raw._source_modes (
    run_id varchar,
    source varchar,
    mode varchar,
    recorded_at timestamp
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
    """The counts of one load. Every record read is loaded, rejected, a duplicate, or outside."""

    stream: str
    partition: date | None
    records_received: int | None  # as the connector counted them in the landed pages or file
    records_fetched: int
    records_loaded: int
    records_rejected: int
    duplicates_dropped: int
    outside_window: int
    cursor: str | None
    # what the connector found about the source beyond counts (e.g. the CRM properties a portal
    # lacks), for the asset's metadata
    notes: dict[str, Any] = field(default_factory=dict)
    # a stream's total over several days keeps each day's own loads here, its sideloads' included
    # (Zendesk's metric_sets come in the ticket pages), each named by its own stream
    per_partition: tuple[LoadResult, ...] = ()


def connect(
    warehouse_path: Path,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT,
    hashing: pii.PiiHashing | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse with the PII hash functions registered (ingestion.pii).

    `hashing` defaults to the environment's (pii.pii_hashing): a real account without a key
    fails here, before anything is written.
    """
    hashing = hashing or pii.pii_hashing(load_settings())
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse_path), config={"memory_limit": memory_limit})
    pii.register(con, hashing)
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")
    con.execute("create schema if not exists raw")
    con.execute(LEDGER_DDL)
    # warehouses from before the connector's own count was kept
    con.execute("alter table raw._ingest_ledger add column if not exists records_received bigint")
    # ... and from before a load kept its scope (the survey tool of an export)
    con.execute("alter table raw._ingest_ledger add column if not exists scope varchar")
    con.execute(REJECTS_DDL)
    con.execute(SOURCE_MODES_DDL)
    # The business-hours inputs exist from the start, empty: an account without Zendesk schedules
    # or team calendars times no ticket in business hours, and its models still build.
    con.execute(BUSINESS_DAYS_DDL)
    for spec in BUSINESS_HOURS_STREAMS:
        _ensure_table(con, spec)
    return con


def record_source_mode(con: duckdb.DuckDBPyConnection, run_id: str, source: str, mode: str) -> None:
    con.execute("insert into raw._source_modes values (?, ?, ?, now()::timestamp)", [run_id, source, mode])


def create_empty(con: duckdb.DuckDBPyConnection, spec: StreamSpec) -> None:
    """Create the stream's raw table if it is missing, with no rows: staging reads every raw table
    through source(), so a stream that never loaded (its source off, no export yet) must still exist."""
    _ensure_table(con, spec)


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
    """Add `columns` and fill them for every stored row from `_record`: one pass, one transaction.

    A stream whose record is scrubbed of personal data is scrubbed in the same transaction, after
    its hash columns were computed from the plain record (and so are its rejects' payloads): a
    warehouse from before hashing at load keeps no plain email or phone, and never a record
    scrubbed before its hash was taken.
    """
    names = ", ".join(c.name for c in columns)
    con.execute("begin transaction")
    try:
        for n, column in enumerate(columns):
            con.execute(f"create or replace temp macro _column_from_record_{n}(rec) as {column.expr}")
            con.execute(f"alter table {spec.table} add column {column.name} {column.type}")
        fills = ", ".join(f"{c.name} = _column_from_record_{n}(_record)" for n, c in enumerate(columns))
        con.execute(f"update {spec.table} set {fills}")
        if spec.scrubs_record:
            con.execute(f"create or replace temp macro _scrubbed_record(rec) as {spec.record}")
            con.execute(f"update {spec.table} set _record = _scrubbed_record(_record)")
            con.execute(
                "update raw._rejects set payload = _scrubbed_record(payload), "
                "payload_md5 = md5(_scrubbed_record(payload)::varchar) where source = ? and stream = ?",
                [spec.source, spec.stream],
            )
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
    reasons = " ".join(f"when {cond} then {_reason_sql(reason)}" for cond, reason in spec.rules)
    con.execute(
        f"""
        create temp table _incoming as
        with parsed as (select {cols}, rec, filename as _source_file from ({reader}))
        -- the md5 too is of the stored record: an unkeyed md5 of a record holding a phone number
        -- would give that number away to anyone who tries every number with the rest of the record
        select * exclude (rec), {spec.record} as _record, case {reasons} end as _reject_reason,
               md5(({spec.record})::varchar) as _payload_md5
        from parsed
        """
    )
    return con.execute("select count(*) from _incoming").fetchone()[0]


def _reason_sql(reason: str | Reason) -> str:
    """A rule's reason as SQL: a plain reason is a literal, a Reason is SQL over the row."""
    return reason.sql if isinstance(reason, Reason) else "'" + reason.replace("'", "''") + "'"


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
    received: int | None = None,
    window: LoadWindow | None = None,
    fixed_partition: date | None = None,
    cursor: str | None = None,
    scope: tuple[str, str] | None = None,
) -> LoadResult:
    """Load one batch of landed files for `spec`, atomically. See the module docstring for modes.

    `received` is how many records the connector counted in what it landed; the ledger keeps it
    beside what DuckDB read, so a record lost between the page and the table shows as a gap.
    Every record read ends in exactly one count: loaded, rejected, duplicate, or outside the window.
    """
    _ensure_table(con, spec)
    fetched = _stage_incoming(con, spec, files)
    scope_sql = f" and {scope[0]} = '{scope[1]}'" if scope else ""

    # Which rows this load speaks for: the window's (partition by timestamp), or all of them.
    lo = hi = ""
    if spec.partition_by:
        assert window is not None, f"{spec.name} is partitioned by time: pass a window"
        assert spec.mode == "versions", f"{spec.name}: only versioned streams are partitioned by time"
        ts = spec.partition_by
        day_expr = _local_day(ts, window.timezone)
        lo, hi = f"'{window.start:%Y-%m-%d %H:%M:%S}'::timestamp", f"'{window.end:%Y-%m-%d %H:%M:%S}'::timestamp"
        in_scope = f"coalesce({ts} >= {lo} and {ts} < {hi}, false)"
        # A reject that no window can own (its time unparseable or in the future) is this load's;
        # any other reject belongs to the window its time falls in, and is outside this one.
        reject_scope = f"({in_scope} or {ts} is null or {ts} > {FUTURE})"
        reject_day = f"coalesce(case when {in_scope} then {day_expr} end, '{window.first_day}'::date)"
    elif spec.mode == "partition":
        assert fixed_partition is not None, f"{spec.name} is partitioned by file: pass fixed_partition"
        day_expr = reject_day = f"'{fixed_partition}'::date"
        in_scope = reject_scope = "true"
    else:
        day_expr = reject_day = "null::date"
        in_scope = reject_scope = "true"

    con.execute(
        f"""
        create or replace temp table _classified as
        select *, case
            when _reject_reason is not null and {reject_scope} then 'rejected'
            when not ({in_scope}) then 'outside'
            else 'accepted'
        end as _fate
        from _incoming
        """
    )
    col_names = ", ".join(c.name for c in spec.columns)
    if spec.mode == "versions":
        # one copy of each (key, version); a version raw already holds is a counted duplicate
        dedup = f"partition by {spec.key}, {spec.version} order by _source_file desc"
        # a time-partitioned stream compares within the window only, so the filter reaches the scan
        bounds = f" and t.{spec.version} >= {lo} and t.{spec.version} < {hi}" if lo else ""
        held = (
            f"and not exists (select 1 from {spec.table} t where t.{spec.key} = c.{spec.key} "
            f"and t.{spec.version} = c.{spec.version}{bounds})"
        )
    elif spec.mode == "upsert":
        # the newest copy of each key; one no newer than what raw holds is a counted duplicate
        dedup = f"partition by {spec.key} order by {spec.version} desc nulls last, _source_file desc"
        held = (
            f"and not exists (select 1 from {spec.table} t where t.{spec.key} = c.{spec.key} "
            f"and t.{spec.version} >= c.{spec.version})"
        )
    else:
        dedup = f"partition by {spec.key} order by {spec.version} desc nulls last, _source_file desc"
        held = ""
    con.execute(
        f"""
        create or replace temp table _accepted as
        select {col_names}, {day_expr} as _partition_date, _record, _source_file from (
            select *, row_number() over ({dedup}) as _rn from _classified where _fate = 'accepted'
        ) c where _rn = 1 {held}
        """
    )
    con.execute(
        f"""
        create or replace temp table _new_rejects as
        select any_value({reject_day}) as partition_date, any_value({spec.key}::varchar) as record_id,
               any_value(_reject_reason) as reason, any_value(_record) as payload, _payload_md5,
               any_value(_source_file) as source_file
        from _classified where _fate = 'rejected'
        group by _payload_md5
        """
    )
    counts = dict(con.execute("select _fate, count(*) from _classified group by 1").fetchall())
    loaded = con.execute("select count(*) from _accepted").fetchone()[0]
    rejected, outside = counts.get("rejected", 0), counts.get("outside", 0)
    duplicates = counts.get("accepted", 0) - loaded

    stored = f"{col_names}, _partition_date, _batch_id, _run_id, _loaded_at, _source_file, _record"
    meta = f"'{batch_id}', '{run_id}', now()::timestamp"
    insert_accepted = (
        f"insert into {spec.table} ({stored}) select {col_names}, _partition_date, {meta}, _source_file, _record "
    )
    con.execute("begin transaction")
    try:
        if spec.mode == "versions":
            # never deletes: a re-run or an older window adds only what raw does not hold yet
            con.execute(insert_accepted + "from _accepted")
            reject_delete = "false"
        elif spec.mode == "partition":
            con.execute(f"delete from {spec.table} where _partition_date = '{fixed_partition}'{scope_sql}")
            con.execute(insert_accepted + "from _accepted")
            reject_delete = f"partition_date = '{fixed_partition}'"
        elif spec.mode == "upsert":
            # Keep whichever version is newer; an equal version is replaced by the redelivery.
            # _accepted holds only copies newer than raw's: each replaces its older version
            con.execute(f"delete from {spec.table} t using _accepted n where t.{spec.key} = n.{spec.key}")
            con.execute(insert_accepted + "from _accepted")
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
            f"insert into raw._ingest_ledger ({LEDGER_COLUMNS}) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::timestamp, ?)",
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
                received,
                fetched,
                loaded,
                rejected,
                duplicates,
                outside,
                cursor,
                str(landing_dir) if landing_dir else None,
                scope[1] if scope else None,
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return LoadResult(
        stream=spec.name,
        partition=window.first_day if window else fixed_partition,
        records_received=received,
        records_fetched=fetched,
        records_loaded=loaded,
        records_rejected=rejected,
        duplicates_dropped=duplicates,
        outside_window=outside,
        cursor=cursor,
    )


def last_cursor(con: duckdb.DuckDBPyConnection, spec: StreamSpec) -> str | None:
    """The newest committed cursor of a stream: only data that is committed moves it."""
    row = con.execute(
        "select cursor from raw._ingest_ledger where source = ? and stream = ? and cursor is not null "
        "order by committed_at desc limit 1",
        [spec.source, spec.stream],
    ).fetchone()
    return row[0] if row else None


def ledger_summary(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    """Per stream of a run (and survey tool of an export): what was received, read, loaded, rejected,
    dropped as duplicate, outside."""
    rows = con.execute(
        "select source || '.' || stream || coalesce('[' || scope || ']', ''), sum(records_received), "
        "sum(records_fetched), sum(records_loaded), "
        "sum(records_rejected), sum(duplicates_dropped), sum(outside_window) "
        "from raw._ingest_ledger where run_id = ? group by 1 order by 1",
        [run_id],
    ).fetchall()
    keys = ("stream", "received", "fetched", "loaded", "rejected", "duplicates_dropped", "outside_window")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def accounting_gaps(con: duckdb.DuckDBPyConnection, run_id: str, source: str, stream: str) -> list[dict]:
    """The loads of a run for one stream that cannot account for every record, one dict each.

    Three identities per load: the connector's count equals what DuckDB read from the landed
    files; what was read is loaded + rejected + duplicates + outside the window; and raw holds as
    many rows of the load's batch as it says it loaded (not for upsert and snapshot streams, where
    a later load of the same run may rightly replace an earlier one's rows).
    """
    table = f"raw.{source}__{stream}"
    replaced = any(
        (s.source, s.stream) == (source, stream) and s.mode in ("upsert", "snapshot") for s in ALL_HTTP_STREAMS
    )
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?",
        [f"{source}__{stream}"],
    ).fetchone()[0]
    if not exists:  # a stream whose loads never created its table: its ledger rows must say loaded 0
        table = "(select null::varchar as _batch_id where false)"
    rows = con.execute(
        f"""
        with ledger as (
            select * from raw._ingest_ledger where run_id = ? and source = ? and stream = ?
        ),
        stored as (
            select _batch_id, count(*) as n from {table}
            where _batch_id in (select batch_id from ledger) group by 1
        )
        select l.first_partition, l.batch_id, l.scope, l.landing_dir, l.records_received, l.records_fetched,
               l.records_loaded, l.records_rejected, l.duplicates_dropped, l.outside_window,
               coalesce(s.n, 0) as rows_in_raw
        from ledger l left join stored s on s._batch_id = l.batch_id
        where l.records_received is distinct from l.records_fetched
           or l.records_fetched <> l.records_loaded + l.records_rejected + l.duplicates_dropped + l.outside_window
           or (not {replaced} and l.records_loaded <> coalesce(s.n, 0))
        order by 1, 2
        """,
        [run_id, source, stream],
    )
    keys = [d[0] for d in rows.description]
    return [
        {k: (v.isoformat() if isinstance(v, date) else v) for k, v in zip(keys, r, strict=True)}
        for r in rows.fetchall()
    ]
