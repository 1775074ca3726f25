"""Durations in business hours, worked out by hand on a small account in the APIs' shapes.

Reporting timezone Asia/Shanghai. Two kinds of schedule:

- Team "Front Line" (group 11) has a team calendar (country CN, chinesecalendar's 2026 data):
  Mon-Fri 09:00-18:00 Shanghai time until Sunday 2026-03-15; from Monday 2026-03-16 08:00-20:00.
  China's 2026 calendar: Sat 02-14 is a makeup working day (调休) of the Spring Festival, closed
  02-15 .. 02-23; Tomb-sweeping Day closes 04-04 .. 04-06 (Sat-Mon).
- Zendesk schedule 1 "Night Shift", "Pacific Time (US & Canada)" (America/Los_Angeles, PDT = UTC-7
  from 2026-03-08): Monday 16:00-24:00 and Tuesday 00:00-08:00 (a shift over midnight, two intervals
  as the Schedules reference requires). The account's only Zendesk schedule, so its default: team
  "Technical Escalations" (group 12) has no team calendar and is timed on it.

| ticket | team       | created (schedule-local)  | first reply     | what it crosses                       |
| T81    | Front Line | Fri 03-06 17:00 CST       | Mon 03-09 10:00 | a weekend                             |
| T82    | Front Line | Thu 04-02 17:30           | Tue 04-07 09:30 | Tomb-sweeping Day (Sat-Mon 04-04..06) |
| T83    | Front Line | Fri 02-13 17:00           | Tue 02-24 10:00 | makeup Sat 02-14, Spring Festival     |
| T84    | Front Line | Fri 03-13 17:00           | Mon 03-16 09:00 | the team's change of hours on 03-16   |
| T85    | Tech. Esc. | Mon 03-16 23:00 PDT       | Tue 03-17 09:00 | midnight in Los Angeles time          |
| T86    | Front Line | as T85; a trigger set schedule 1 | as T85   | Zendesk's rule over the team calendar |

Business FRT by hand:
- T81: Fri 17-18 (3600) + Mon 09-10 (3600) = 7200.
- T82 (April: the new hours 08-20): Thu 17:30-20 (9000) + Fri 08-20 (43200) + Tue 08-09:30 (5400)
  = 57600 (Sat-Mon 04-04..06 closed).
- T83: Fri 17-18 (3600) + makeup Sat 02-14 09-18 (32400) + Tue 02-24 09-10 (3600) = 39600
  (02-15 .. 02-23 closed).
- T84: old hours Fri 17-18 (3600) + new hours Mon 08-09 (3600) = 7200 (old hours alone: 3600;
  new hours alone: 10800 + 3600).
- T85: Mon 23-24 (3600) + Tue 00-08 (28800) = 32400; 08-09 is closed.
- T86: 32400 on schedule 1; on its team calendar it would be Tue 14-20 Shanghai = 21600.

T85 is created at Tue 03-17 06:00 UTC = 14:00 Shanghai: its reporting day is 03-17, its schedule's
day Monday 03-16. Read in Shanghai time, the night shift would not overlap it at all.

Calendar FRTs: T81 65 h = 234000; T82 (Thu 17:30 -> Tue 09:30) 4 d 16 h = 403200; T83 (02-13 17:00
-> 02-24 10:00) 10 d 17 h = 925200; T84 64 h = 230400; T85 and T86 10 h = 36000.

T81 also has its statuses: new at creation, pending at the reply (Mon 10:00), solved at Mon 11:00.
Requester wait (new, open, on-hold) = creation -> reply: calendar 234000, business 7200; agent wait
(pending) = Mon 10:00 -> 11:00: calendar 3600, business 3600. Resolution (creation -> solve):
business 7200 + 3600 = 10800.
"""

from __future__ import annotations

import textwrap
from contextlib import closing
from datetime import date

import duckdb
import pytest

from ingestion import business_calendar, loader, pipeline
from ingestion.business_calendar import CalendarYearNotCovered
from ingestion.errors import ConfigError
from ingestion.settings import load_settings
from ingestion.streams import ZENDESK_SCHEDULE_HOLIDAYS, ZENDESK_SCHEDULE_INTERVALS, ZENDESK_SCHEDULES, ZENDESK_TICKETS
from tests.dbt_build import dbt_build
from tests.golden_fixture import AGENT, ESCALATIONS, Ticket, assign, create, reply, status
from tests.hand_account import HandAccount

REGULAR = 5002
HOUR, DAY = 3600, 86_400

CALENDAR = textwrap.dedent(
    """\
    teams:
      Front Line:
        time_zone: Asia/Shanghai
        country: CN
        hours:
          - from: "2020-01-01"
            mon: ["09:00-18:00"]
            tue: ["09:00-18:00"]
            wed: ["09:00-18:00"]
            thu: ["09:00-18:00"]
            fri: ["09:00-18:00"]
          - from: "2026-03-16"
            mon: ["08:00-20:00"]
            tue: ["08:00-20:00"]
            wed: ["08:00-20:00"]
            thu: ["08:00-20:00"]
            fri: ["08:00-20:00"]
    """
)

