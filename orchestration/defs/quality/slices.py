"""The slice of the warehouse a run built, as DataFrames for Great Expectations."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd

from expectations import anomaly
from ingestion.sample.window import day_bounds
from ingestion.settings import Settings


def read(settings: Settings, sql: str, params: list | None = None) -> pd.DataFrame:
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True, config=settings.duckdb_config)) as con:
        return con.execute(sql, params or []).df()


def text_columns(settings: Settings, table: str) -> list[str]:
    schema, name = table.split(".")
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True, config=settings.duckdb_config)) as con:
        rows = con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "and data_type = 'VARCHAR' order by ordinal_position",
            [schema, name],
        ).fetchall()
    return [r[0] for r in rows]


def table_slice(settings: Settings, table: str, day_column: str | None, days: tuple[date, date] | None):
    if day_column is None or days is None:
        return read(settings, f"select * from {table}")
    return read(settings, f"select * from {table} where {day_column} between ? and ?", list(days))


def newest_ticket_update(settings: Settings) -> pd.DataFrame:
    return read(settings, "select max(updated_at) as updated_at from staging.stg_zendesk__tickets")


def freshness_floor(settings: Settings, days: tuple[date, date] | None) -> str:
    """The partition's end minus 36 h, UTC, as the oldest acceptable newest-ticket time."""
    last = days[1] if days else datetime.now(settings.tz).date() - timedelta(days=1)
    _, end = day_bounds(settings.reporting_timezone, last)
    return (datetime.fromtimestamp(end, UTC) - timedelta(hours=36)).strftime("%Y-%m-%d %H:%M:%S")


def reject_shares(settings: Settings, run_id: str, days: tuple[date, date] | None) -> pd.DataFrame:
    """Share of rejected records per stream loaded by this run, plus cross-record breaks in the days."""
    ledger = read(
        settings,
        "select source || '.' || stream as stream, sum(records_rejected) as rejected, "
        "sum(records_loaded) + sum(records_rejected) as received "
        "from raw._ingest_ledger where run_id = ? group by 1",
        [run_id],
    )
    if days is not None:
        cross = read(
            settings,
            "select 'zendesk.ticket_events (event before its ticket)' as stream, "
            "(select count(*) from intermediate.int_zendesk__ticket_events_rejected r "
            "  where cast(r.event_created_at as date) between ? and ?) as rejected, "
            "(select count(*) from raw.zendesk__ticket_events where _partition_date between ? and ?) as received",
            [*days, *days],
        )
        ledger = pd.concat([ledger, cross], ignore_index=True)
    ledger["reject_share"] = (ledger["rejected"] / ledger["received"].where(ledger["received"] > 0)).fillna(0.0)
    return ledger


# KPI -> (quarantined part, the part that counts the KPI's measured tickets) in fct_kpi_daily
QUARANTINE_PARTS = {
    "aht_seconds": ("quarantined_handle_tickets", "handled_tickets"),
    "frt_seconds": ("quarantined_first_response_tickets", "tickets_with_first_reply"),
}


def rebuilt_days(settings: Settings, days: tuple[date, date] | None) -> tuple[date, date] | None:
    """The local days a run rebuilt in the marts: its partitions widened by the look-back."""
    if days is None:
        return None
    return days[0] - timedelta(days=settings.lookback_days), days[1]


def quarantine_shares(settings: Settings, days: tuple[date, date] | None) -> pd.DataFrame:
    """Per KPI, the tickets quarantined for an impossible value and the share of the tickets the
    KPI measured (counted plus quarantined), over `days` of fct_kpi_daily (all days without)."""
    where, params = ("where kpi_date between ? and ?", list(days)) if days else ("", [])
    selects = [
        f"select '{kpi}' as kpi, coalesce(sum({q}), 0) as quarantined, coalesce(sum({q}) + sum({n}), 0) as received "
        f"from marts.fct_kpi_daily {where}"
        for kpi, (q, n) in QUARANTINE_PARTS.items()
    ]
    shares = read(settings, " union all ".join(selects), params * len(selects))
    received = shares["received"].where(shares["received"] > 0)
    shares["quarantine_share"] = (shares["quarantined"] / received).fillna(0.0)
    return shares


def daily_volumes(settings: Settings, first: date, last: date) -> dict[date, dict[str, int]]:
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True, config=settings.duckdb_config)) as con:
        return anomaly.daily_volumes(con, first, last)
