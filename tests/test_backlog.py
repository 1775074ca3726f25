"""The backlog (fct_backlog_daily) and its KPIs, worked out by hand on a small account.

A hand-built account in the Zendesk API shapes (tests/golden_fixture.py's builders), in
Asia/Shanghai, M = Monday 2026-03-02. Every ticket is group Front Line, priority normal; created
at 10:00 local unless said otherwise; every creation audit sets status new.

| B1 | email L1 | open at +60 s, solved Thu M+3 15:00                                        |
| B2 | chat L2  | pending at +600 s, solved M+40 (Sat 2026-04-11) 14:00: pending for 40 days  |
| B3 | email L1 | created Tue M+1; solved M+1 12:00, reopened (open) M+2 09:00, solved M+3 11:00 |
| B4 | chat L1  | spam (tag), left new: excluded, never counted                              |
| B5 | email L1 | created Wed M+2 at 23:59, left new, solved M+4 10:00                       |
| B6 | email L1 | created M+40 09:00, left new; tagged spam at M+41 11:00 (a private note)   |
| B7 | email L1 | created M+40 08:00, solved 08:30; CSAT S7 (5) on Sun M+41 08:00; spam at M+42 10:00 |

A day's backlog is counted at its local end (the next local midnight); age is that end minus
creation. Resolution times (response_level_targets.csv): L1 24 h, L2 48 h.

Run 1 is a backfill of M .. M+20 as of M+21 00:00; run 2 is the daily run of M+40 as of M+41 00:00
(window M+26 .. M+40): it loads B2's solve, 40 days after B2's creation day, which only the rebuild
of the days since a touched ticket's creation gets right. Run 3, the daily run of M+41, loads B6's
spam tag: M+40, whose only open ticket B6 was, must end up with no row. Run 4, the daily run of
M+42, loads B7's spam tag: Sunday M+41, whose only agent activity was S7 (no ticket was created that
day), must end up with no fct_agent_daily row either. Then a full refresh must agree.
"""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date, datetime, timedelta

import duckdb
import pytest

from orchestration.defs.dbt.window import dbt_window_vars
from tests.dbt_build import dbt_build
from tests.golden_fixture import AGENT, DAY, HOUR, Ticket, create, status
from tests.hand_account import HandAccount
from tests.sample_warehouse import mart_fingerprints

M = date(2026, 3, 2)  # a Monday
REGULAR = 5002  # a requester the CRM knows (golden_fixture.reference_pages)
LOOKBACK_DAYS = 14
BACKLOG_MARTS = ("intermediate.int_zendesk__ticket_status_spans", "marts.fct_backlog_daily")


def _tickets(account: HandAccount, as_of: int) -> list[Ticket]:
    """B1..B5 with the audits made before `as_of`."""

    def day(k: int, hour: int = 10, minute: int = 0) -> int:
        return account.local(M + timedelta(days=k), hour, minute)

    b1 = create(Ticket(81, "email", REGULAR, created=day(0)))
    b2 = create(Ticket(82, "chat", REGULAR, created=day(0), level="l2"))
    b3 = create(Ticket(83, "email", REGULAR, created=day(1)))
    b4 = create(Ticket(84, "chat", REGULAR, created=day(0), tags=["spam"]))
    b5 = create(Ticket(85, "email", REGULAR, created=day(2, 23, 59)))
    spam_at = day(41, 11)
    b6 = create(Ticket(86, "email", REGULAR, created=day(40, 9), tags=["spam"] if spam_at < as_of else []))
    note = {"event_type": "Comment", "author_id": AGENT, "public": False, "body": "spam", "via": {"channel": "web"}}
    if spam_at < as_of:
        b6.at(spam_at - b6.created, AGENT, note)
    b7_spam_at = day(42, 10)
    b7 = create(Ticket(87, "email", REGULAR, created=day(40, 8), tags=["spam"] if b7_spam_at < as_of else []))
    stories = (
        (b1, ((60, status("open", "new")), (3 * DAY + 5 * HOUR, status("solved", "open")))),
        (b2, ((600, status("pending", "new")), (40 * DAY + 4 * HOUR, status("solved", "pending")))),
        (b3, ((2 * HOUR, status("solved", "new")), (23 * HOUR, status("open", "solved")),
              (49 * HOUR, status("solved", "open")))),
        (b5, ((day(4) - day(2, 23, 59), status("solved", "new")),)),
        (b7, ((30 * 60, status("solved", "new")),)),
    )  # fmt: skip
    for ticket, audits in stories:
        for offset, change in audits:
            if ticket.created + offset < as_of:
                ticket.at(offset, AGENT, change)
    # after its solve: an audit's id is its place in the ticket's audits, in the order they happened
    if b7_spam_at < as_of:
        b7.at(b7_spam_at - b7.created, AGENT, note)
    return [b1, b2, b3, b4, b5, b6, b7]


