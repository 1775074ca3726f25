"""Years of raw history from one measured day, in seconds instead of hours.

The sample's Python generator draws about 5k tickets a second, so serving 365 days of 27k tickets
through the loopback API would take longer than the whole benchmark may. The history a size needs
is instead made from the raw rows of the one day that went through the real connectors and loader:
each earlier day gets a copy of them, with every timestamp moved back by whole days and every id
moved into a range of its own. Row counts, payloads and shapes are those of real days; the KPI
values repeat, which does not matter for timing.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb

# A copy k days back: ids move by k times these strides (the sample numbers audits and events
# from their ticket's id: audit = ticket * 100 + n, event = audit * 10 + n), times by k days.
TICKET_STRIDE = 10**12
SHIFTED: dict[str, dict[str, str]] = {
    "raw.zendesk__tickets": {
        "id": f"id + k * {TICKET_STRIDE}",
        "created_at": "created_at - to_days(k)",
        "updated_at": "updated_at - to_days(k)",
        "generated_at": "generated_at - to_days(k)",
    },
    "raw.zendesk__ticket_events": {
        "id": f"id + k * {TICKET_STRIDE * 1000}",
        "audit_id": f"audit_id + k * {TICKET_STRIDE * 100}",
        "ticket_id": f"ticket_id + k * {TICKET_STRIDE}",
        "created_at": "created_at - to_days(k)",
    },
    "raw.surveys__api_responses": {
        "id": "id || '~' || k",
        "submitted_at": "submitted_at - to_days(k)",
        "updated_at": "updated_at - to_days(k)",
        "ticket_id": f"ticket_id + k * {TICKET_STRIDE}",
    },
    "raw.surveys__csv_responses": {
        "id": "id || '~' || k",
        "response_key": "response_key || '~' || k",
        "submitted_at": "submitted_at - to_days(k)",
        "ticket_id": f"ticket_id + k * {TICKET_STRIDE}",
    },
}


def repeat_day(warehouse: Path, day: date, days: int, progress: Callable[[str], None]) -> dict[str, int]:
    """Give each of the `days - 1` days before `day` a shifted copy of `day`'s raw rows; row counts."""
    counts = {}
    with closing(duckdb.connect(str(warehouse))) as con:
        for table, shifted in SHIFTED.items():
            columns = [r[0] for r in con.execute(f"select * from {table} limit 0").description]
            select = ", ".join(
                "_partition_date - k" if c == "_partition_date" else f"{shifted[c]} as {c}" if c in shifted else c
                for c in columns
            )
            con.execute(
                f"insert into {table} select {select} from {table} "
                f"cross join (select cast(range as integer) as k from range(1, {days})) as copies "
                f"where _partition_date = '{day}'"
            )
            counts[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
            progress(f"  {table}: {counts[table]:,} rows over {days} days")
        con.execute("checkpoint")
    return counts