MON = 24 * 60  # minutes since Sunday midnight (the Schedules API's week)
SCHEDULES_PAGE = {
    "schedules": [
        {
            "id": 1,
            "name": "Night Shift",
            "time_zone": "Pacific Time (US & Canada)",
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
            "intervals": [
                {"start_time": MON + 16 * 60, "end_time": 2 * MON},  # Monday 16:00-24:00
                {"start_time": 2 * MON, "end_time": 2 * MON + 8 * 60},  # Tuesday 00:00-08:00
            ],
        }
    ]
}


def _ticket(account: HandAccount, number: int, created: int, replied: int, group: int = 11) -> Ticket:
    t = create(Ticket(number, "email", REGULAR, created=created, group=group))
    return t.at(*assign(5)).at(replied - created, AGENT, reply())


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("business_hours")
    account = HandAccount(work)
    shanghai, los_angeles = account.local, HandAccount(work, "America/Los_Angeles").local
    t81 = _ticket(account, 81, shanghai(date(2026, 3, 6), 17), shanghai(date(2026, 3, 9), 10))
    t81.audits[-1][2].append(status("pending", "new"))
    t81.at(shanghai(date(2026, 3, 9), 11) - t81.created, AGENT, status("solved", "pending"))
    # T83's later replies: the requester writes Tue 02-24 17:30, the agent answers Wed 09:30, then
    # writes again at 10:00 unasked
    t83 = _ticket(account, 83, shanghai(date(2026, 2, 13), 17), shanghai(date(2026, 2, 24), 10))
    requester_comment = {"event_type": "Comment", "author_id": REGULAR, "public": True, "body": "still broken",
                         "via": {"channel": "email"}}  # fmt: skip
    t83.at(shanghai(date(2026, 2, 24), 17, 30) - t83.created, REGULAR, requester_comment)
    t83.at(shanghai(date(2026, 2, 25), 9, 30) - t83.created, AGENT, reply())
    t83.at(shanghai(date(2026, 2, 25), 10) - t83.created, AGENT, reply())
    night_created, night_replied = los_angeles(date(2026, 3, 16), 23), los_angeles(date(2026, 3, 17), 9)
    t86 = _ticket(account, 86, night_created, night_replied)
    schedule_set = {"event_type": "Change", "field_name": "schedule_id", "value": "1", "previous_value": None}
    t86.at(0, AGENT, schedule_set)  # a trigger's "set schedule", in the creation's second
    # T87 (Thu 04-09, the new hours 08-20): created new at 10:00 and opened by a trigger in the same
    # second, answered at 12:00 (pending), solved at 13:00
    t87 = create(Ticket(87, "email", REGULAR, created=shanghai(date(2026, 4, 9), 10), group=11))
    t87.at(0, AGENT, status("open", "new")).at(*assign(5))
    t87.at(2 * HOUR, AGENT, reply(), status("pending", "open")).at(3 * HOUR, AGENT, status("solved", "pending"))
    tickets = [
        t81,
        _ticket(account, 82, shanghai(date(2026, 4, 2), 17, 30), shanghai(date(2026, 4, 7), 9, 30)),
        t83,
        _ticket(account, 84, shanghai(date(2026, 3, 13), 17), shanghai(date(2026, 3, 16), 9)),
        _ticket(account, 85, night_created, night_replied, group=ESCALATIONS),
        t86,
        t87,
    ]
    calendar_file = work / "business_calendar.yaml"
    calendar_file.write_text(CALENDAR, "utf-8")
    with closing(account.connect()) as con:
        account.load_reference(con)
        account.load(con, ZENDESK_SCHEDULES, "schedules", SCHEDULES_PAGE, run="reference")
        account.load(con, ZENDESK_SCHEDULE_INTERVALS, "schedules", SCHEDULES_PAGE, run="reference")
        account.load(con, ZENDESK_SCHEDULE_HOLIDAYS, "schedule-1-page-1", {"holidays": []}, run="reference")
        account.load_run(con, "run", date(2026, 2, 1), date(2026, 4, 30), tickets)
        # what pipeline.ingest_business_calendar writes, for the year the tickets live in
        rows = business_calendar.expand(business_calendar.load_calendar(calendar_file), [2026])
        con.executemany(f"insert into {loader.BUSINESS_DAYS_TABLE} values (?, ?, ?, ?, ?, ?)", rows)
    dbt_build(account.warehouse, work)
    with closing(duckdb.connect(str(account.warehouse), read_only=True)) as con:
        yield con


