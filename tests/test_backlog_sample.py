"""The backlog over four weeks of the sample: its slices add up to the day's total, and that total
equals an independent count, in Python, of the tickets open at each local day's end, read from the
staging views (status events and ticket versions), not from the models under test."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pytest

OPEN = {"new", "open", "pending", "hold"}
EXCLUDING_TAGS = ('"spam"', '"test"', '"closed_by_merge"')  # dbt_project.yml: spam_tags, test_tags, merged_tags
FIRST, LAST = date(2026, 2, 16), date(2026, 3, 15)  # the four_week_warehouse's loaded days


def _open_at_day_ends(con: duckdb.DuckDBPyConnection, timezone: str) -> tuple[Counter, Counter]:
    """(day -> open tickets, (day, team) -> open tickets) at each local day end of FIRST..LAST.

    A ticket's status at a moment is the value of its last status event before it; before its first
    one, that event's previous value (its own value when it has none, as a Create); with no status
    event at all, its current status. Events before the ticket's creation do not count."""
    tz = ZoneInfo(timezone)
    tickets = con.execute(
        "select t.ticket_id, t.created_at, t.status, t.tags_json, f.team from staging.stg_zendesk__tickets as t "
        "inner join marts.fct_tickets as f on f.ticket_id = t.ticket_id"
    ).fetchall()
    events: dict[int, list[tuple[datetime, int, str | None, str | None]]] = defaultdict(list)
    for ticket_id, at, event_id, previous, new in con.execute(
        "select ticket_id, created_at, event_id, previous_value, new_value from staging.stg_zendesk__ticket_events "
        "where field_name = 'status'"
    ).fetchall():
        events[ticket_id].append((at, event_id, previous, new))
    by_day, by_team = Counter(), Counter()
    for ticket_id, created, current, tags, team in tickets:
        if current == "deleted" or any(tag in (tags or "") for tag in EXCLUDING_TAGS):
            continue
        changes = sorted(e for e in events.get(ticket_id, []) if e[0] >= created)
        times = [e[0] for e in changes]
        day = FIRST
        while day <= LAST:
            end = datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(days=1)
            end_utc = end.astimezone(UTC).replace(tzinfo=None)  # the warehouse's timestamps are naive UTC
            if created < end_utc:
                before = bisect_left(times, end_utc)  # status events strictly before the day's end
                if before:
                    held = changes[before - 1][3]
                elif changes:
                    held = changes[0][2] or changes[0][3]
                else:
                    held = current
                if held in OPEN:
                    by_day[day] += 1
                    by_team[(day, team)] += 1
            day += timedelta(days=1)
    return by_day, by_team


@pytest.fixture(scope="module")
def backlog(four_week_warehouse):
    path, settings = four_week_warehouse
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        mart_days = dict(con.execute(
            "select backlog_date, sum(open_tickets) from marts.fct_backlog_daily group by 1").fetchall())  # fmt: skip
        team_rows = con.execute(
            "select backlog_date, team, sum(open_tickets) from marts.fct_backlog_daily group by backlog_date, team"
        ).fetchall()
        mart_teams = {(d, t): n for d, t, n in team_rows}
        scorecard = dict(con.execute(
            "select period_start, actual_value from marts.rpt_kpi_scorecard "
            "where period_type = 'day' and kpi_code = 'backlog'").fetchall())  # fmt: skip
        expected_days, expected_teams = _open_at_day_ends(con, settings.reporting_timezone)
    return mart_days, mart_teams, scorecard, expected_days, expected_teams


def test_each_days_backlog_equals_an_independent_count(backlog):
    mart_days, _, _, expected_days, _ = backlog
    assert set(mart_days) == set(expected_days) == {FIRST + timedelta(days=k) for k in range(28)}
    assert min(expected_days.values()) > 0
    assert mart_days == expected_days


def test_team_slices_sum_to_the_team_and_day_totals(backlog):
    mart_days, mart_teams, scorecard, _, expected_teams = backlog
    assert mart_teams == expected_teams
    for day, total in mart_days.items():
        assert sum(n for (d, _), n in mart_teams.items() if d == day) == total
        assert scorecard[day] == total  # the scorecard's day backlog is the mart's day total