def _surveys(account: HandAccount, as_of: int) -> list[dict]:
    """S7 about B7 as Delighted lists it, once submitted (Sunday M+41, a day no ticket was created)."""
    submitted = account.local(M + timedelta(days=41), 8)
    if submitted >= as_of:
        return []
    return [{"id": "S7", "survey_type": "csat", "score": 5, "comment": "", "created_at": submitted,
             "updated_at": submitted, "person_properties": {"Ticket ID": "1087"},
             "additional_answers": []}]  # fmt: skip


def _run(account: HandAccount, run: str, first: date, last: date) -> None:
    """One run's loads of the local days [first, last], as of the next day's midnight, then its dbt
    build with the --vars Dagster passes (as tests/test_late_activity.py)."""
    as_of = account.local(last + timedelta(days=1))
    with account.connect() as con:
        account.load_run(con, run, first, last, _tickets(account, as_of), _surveys(account, as_of))
    start, end = datetime(first.year, first.month, first.day), datetime(last.year, last.month, last.day)
    window = dbt_window_vars(start, end + timedelta(days=1), LOOKBACK_DAYS)
    dbt_build(account.warehouse, account.pages.parent, "--vars", json.dumps(window))


def _backlog(account: HandAccount) -> dict[date, dict[tuple, tuple[int, int]]]:
    """day -> {(status, team, channel, priority, response_level, age_bucket): (open, beyond SLA)}"""
    out: dict[date, dict[tuple, tuple[int, int]]] = {}
    with closing(duckdb.connect(str(account.warehouse), read_only=True)) as con:
        rows = con.execute(
            "select backlog_date, status, team, channel, priority, response_level, age_bucket, open_tickets, "
            "open_beyond_sla_tickets from marts.fct_backlog_daily"
        ).fetchall()
    for day, *key, open_tickets, beyond in rows:
        out.setdefault(day, {})[tuple(key)] = (open_tickets, beyond)
    return out


def _csat_by_day(account: HandAccount, table: str, day_column: str) -> dict[date, tuple[int, int]]:
    """day -> (rows, CSAT responses) of fct_agent_daily or fct_kpi_daily, from M+40 on"""
    with closing(duckdb.connect(str(account.warehouse), read_only=True)) as con:
        rows = con.execute(
            f"select {day_column}, count(*), sum(csat_responses) from {table} "
            f"where {day_column} >= ? group by {day_column}",
            [M + timedelta(days=40)],
        ).fetchall()
    return {day: (n, csat) for day, n, csat in rows}


