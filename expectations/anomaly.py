"""Volume anomalies: a day's ticket and complaint counts against the trailing 28 days.

It warns and never blocks: a surge can be real (the consumer-rights-day complaint season), and a
person should look at it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

TRAILING_DAYS = 28
MIN_HISTORY_DAYS = 14
Z_LIMIT = 3.0
MIN_RELATIVE_CHANGE = 0.25  # ignore statistically odd but practically small moves


@dataclass(frozen=True)
class Anomaly:
    day: date
    measure: str
    value: int
    trailing_mean: float
    trailing_stdev: float
    z_score: float


def find_anomalies(daily: dict[date, dict[str, int]], days: list[date], measures: tuple[str, ...]) -> list[Anomaly]:
    """`daily` maps day -> {measure: count}; each of `days` is compared with its trailing 28 days."""
    found = []
    for day in days:
        if day not in daily:
            continue
        history = [daily[d] for d in (day - timedelta(days=k) for k in range(1, TRAILING_DAYS + 1)) if d in daily]
        if len(history) < MIN_HISTORY_DAYS:
            continue
        for measure in measures:
            values = [h[measure] for h in history]
            mean, stdev = statistics.fmean(values), statistics.pstdev(values)
            value = daily[day][measure]
            if stdev == 0 or mean == 0:
                continue
            z = (value - mean) / stdev
            if abs(z) > Z_LIMIT and abs(value - mean) / mean >= MIN_RELATIVE_CHANGE:
                found.append(Anomaly(day, measure, value, round(mean, 1), round(stdev, 1), round(z, 1)))
    return found


def daily_volumes(con: duckdb.DuckDBPyConnection, first: date, last: date) -> dict[date, dict[str, int]]:
    """Tickets created and complaints per day in [first, last], from the marts of `con`.

    Only days from the first day whose tickets were loaded from their creation on (timed by their
    own events): a day before it holds only what reached it from later loads (a long-running
    ticket's later version, a monthly survey export reaching back) and is no ticket volume to
    compare with. A day with no ticket after it is a real zero. Reads the marts only, so it works
    on the published snapshot too."""
    rows = con.execute(
        "select kpi_date, sum(tickets_created), sum(complaint_tickets) "
        "from marts.fct_kpi_daily where kpi_date between ? and ? and kpi_date >= ("
        "  select min(created_date) from marts.fct_tickets where timing_source = 'events') group by 1",
        [first, last],
    ).fetchall()
    return {
        day: {"tickets_created": int(created), "complaint_tickets": int(complaints)}
        for day, created, complaints in rows
    }
