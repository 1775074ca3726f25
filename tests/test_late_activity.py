"""Late activity at any age reaches the marts on the next daily run, and a full refresh agrees.

A hand-built account in the Zendesk and Delighted API shapes (tests/golden_fixture.py's helpers),
in Asia/Shanghai, day A = 2026-01-05, every ticket created at 10:00 local:

| L1 | email | assigned 60, reply 600, pending, solved at 38 d; reopened at 40 d (A+40), replied at 40 d + 1 h |
| L2 | chat  | created on A+9: assigned 5, reply 20, solved 300                                            |
| S61 | Delighted CSAT 5 about L2, submitted on A+10 at 12:00, delivered 30 days late (updated_at A+40) |

Run 1 is a backfill of A .. A+38 as of A+39 00:00 (Dagster's window starts the 14-day look-back
before A). Run 2 is the daily run of A+40 as of A+41 00:00: it loads L1's reopen and its new
version, and S61. Its window is A+26 .. A+40, so neither day A (L1's creation day) nor A+10
(S61's submission day) is in it: only rebuilding what the run's loads touched gets them right.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import duckdb
import pytest

from ingestion.sample.surveys import responses_for_ticket_day
from ingestion.sample.tickets import SampleConfig, first_solve, long_running_tickets_for_day, was_reopened
from orchestration.defs.dbt.window import dbt_window_vars
from tests.dbt_build import dbt_build
from tests.golden_fixture import AGENT, DAY, HOUR, Ticket, assign, create, reply, status
from tests.hand_account import HandAccount
from tests.sample_warehouse import mart_fingerprints

A = date(2026, 1, 5)
REGULAR = 5002  # a requester the CRM knows (golden_fixture.reference_pages)
LOOKBACK_DAYS = 14


def _tickets(account: HandAccount, as_of: int) -> list[Ticket]:
    """L1 and L2 with the audits made before `as_of`."""
    l1 = create(Ticket(61, "email", REGULAR, created=account.local(A, 10)))
    for offset, updater, *children in (
        (*assign(60),),
        (600, AGENT, reply()),
        (700, AGENT, status("pending", "open")),
        (38 * DAY, AGENT, status("solved", "pending")),
        (40 * DAY, REGULAR, status("open", "solved"), reply(author=REGULAR, via="email")),
        (40 * DAY + HOUR, AGENT, reply()),
    ):
        if l1.created + offset < as_of:
            l1.at(offset, updater, *children)
    l2 = create(Ticket(62, "chat", REGULAR, created=account.local(A + timedelta(days=9), 10)))
    for offset, updater, *children in ((*assign(5),), (20, AGENT, reply()), (300, AGENT, status("solved", "open"))):
        if l2.created + offset < as_of:
            l2.at(offset, updater, *children)
    return [l1, l2]


def _surveys(account: HandAccount, as_of: int) -> list[dict]:
    """S61 as Delighted lists it (tests/fixtures/delighted/): visible only once delivered."""
    submitted, delivered = account.local(A + timedelta(days=10), 12), account.local(A + timedelta(days=40), 12)
    if delivered >= as_of:
        return []
    return [{"id": "S61", "survey_type": "csat", "score": 5, "comment": "", "created_at": submitted,
             "updated_at": delivered, "person_properties": {"Ticket ID": "1062"},
             "additional_answers": []}]  # fmt: skip


def _run(account: HandAccount, run: str, first: date, last: date) -> None:
    """One run's loads of the local days [first, last], as of the next day's midnight, then its
    dbt build with the --vars Dagster passes (orchestration/defs/dbt/assets.py)."""
    as_of = account.local(last + timedelta(days=1))
    with account.connect() as con:
        account.load_run(con, run, first, last, _tickets(account, as_of), _surveys(account, as_of))
    start, end = datetime(first.year, first.month, first.day), datetime(last.year, last.month, last.day)
    window = dbt_window_vars(start, end + timedelta(days=1), LOOKBACK_DAYS)
    dbt_build(account.warehouse, account.pages.parent, "--vars", json.dumps(window))


def _kpis(account: HandAccount, day: date) -> dict[str, int]:
    parts = ("tickets_created", "solved_tickets", "reopened_tickets", "one_touch_resolved_tickets",
             "survey_responses", "csat_responses", "csat_positive_responses", "csat_score_sum")  # fmt: skip
    with duckdb.connect(str(account.warehouse), read_only=True) as con:
        row = con.execute(f"select {', '.join(f'coalesce(sum({p}), 0)' for p in parts)} "
                          "from marts.fct_kpi_daily where kpi_date = ?", [day]).fetchone()  # fmt: skip
    return dict(zip(parts, row, strict=True))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    account = HandAccount(tmp_path_factory.mktemp("late_activity"))
    with account.connect() as con:
        account.load_reference(con)
    _run(account, "run-1", A, A + timedelta(days=38))
    after_backfill = {"A": _kpis(account, A), "A+10": _kpis(account, A + timedelta(days=10))}
    _run(account, "run-2", A + timedelta(days=40), A + timedelta(days=40))
    after_daily = {"A": _kpis(account, A), "A+10": _kpis(account, A + timedelta(days=10))}
    incremental = mart_fingerprints(account.warehouse)
    dbt_build(account.warehouse, account.pages.parent, "--full-refresh")
    return after_backfill, after_daily, incremental, mart_fingerprints(account.warehouse)


def test_the_backfill_counts_the_solve_after_38_days(runs):
    after_backfill, _, _, _ = runs
    # L1 is solved at 38 d, before the backfill's end: created 1, solved 1, not reopened, one
    # public agent reply (600; the requester's opening comment is no reply), never escalated, an
    # email ticket (replies, not sessions, count): one touch.
    assert after_backfill["A"] == {"tickets_created": 1, "solved_tickets": 1, "reopened_tickets": 0,
                                   "one_touch_resolved_tickets": 1, "survey_responses": 0, "csat_responses": 0,
                                   "csat_positive_responses": 0, "csat_score_sum": 0}  # fmt: skip
    # S61 is not delivered yet: nothing on A+10
    assert after_backfill["A+10"]["survey_responses"] == 0


def test_a_reopen_at_day_40_reaches_the_creation_day_after_one_daily_run(runs):
    _, after_daily, _, _ = runs
    # L1 reopened at 40 d (solved -> open): still solved once (its first solve stands), now
    # reopened, and no longer one touch (reopened; it also has a second agent reply).
    assert after_daily["A"] == {"tickets_created": 1, "solved_tickets": 1, "reopened_tickets": 1,
                                "one_touch_resolved_tickets": 0, "survey_responses": 0, "csat_responses": 0,
                                "csat_positive_responses": 0, "csat_score_sum": 0}  # fmt: skip


def test_a_survey_delivered_30_days_late_counts_on_its_submission_day(runs):
    _, after_daily, _, _ = runs
    # S61: CSAT 5 on the five-point scale, submitted on A+10: one response, positive (4-5), score 5
    assert after_daily["A+10"] == {"tickets_created": 0, "solved_tickets": 0, "reopened_tickets": 0,
                                   "one_touch_resolved_tickets": 0, "survey_responses": 1, "csat_responses": 1,
                                   "csat_positive_responses": 1, "csat_score_sum": 5}  # fmt: skip


def test_a_full_refresh_equals_the_incremental_result(runs):
    _, _, incremental, full = runs
    assert full == incremental


def test_the_sample_has_solves_and_reopens_after_20_to_60_days_and_surveys_30_days_late():
    """The demo source must show what a 14-day look-back misses (ingestion/sample/tickets.py,
    long-running tickets): over two months of creation days at 200 tickets a day (one long-running
    ticket a day), some are first solved 20-60 days after creation, some reopened that late, and
    some survey responses are delivered 25-35 days after their submission."""

    config = SampleConfig(tickets_per_day=200, customers=2_000)
    days = [date(2026, 1, 1) + timedelta(days=k) for k in range(60)]
    lives = [life for day in days for life in long_running_tickets_for_day(config, day)]
    solve_days = [(first_solve(life) - life.created) / DAY for life in lives if first_solve(life) is not None]
    reopens = [life for life in lives if was_reopened(life)]
    delays = [(r.delivered - r.submitted) / DAY for day in days for r in responses_for_ticket_day(config, day, True)]
    assert len(lives) == 60  # max(1, round(200 * 0.002)) = 1 a day
    assert solve_days and all(20 <= d <= 67 for d in solve_days)  # first reply (< 1 d) + 20-60 d + handling (< 6 d)
    assert reopens and all((first_solve(life) - life.created) / DAY >= 20 for life in reopens)
    assert any(25 <= d <= 35 for d in delays)
