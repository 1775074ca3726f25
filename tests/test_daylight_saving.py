"""Local days and durations across a daylight-saving change, in America/New_York.

On Sunday 2026-03-08 New York's clocks go from 02:00 EST (UTC-5) to 03:00 EDT (UTC-4): that
local day has 23 hours. A hand-built account (tests/golden_fixture.py's builders, in the Zendesk
API shapes), every ticket assigned 5 s after creation:

| ticket | channel | created (local)        | UTC              | local day | first reply        | solved |
| T71    | email   | 03-07 23:30 EST        | 03-08 04:30      | 03-07     | +20 s              | +300 s |
| T72    | email   | 03-08 01:30 EST        | 03-08 06:30      | 03-08     | 03:30 EDT = +3600 s | 03:40 EDT = +4200 s |
| T73    | email   | 03-08 23:30 EDT        | 03-09 03:30      | 03-08     | +20 s              | +300 s |
| T74    | email   | 03-09 00:30 EDT        | 03-09 04:30      | 03-09     | +20 s              | +300 s |

T72's reply comes two wall-clock hours after its creation but one real hour: FRT 3600 s, and its
handle time (assignment to solve) is 4200 - 5 = 4195 s.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import duckdb
import pytest

from orchestration.defs.dbt.window import dbt_window_vars
from tests.dbt_build import dbt_build
from tests.golden_fixture import AGENT, Ticket, assign, create, reply, status
from tests.hand_account import HandAccount

NEW_YORK = "America/New_York"
SAT, SUN, MON = date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)
REGULAR = 5002


def _ticket(account: HandAccount, number: int, day: date, hour: int, minute: int, replied: int, solved: int):
    t = create(Ticket(number, "email", REGULAR, created=account.local(day, hour, minute)))
    return t.at(*assign(5)).at(replied, AGENT, reply()).at(solved, AGENT, status("solved", "open"))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    account = HandAccount(tmp_path_factory.mktemp("dst"), timezone=NEW_YORK)
    tickets = [
        _ticket(account, 71, SAT, 23, 30, 20, 300),
        _ticket(account, 72, SUN, 1, 30, 3600, 4200),
        _ticket(account, 73, SUN, 23, 30, 20, 300),
        _ticket(account, 74, MON, 0, 30, 20, 300),
    ]
    with account.connect() as con:
        account.load_reference(con)
        account.load_run(con, "run", SAT, MON, tickets)
    window = dbt_window_vars(datetime(2026, 3, 7), datetime(2026, 3, 10), 14)
    dbt_build(account.warehouse, account.pages.parent, "--vars", json.dumps(window), timezone=NEW_YORK)
    return account.warehouse


def test_tickets_land_on_their_new_york_local_day(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        days = dict(con.execute("select created_date, count(*) from marts.fct_tickets group by 1").fetchall())
        daily = dict(
            con.execute(
                "select kpi_date, sum(tickets_created) from marts.fct_kpi_daily where tickets_created > 0 group by 1"
            ).fetchall()
        )
    # T71 on Saturday (its UTC date is Sunday), T72 and T73 on Sunday (T73's UTC date is Monday), T74 on Monday
    assert days == {SAT: 1, SUN: 2, MON: 1}
    assert daily == {SAT: 1, SUN: 2, MON: 1}


def test_durations_across_the_change_are_real_seconds(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frt, handle = con.execute(
            "select first_response_seconds, handle_seconds from marts.fct_tickets where ticket_id = 1072"
        ).fetchone()
        sunday = con.execute(
            "select sum(first_response_seconds_sum), sum(tickets_with_first_reply) from marts.fct_kpi_daily "
            "where kpi_date = ?",
            [SUN],
        ).fetchone()
    assert (frt, handle) == (3600, 4195)
    # Sunday: T72 3600 s + T73 20 s over two tickets with a first reply
    assert sunday == (3620, 2)