def _tickets(con) -> dict[int, tuple]:
    rows = con.execute(
        "select ticket_id - 1000, schedule_key, first_response_seconds, business_first_response_seconds "
        "from marts.fct_tickets order by 1"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_business_first_response_beside_the_calendar_value(warehouse):
    assert _tickets(warehouse) == {
        81: ("team:Front Line", 234000, 7200),  # across a weekend
        82: ("team:Front Line", 403200, 57600),  # across Tomb-sweeping Day
        83: ("team:Front Line", 925200, 39600),  # a makeup Saturday, then the Spring Festival
        84: ("team:Front Line", 230400, 7200),  # old hours on Friday, new hours on Monday
        85: ("zendesk:1", 36000, 32400),  # the default schedule, over midnight in Los Angeles
        86: ("zendesk:1", 36000, 32400),  # the schedule a trigger set beats the team calendar
        87: ("team:Front Line", 7200, 7200),  # Thu 10:00-12:00, within the hours
    }


def test_every_reply_in_business_hours(warehouse):
    rows = warehouse.execute(
        "select reply_number, reply_seconds, business_reply_seconds "
        "from intermediate.int_zendesk__reply_business_times where ticket_id = 1083 order by reply_number"
    ).fetchall()
    assert rows == [
        (1, 925200, 39600),  # the first reply: its first response, as above
        # the requester's Tue 17:30 comment to Wed 09:30: 16 h; open Tue 17:30-18 and Wed 09-09:30
        (2, 57600, 3600),
        (3, None, None),  # no requester comment since reply 2: it answered no wait
    ]


def test_resolution_and_wait_times_in_business_hours(warehouse):
    row = warehouse.execute(
        "select business_resolution_seconds, requester_wait_seconds, business_requester_wait_seconds, "
        "agent_wait_seconds, business_agent_wait_seconds from marts.fct_tickets where ticket_id = 1081"
    ).fetchone()
    assert row == (10800, 234000, 7200, 3600, 3600)


def test_two_status_changes_in_one_second_are_timed_once(warehouse):
    # T87: new for 0 s (the trigger opened it in its creation's second), open 10:00-12:00, pending
    # 12:00-13:00, all within Thursday's 08-20. Requester wait = 0 + 7200 in calendar and business
    # time (both spans start at 10:00; each is timed on its own, not the open span's 7200 twice);
    # agent wait 3600; resolution 10:00-13:00 = 10800.
    row = warehouse.execute(
        "select business_resolution_seconds, requester_wait_seconds, business_requester_wait_seconds, "
        "agent_wait_seconds, business_agent_wait_seconds from marts.fct_tickets where ticket_id = 1087"
    ).fetchone()
    assert row == (10800, 7200, 7200, 3600, 3600)


def test_daily_parts_and_the_scorecard(warehouse):
    # T85 and T86 are created on 03-17 in Shanghai (Tue 14:00): one day, 32400 + 32400
    parts = warehouse.execute(
        "select sum(business_first_response_seconds_sum), sum(tickets_with_business_first_reply) "
        "from marts.fct_kpi_daily where kpi_date = '2026-03-17'"
    ).fetchone()
    assert parts == (64800, 2)
    # the month of March: T81 7200, T84 7200, T85 32400, T86 32400 = 79200 over 4 tickets = 19800 s
    row = warehouse.execute(
        "select numerator, denominator, actual_value from marts.rpt_kpi_scorecard "
        "where kpi_code = 'frt_business_seconds' and period_type = 'month' and period_start = '2026-03-01'"
    ).fetchone()
    assert row == (79200, 4, 19800.0)


def test_a_year_the_holiday_library_does_not_know_fails_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CSKPI_WAREHOUSE_PATH", str(tmp_path / "w.duckdb"))
    calendar_file = tmp_path / "business_calendar.yaml"
    calendar_file.write_text(CALENDAR, "utf-8")
    settings = load_settings()
    with closing(loader.connect(settings.warehouse_path)) as con:
        loader.create_empty(con, ZENDESK_TICKETS)
        con.execute(
            "insert into raw.zendesk__tickets (id, created_at, updated_at) "
            "values (1, timestamp '2027-01-04 02:00', timestamp '2027-01-04 03:00')"
        )
    with pytest.raises(CalendarYearNotCovered) as failed:
        pipeline.ingest_business_calendar(settings, "run", path=calendar_file)
    message = str(failed.value)
    assert "chinesecalendar 1.11.0 has no CN holidays for 2027" in message
    assert "team 'Front Line' has tickets then" in message and "config/business_calendar.yaml" in message
    # nothing was written: the year is never taken as weekdays only
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        assert con.execute(f"select count(*) from {loader.BUSINESS_DAYS_TABLE}").fetchone() == (0,)


def test_overlapping_hours_are_refused_in_one_line(tmp_path):
    # 12:00-13:00 would count twice on Mondays: refused, naming the overlap
    calendar_file = tmp_path / "business_calendar.yaml"
    calendar_file.write_text(CALENDAR.replace('mon: ["09:00-18:00"]', 'mon: ["09:00-13:00", "12:00-18:00"]', 1))
    with pytest.raises(ConfigError) as refused:
        business_calendar.load_calendar(calendar_file)
    assert str(refused.value).endswith("intervals overlap (12:00 starts before 13:00): merge them")
    assert "Front Line" in str(refused.value) and "\n" not in str(refused.value)