def _scorecard(account: HandAccount) -> dict[tuple, tuple]:
    with closing(duckdb.connect(str(account.warehouse), read_only=True)) as con:
        rows = con.execute(
            "select period_type, period_start, kpi_code, numerator, denominator, actual_value, target_value, "
            "is_target_met from marts.rpt_kpi_scorecard where kpi_code in ('backlog', 'backlog_beyond_sla', 'net_flow')"
        ).fetchall()
    return {(p, s, k): tuple(rest) for p, s, k, *rest in rows}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    account = HandAccount(tmp_path_factory.mktemp("backlog"))
    with account.connect() as con:
        account.load_reference(con)
    _run(account, "run-1", M, M + timedelta(days=20))
    after_backfill = _backlog(account)
    _run(account, "run-2", M + timedelta(days=40), M + timedelta(days=40))
    after_day_40 = _backlog(account)
    _run(account, "run-3", M + timedelta(days=41), M + timedelta(days=41))
    after_daily, scorecard = _backlog(account), _scorecard(account)
    agent_days = {"run 3": _csat_by_day(account, "marts.fct_agent_daily", "kpi_date")}
    _run(account, "run-4", M + timedelta(days=42), M + timedelta(days=42))
    agent_days["run 4"] = _csat_by_day(account, "marts.fct_agent_daily", "kpi_date")
    agent_days["run 4, fct_kpi_daily"] = _csat_by_day(account, "marts.fct_kpi_daily", "kpi_date")
    incremental = (mart_fingerprints(account.warehouse, BACKLOG_MARTS), _scorecard(account))
    dbt_build(account.warehouse, account.pages.parent, "--full-refresh")
    full = (mart_fingerprints(account.warehouse, BACKLOG_MARTS), _scorecard(account))
    return after_backfill, after_daily, scorecard, incremental, full, after_day_40, agent_days


def _key(status_: str, channel: str, level: str, bucket: str) -> tuple:
    return (status_, "Front Line", channel, "normal", level, bucket)


def test_the_first_week_worked_by_hand(runs):
    _, backlog, *_ = runs
    day = [M + timedelta(days=k) for k in range(7)]
    # Mon: B1 open, age at Tue 00:00 = 14 h; B2 pending, 14 h. Neither past its resolution time.
    # B4 (spam) is left new but never counts.
    assert backlog[day[0]] == {_key("open", "email", "l1", "0-1d"): (1, 0),
                               _key("pending", "chat", "l2", "0-1d"): (1, 0)}  # fmt: skip
    # Tue: B1 38 h (> 24 h: beyond), B2 38 h (< 48 h: not). B3 was solved at 12:00, not open.
    assert backlog[day[1]] == {_key("open", "email", "l1", "1-3d"): (1, 1),
                               _key("pending", "chat", "l2", "1-3d"): (1, 0)}  # fmt: skip
    # Wed: B1 62 h beyond; B2 62 h (> 48 h) beyond; B3 reopened at 09:00, 38 h old, beyond;
    # B5 created at 23:59, 60 s old at midnight, new.
    assert backlog[day[2]] == {_key("open", "email", "l1", "1-3d"): (2, 2),
                               _key("pending", "chat", "l2", "1-3d"): (1, 1),
                               _key("new", "email", "l1", "0-1d"): (1, 0)}  # fmt: skip
    # Thu: B1 solved 15:00 and B3 solved 11:00: gone. B2 86 h: 3-7d. B5 is 24 h + 60 s: 1-3d and
    # 60 s past its 24 h.
    assert backlog[day[3]] == {_key("pending", "chat", "l2", "3-7d"): (1, 1),
                               _key("new", "email", "l1", "1-3d"): (1, 1)}  # fmt: skip
    # Fri: B5 solved at 10:00; B2 alone (110 h)
    assert backlog[day[4]] == {_key("pending", "chat", "l2", "3-7d"): (1, 1)}


def test_pending_for_40_days_moves_through_the_buckets(runs):
    _, backlog, *_ = runs
    # B2's age at the end of M+k is k days + 14 h: 7-30d through M+29 (29 d 14 h), > 30 d from M+30
    # (30 d 14 h) to M+39; solved on M+40 at 14:00, so no backlog on M+40.
    pending = {k: backlog.get(M + timedelta(days=k)) for k in (6, 7, 29, 30, 39, 40)}
    assert pending == {
        6: {_key("pending", "chat", "l2", "3-7d"): (1, 1)},
        7: {_key("pending", "chat", "l2", "7-30d"): (1, 1)},
        29: {_key("pending", "chat", "l2", "7-30d"): (1, 1)},
        30: {_key("pending", "chat", "l2", ">30d"): (1, 1)},
        39: {_key("pending", "chat", "l2", ">30d"): (1, 1)},
        40: None,
    }
    # every day from M to M+39 has exactly one open ticket from Thursday on
    assert [sum(v[0] for v in backlog[M + timedelta(days=k)].values()) for k in range(40)] == [2, 2, 4, 2] + [1] * 36


