"""Exact KPI values of the golden fixture (tests/golden_fixture.py), worked out by hand.

Day D = 2026-03-10 counts 16 tickets (T1-T20 without T16, created on D+1, and without the
excluded spam T6, test T13 and merged T14) and 8 survey responses (S1-S8; S9 is rejected, S10 is
submitted on D+1).
"""

from __future__ import annotations

import os
import subprocess
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from ingestion import loader
from ingestion.loader import LoadWindow
from ingestion.settings import PROJECT_ROOT
from ingestion.sources import survey_csv
from ingestion.streams import (
    HUBSPOT_COMPANIES,
    HUBSPOT_CONTACTS,
    SURVEY_API_RESPONSES,
    ZENDESK_GROUPS,
    ZENDESK_TICKET_EVENTS,
    ZENDESK_TICKETS,
    ZENDESK_USERS,
)
from orchestration.defs.resources import dbt_executable
from tests import golden_fixture

D = date(2026, 3, 10)


def build_warehouse(tmp: Path) -> Path:
    """Load the fixture's pages with the real loader, then build every dbt model on them."""
    pages = golden_fixture.write_pages(tmp / "pages")
    warehouse = tmp / "golden.duckdb"
    window = LoadWindow(datetime(2026, 2, 28), datetime(2026, 3, 31), date(2026, 2, 28), date(2026, 3, 30),
                        "Asia/Shanghai")  # fmt: skip
    common = {"run_id": "golden", "batch_id": "golden", "landing_dir": None, "pages": 1}
    mapping = survey_csv.load_mapping(PROJECT_ROOT / "config/survey_mappings/wjx.yaml")
    with closing(loader.connect(warehouse)) as con:
        for spec, name in ((ZENDESK_TICKETS, "tickets"), (ZENDESK_TICKET_EVENTS, "ticket_events"),
                           (SURVEY_API_RESPONSES, "api_responses")):  # fmt: skip
            loader.load(con, spec, [pages[name]], window=window, **common)
        for spec, name in ((ZENDESK_GROUPS, "groups"), (ZENDESK_USERS, "users"), (HUBSPOT_CONTACTS, "contacts"),
                           (HUBSPOT_COMPANIES, "companies")):  # fmt: skip
            loader.load(con, spec, [pages[name]], **common)
        loader.load(con, survey_csv.stream_spec(mapping), [pages["csv_responses"]], fixed_partition=D,
                    scope=("survey_tool", "wjx"), **common)  # fmt: skip
    env = {**os.environ, "CSKPI_WAREHOUSE_PATH": str(warehouse), "DBT_TARGET_PATH": str(tmp / "dbt_target"),
           "DBT_LOG_PATH": str(tmp / "dbt_logs"), "CSKPI_REPORTING_TIMEZONE": "Asia/Shanghai"}  # fmt: skip
    dbt = subprocess.run(
        [dbt_executable(), "build", "--project-dir", "dbt_project", "--profiles-dir", "dbt_project"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert dbt.returncode == 0, dbt.stdout[-4000:]
    return warehouse


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    path = build_warehouse(tmp_path_factory.mktemp("golden"))
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        yield con


def day_parts(con, day: date, where: str = "true") -> dict:
    cur = con.execute(f"select * from marts.fct_kpi_daily where kpi_date = ? and {where}", [day])
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    return {n: sum(r[i] for r in rows) for i, n in enumerate(names) if isinstance(rows[0][i], int)}


def test_ticket_counts_and_exclusions(warehouse):
    p = day_parts(warehouse, D)
    assert p["tickets_created"] == 16  # 19 created on D, less spam T6, test T13, merged T14
    assert p["excluded_tickets"] == 3


def test_first_response_time(warehouse):
    p = day_parts(warehouse, D)
    # Replied: T1 20, T2 3600 (the bot's 10 s auto-reply is not a reply), T3 15, T4 1800, T7 25,
    # T8 5000, T9 100, T11 240, T12 20, T15 1000, T17 500, T18 12, T19 2000 (its -100 s "reply"
    # is rejected), T20 40. No reply: T5, T10.
    assert p["tickets_with_first_reply"] == 14
    assert p["first_response_seconds_sum"] == 14372  # FRT = 14372 / 14 = 1026.57 s
    # Targets: chat 30, phone 20, email/web_form/other 14400, social 3600, L3 300 on every channel.
    # Missed: T5 and T10 (no reply), T9 (100 > 30), T20 (40 > 30). 12 of 16 within target.
    assert (p["tickets_responded_within_target"], p["tickets_with_response_target"]) == (12, 16)


def test_handle_time_resolution_and_reopens(warehouse):
    p = day_parts(warehouse, D)
    # Solved: every counted ticket but T5 (never answered) and T20 (pending): 14 of 16.
    assert (p["solved_tickets"], p["handled_tickets"]) == (14, 14)
    # Acceptance (first assignment, else creation) to first solve:
    # T1 295, T2 7140, T3 598, T4 107940, T7 397, T8 9940, T9 179995, T10 215940, T11 899,
    # T12 1195, T15 2000 (never assigned: from creation), T17 990, T18 198, T19 2970.
    assert p["handle_seconds_sum"] == 530497  # AHT = 37892.64 s
    assert (p["tickets_with_calls"], p["talk_seconds_sum"]) == (2, 380)  # T3 200 + T11 180
    assert p["reopened_tickets"] == 1  # T3


def test_first_contact_resolution_and_escalation(warehouse):
    p = day_parts(warehouse, D)
    # One-touch: T1, T2, T7 (two chat messages are one session), T9, T11, T15, T17, T18, T19.
    # Not: T3 reopened, T4 and T12 escalated, T8 two replies, T10 no reply, T5 and T20 unsolved.
    assert p["one_touch_resolved_tickets"] == 9  # FCR = 9 / 16 = 56.25 %
    assert p["escalated_tickets"] == 2  # T4 handed to Technical Escalations, T12 raised L1 -> L2


def test_complaints(warehouse):
    p = day_parts(warehouse, D)
    assert p["complaint_tickets"] == 3  # T4, T9, T10: complaint rate 3 / 16
    # All three are unsolved at 24 h (solved at 30 h, 50 h, 60 h); only T4 was escalated by then.
    assert (p["complaints_escalated_by_24h"], p["complaints_unresolved_at_24h"]) == (1, 3)
    # T4 (reply 1800 s) and T9 (reply 100 s) heard back within 48 h; T10 got nothing until 60 h.
    assert p["complaints_answered_within_48h"] == 2


def test_csat_and_dimensions(warehouse):
    p = day_parts(warehouse, D)
    # S1-S8 on D (S4 delivered ten days late still counts on its submission day).
    # Overall: S1 5, S2 4, S3 2, S4 1, S5 5, S6 3, S7 4, S8 5.
    assert (p["csat_positive_responses"], p["csat_responses"]) == (5, 8)  # CSAT 62.5 %
    assert p["csat_score_sum"] == 29  # mean 3.625
    # Speed: S1 5, S2 3, S3 2, S4 1, S5 5, S6 3, S7 4, S8 5 -> 4 of 8 score 4-5, sum 28.
    assert (p["speed_score_positive_responses"], p["speed_score_responses"], p["speed_score_sum"]) == (4, 8, 28)
    # Only S8 answered speed alone: accuracy has 7 answers.
    assert p["accuracy_score_responses"] == 7


def test_nps_on_both_scales(warehouse):
    p = day_parts(warehouse, D)
    # 0-10: S1 10 promoter, S2 8 passive, S3 3 and S4 0 detractors; S8 has no answer.
    # 3-option: S5 willing = promoter, S6 unsure = passive, S7 unwilling = detractor.
    assert (p["nps_promoters"], p["nps_passives"], p["nps_detractors"], p["nps_responses"]) == (2, 2, 3, 7)
    nps = warehouse.execute(
        "select actual_value from marts.rpt_kpi_scorecard "
        "where period_type = 'day' and period_start = ? and kpi_code = 'nps'",
        [D],
    ).fetchone()[0]
    assert nps == pytest.approx(100 * (2 - 3) / 7)  # -14.29


def test_survey_channel_and_team_come_from_the_ticket(warehouse):
    rows = dict(warehouse.execute(
        "select response_id, channel || '/' || team || '/' || customer_tier from marts.fct_survey_responses"
    ).fetchall())  # fmt: skip
    assert rows["S1"] == "chat/Front Line/vip"  # T1: a VIP's chat
    assert rows["S4"] == "email/Technical Escalations/regular"  # T4 ended with the escalation team
    assert rows["wjx:S7"] == "wechat/unassigned/unknown"  # no ticket: channel from the response


def test_slices_by_channel_team_and_tier(warehouse):
    chat = day_parts(warehouse, D, "channel = 'chat'")
    # Chat on D: T1, T7, T9, T12, T18, T20 (T6 spam excluded).
    assert (chat["tickets_created"], chat["excluded_tickets"], chat["one_touch_resolved_tickets"]) == (6, 1, 4)
    assert day_parts(warehouse, D, "channel = 'other'")["tickets_created"] == 1  # T17 via "api"
    assert day_parts(warehouse, D, "team = 'unassigned'")["tickets_created"] == 1  # T15
    assert day_parts(warehouse, D, "customer_tier = 'unknown'")["tickets_created"] == 1  # T18
    nxt = day_parts(warehouse, date(2026, 3, 11))
    assert (nxt["tickets_created"], nxt["survey_responses"]) == (1, 1)  # T16 and S10


def test_contract_breaks_are_rejected_not_counted(warehouse):
    assert warehouse.execute("select record_id, reason from raw._rejects").fetchall() == [
        ("S9", "overall score out of range")
    ]
    rejected_events = warehouse.execute(
        "select ticket_id, reason from intermediate.int_zendesk__ticket_events_rejected"
    )
    assert rejected_events.fetchall() == [(1019, "event before ticket creation")]


def test_no_personal_data_in_the_marts(warehouse):
    customers = warehouse.execute("select email_hash, phone_hash from marts.dim_customer").fetchall()
    for email_hash, phone_hash in customers:
        assert len(email_hash) == 64 and "@" not in email_hash
        assert len(phone_hash) == 64 and "+" not in phone_hash
    # The same person normalises to the same hash: case and separators do not matter.
    same = warehouse.execute(
        "select {email} = (select email_hash from marts.dim_customer where customer_id = 7001)".format(
            email="sha256('sample-only-key-do-not-use-for-real-data' || '|' || 'vip.customer@example.com')"
        )
    ).fetchone()[0]
    assert same


def test_timestamps_are_utc_and_days_are_local(warehouse):
    created_at, created_date = warehouse.execute(
        "select created_at, created_date from marts.fct_tickets where ticket_id = 1001"
    ).fetchone()
    assert created_at == datetime(2026, 3, 10, 2, 0, tzinfo=UTC).replace(tzinfo=None)
    assert created_date == D


D2 = date(2026, 3, 12)


def test_a_closed_ticket_without_its_solve_event_is_resolved(warehouse):
    """T21 is closed, but the audits that solved and closed it were never loaded."""
    row = warehouse.execute(
        "select is_solved, first_solved_at, handle_seconds, is_one_touch_resolved from marts.fct_tickets "
        "where ticket_id = 1021"
    ).fetchone()
    # Resolved by its status; no solve time, so no handle time (none is invented); not one-touch,
    # because without its status audits a reopen could not be seen.
    assert row == (True, None, None, False)


def test_an_impossible_handle_time_is_quarantined_not_counted(warehouse):
    """T22 was solved at 300 s and first assigned only at 600 s: handle time -300 s."""
    p = day_parts(warehouse, D2)
    # D+2: T21 (closed, no solve event), T22 (negative handle time), T23 (handle 610 - 10 = 600).
    assert (p["tickets_created"], p["solved_tickets"]) == (3, 3)  # all three count as resolved
    # AHT = 600 / 1 = 600 s from T23 alone; counting T22 would give (600 - 300) / 2 = 150 s.
    assert (p["handle_seconds_sum"], p["handled_tickets"]) == (600, 1)
    assert p["quarantined_handle_tickets"] == 1  # T22
    assert p["quarantined_first_response_tickets"] == 0
    # T22 still counts everywhere else: its reply (20 s) is an FRT, and it is one-touch with T23.
    assert (p["tickets_with_first_reply"], p["first_response_seconds_sum"]) == (3, 650)  # 600 + 20 + 30
    assert p["one_touch_resolved_tickets"] == 2  # T22, T23
    reasons = warehouse.execute(
        "select quarantine_reasons, handle_seconds from marts.fct_tickets where ticket_id = 1022"
    ).fetchone()
    assert reasons == ("negative handle time", None)
    aht = warehouse.execute(
        "select actual_value from marts.rpt_kpi_scorecard "
        "where period_type = 'day' and period_start = ? and kpi_code = 'aht_seconds'",
        [D2],
    ).fetchone()[0]
    assert aht == 600
