"""The slice of the warehouse a run built, as DataFrames for Great Expectations."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd

from expectations import anomaly
from ingestion.local_days import day_bounds
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
        # a survey tool's exports are judged on their own: one tool's bad file is not diluted by another's
        "select source || '.' || stream || coalesce('[' || scope || ']', '') as stream, "
        "sum(records_rejected) as rejected, sum(duplicates_dropped + outside_window) as held_elsewhere, "
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
    ledger["held_elsewhere"] = ledger["held_elsewhere"].fillna(0)
    ledger["reject_share"] = (ledger["rejected"] / ledger["received"].where(ledger["received"] > 0)).fillna(0.0)
    return ledger


def streams_to_judge(shares: pd.DataFrame, min_records: int) -> pd.DataFrame:
    """The streams the reject-share gate judges: those with `min_records` or more, and any that
    rejected everything it read (none loaded, none a duplicate or another window's). The minimum
    exempts share noise on a small stream that loaded something, never a total loss."""
    total_loss = (shares["received"] > 0) & (shares["rejected"] >= shares["received"]) & (shares["held_elsewhere"] == 0)
    return shares[(shares["received"] >= min_records) | total_loss]


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


# Where this project's per-ticket durations and Zendesk's own calendar metrics mean the same thing.
# Zendesk reports whole minutes, so a ticket agrees when the two differ by less than a minute.
RECONCILED = (
    ("first_reply", "first_response_seconds", "reply_time_calendar_minutes"),
    ("first_resolution", "resolution_seconds", "first_resolution_calendar_minutes"),
)


def metric_reconciliation(settings: Settings, days: tuple[date, date] | None, worst: int = 5) -> list[dict]:
    """Per measure: tickets compared, the share that agree with Zendesk, and the worst examples.

    Only tickets timed from their own audits (timing_source 'events') are compared: a ticket created
    before the first loaded day takes its times from Zendesk's metrics, so comparing it would compare
    Zendesk with itself. Those are counted as `tickets_timed_by_zendesk`."""
    window = "and created_date between ? and ?" if days else ""
    out = []
    for measure, ours, theirs in RECONCILED:
        df = read(
            settings,
            f"""
            with tickets as (
                select ticket_id, timing_source, first_response_seconds,
                       cast(extract(epoch from first_solved_at) - extract(epoch from created_at) as bigint)
                           as resolution_seconds
                from marts.fct_tickets
                where true {window}
            )
            select t.ticket_id, t.timing_source, t.{ours} / 60.0 as ours_minutes, m.{theirs} as zendesk_minutes,
                   abs(t.{ours} / 60.0 - m.{theirs}) as off_minutes
            from tickets t
            inner join staging.stg_zendesk__ticket_metrics m on m.ticket_id = t.ticket_id
            where m.{theirs} is not null and (t.timing_source <> 'events' or t.{ours} is not null)
            order by off_minutes desc nulls last, t.ticket_id
            """,
            list(days) if days else [],
        )
        by_zendesk = df["timing_source"] != "events"
        compared = df[~by_zendesk].drop(columns="timing_source")
        agree = int((compared["off_minutes"] < 1).sum())
        out.append(
            {
                "measure": measure,
                "tickets_compared": len(compared),
                "agreement_share": round(agree / len(compared), 4) if len(compared) else None,
                "tickets_timed_by_zendesk": int(by_zendesk.sum()),
                "worst": [
                    {k: (round(float(v), 1) if k != "ticket_id" else int(v)) for k, v in row.items()}
                    for row in compared.head(worst).to_dict(orient="records")
                ],
            }
        )
    return out