def test_a_day_whose_only_open_ticket_turns_out_spam_is_emptied(runs):
    _, after_daily, _, _, _, after_day_40, _ = runs
    # after run 2, M+40's only open ticket is B6 (B2 was solved at 14:00): new, 15 h old
    assert after_day_40[M + timedelta(days=40)] == {_key("new", "email", "l1", "0-1d"): (1, 0)}
    # run 3 loads B6's spam tag: B6 never counts, so M+40 and M+41 have no open ticket, no row
    assert M + timedelta(days=40) not in after_daily and M + timedelta(days=41) not in after_daily


def test_the_backfill_counts_up_to_its_last_loaded_day(runs):
    after_backfill, *_ = runs
    # loaded through M+20: B2 still pending there (20 d 14 h), no day after it yet
    assert max(after_backfill) == M + timedelta(days=20)
    assert after_backfill[M + timedelta(days=20)] == {_key("pending", "chat", "l2", "7-30d"): (1, 1)}


def test_backlog_kpis_in_the_scorecard(runs):
    _, _, scorecard, *_ = runs
    week, march = M, date(2026, 3, 1)
    # (numerator, denominator, actual, target, met); no target: tracked
    # Week of M: read on Sunday M+6: B2 alone, beyond its 48 h. Net flow: created B1, B2, B3, B5 (B4
    # is spam) = 4; first solved in the week B3 (Tue), B1 (Thu), B5 (Fri) = 3; 4 - 3 = 1.
    assert scorecard[("week", week, "backlog")] == (1, 1, 1.0, None, None)
    assert scorecard[("week", week, "backlog_beyond_sla")] == (1, 1, 1.0, None, None)
    assert scorecard[("week", week, "net_flow")] == (4, 3, 1.0, None, None)
    # Wednesday M+2: B1, B2, B3 beyond, B5 not: 4 open, 3 beyond. Created B5, solved none.
    assert scorecard[("day", M + timedelta(days=2), "backlog")] == (4, 4, 4.0, None, None)
    assert scorecard[("day", M + timedelta(days=2), "backlog_beyond_sla")] == (3, 4, 0.75, None, None)
    assert scorecard[("day", M + timedelta(days=2), "net_flow")] == (1, 0, 1.0, None, None)
    # Tuesday M+1: created B3, which was solved the same day: 1 - 1 = 0
    assert scorecard[("day", M + timedelta(days=1), "net_flow")] == (1, 1, 0.0, None, None)
    # March: read on the 31st (M+29), B2 alone; created 4, solved in March 3 (B2 in April)
    assert scorecard[("month", march, "backlog")] == (1, 1, 1.0, None, None)
    assert scorecard[("month", march, "net_flow")] == (4, 3, 1.0, None, None)


def test_a_full_refresh_equals_the_incremental_result(runs):
    _, _, _, incremental, full, *_ = runs
    # the spans, the backlog mart and the backlog KPIs' scorecard rows (the other KPIs have tests of
    # their own in tests/test_late_activity.py)
    assert incremental[0]["marts.fct_backlog_daily"][0] > 0
    assert full == incremental


def test_a_day_whose_only_agent_activity_turns_out_spam_is_emptied(runs):
    *_, agent_days = runs
    sunday = M + timedelta(days=41)
    # after run 3: S7 (CSAT 5) about B7 counts for B7's agent on Sunday M+41, its one row there
    assert agent_days["run 3"][sunday] == (1, 1)
    # run 4 loads B7's spam tag: S7 counts nowhere, so Sunday has no agent row left (fct_kpi_daily
    # keeps a row for the day, with the response counted as excluded: 0 CSAT responses)
    assert sunday not in agent_days["run 4"]
    assert agent_days["run 4, fct_kpi_daily"][sunday][1] == 0
    # and every day's agents sum to the day's CSAT responses in fct_kpi_daily (M+40: S7 is not there)
    kpi_days = agent_days["run 4, fct_kpi_daily"]
    assert {day: agent_days["run 4"].get(day, (0, 0))[1] for day in kpi_days} == {d: v[1] for d, v in kpi_days.items()}
