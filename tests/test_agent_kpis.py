"""Agent-level KPIs (fct_agent_daily) worked out by hand, and that they sum to the team totals.

A hand-built account (tests/golden_fixture.py's helpers, in the Zendesk and Delighted API shapes),
in Asia/Shanghai, day D = 2026-03-10, every ticket created at 10:00 local, email (FRT target L1
4 h), team Front Line. Ana (101) is quick and answers once; Bo (102) is slow and answers twice.
Offsets in seconds from the ticket's creation:

| T1 | assigned Ana 60, Ana reply 600, solved 1200                                                |
| T2 | assigned Ana 60, Ana reply 300, solved 900                                                 |
| T3 | assigned Bo 60, Bo reply 3600, customer 4000, Bo reply 7200, solved 9000                   |
| T4 | assigned Ana 60, Ana reply 1800, reassigned to Bo 3600, Bo reply 5400, solved 7200         |
| T5 | assigned Bo 60, Bo reply 1000, solved 2000; reopened 1 d, Bo reply 1 d + 100, solved 1 d + 200 |
| T6 | never assigned, never answered, open                                                       |
| T7 | assigned Ana 60, Ana reply 120, solved 600, reassigned to Bo 700 (after the solve)          |
| T9 | on D+5: assigned Ana 60, Ana reply 60, solved 120 (the data's horizon: D's tickets are FCR-mature) |

Surveys (Delighted, submitted on D at 12:00): CSAT T1 5, T3 2, T4 3; NPS T1 10, T3 4.
"""

from __future__ import annotations

import dataclasses
import html as htmllib
import json
import re
import shutil
import statistics
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from ingestion.sample import tickets as sample
from ingestion.settings import PROJECT_ROOT
from orchestration.publishing import PUBLISHED_MARTS, STAFF_TABLES
from orchestration.publishing.snapshot import write_duckdb_snapshot
from orchestration.report_builder.build import write_report
from orchestration.report_builder.period import parse_period
from tests.dbt_build import dbt_build
from tests.golden_fixture import DAY, FRONT, Ticket, create, reference_pages, reply, status
from tests.hand_account import HandAccount

D = date(2026, 3, 10)
ANA, BO, BOT = 101, 102, 199
REGULAR = 5002  # a requester the CRM knows (golden_fixture.reference_pages)
TEAM, CHANNEL = "Front Line", "email"


@dataclasses.dataclass
class AgentTicket(Ticket):
    assignee: int | None = None  # the current assignee, as the ticket export shows it

    def record(self) -> dict:
        return {**super().record(), "assignee_id": self.assignee}


def assign_to(agent: int, previous: int | None = None) -> dict:
    return {"event_type": "Change", "field_name": "assignee_id", "value": agent, "previous_value": previous}


def _tickets(account: HandAccount) -> list[Ticket]:
    at10 = account.local(D, 10)

    def t(number: int, assignee: int | None, created: int = at10) -> AgentTicket:
        return create(AgentTicket(number, "email", REGULAR, created=created, group=FRONT, assignee=assignee))

    opened = status("open", "new")
    t1 = t(1, ANA).at(60, ANA, assign_to(ANA), opened).at(600, ANA, reply(ANA)).at(1200, ANA, status("solved", "open"))
    t2 = t(2, ANA).at(60, ANA, assign_to(ANA), opened).at(300, ANA, reply(ANA)).at(900, ANA, status("solved", "open"))
    t3 = t(3, BO).at(60, BO, assign_to(BO), opened).at(3600, BO, reply(BO))
    t3.at(4000, REGULAR, reply(REGULAR, "email")).at(7200, BO, reply(BO)).at(9000, BO, status("solved", "open"))
    t4 = t(4, BO).at(60, ANA, assign_to(ANA), opened).at(1800, ANA, reply(ANA)).at(3600, ANA, assign_to(BO, ANA))
    t4.at(5400, BO, reply(BO)).at(7200, BO, status("solved", "open"))
    t5 = t(5, BO).at(60, BO, assign_to(BO), opened).at(1000, BO, reply(BO)).at(2000, BO, status("solved", "open"))
    t5.at(DAY, REGULAR, status("open", "solved"), reply(REGULAR, "email"))
    t5.at(DAY + 100, BO, reply(BO)).at(DAY + 200, BO, status("solved", "open"))
    t6 = t(6, None)
    t7 = t(7, BO).at(60, ANA, assign_to(ANA), opened).at(120, ANA, reply(ANA)).at(600, ANA, status("solved", "open"))
    t7.at(700, ANA, assign_to(BO, ANA))
    t9 = t(9, ANA, created=account.local(D + timedelta(days=5), 10))
    t9.at(60, ANA, assign_to(ANA), opened, reply(ANA)).at(120, ANA, status("solved", "open"))
    return [t1, t2, t3, t4, t5, t6, t7, t9]


def _surveys(account: HandAccount) -> list[dict]:
    noon = account.local(D, 12)

    def response(rid: str, ticket: int, survey_type: str, score: int) -> dict:
        return {"id": rid, "survey_type": survey_type, "score": score, "comment": "", "created_at": noon,
                "updated_at": noon, "person_properties": {"Ticket ID": str(1000 + ticket)},
                "additional_answers": []}  # fmt: skip

    return [response("S1", 1, "csat", 5), response("S3", 3, "csat", 2), response("S4", 4, "csat", 3),
            response("N1", 1, "nps", 10), response("N3", 3, "nps", 4)]  # fmt: skip


def build(work: Path) -> Path:
    account = HandAccount(work)
    reference = reference_pages()
    reference["users"]["users"] = [
        {**u, "name": name} for u, name in
        zip(reference["users"]["users"], ("Ana Lima", "Bo Chen", "Reply Bot"), strict=True)
    ]  # fmt: skip
    assert [u["id"] for u in reference["users"]["users"]] == [ANA, BO, BOT]
    with closing(account.connect()) as con:
        account.load_reference(con, reference)
        account.load_run(con, "backfill", D - timedelta(days=1), D + timedelta(days=6), _tickets(account),
                         _surveys(account))  # fmt: skip
    dbt_build(account.warehouse, work)
    return account.warehouse


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("agents"))


@pytest.fixture(scope="module")
def warehouse(built) -> duckdb.DuckDBPyConnection:
    with closing(duckdb.connect(str(built), read_only=True)) as con:
        yield con


@pytest.fixture(scope="module")
def reports(built, tmp_path_factory) -> dict[str, str]:
    """March's report in both editions, from the marts and staff snapshots a publish writes."""
    work = tmp_path_factory.mktemp("agent_reports")
    shutil.copy(built, work / "warehouse.duckdb")  # the module's read-only connection keeps the original
    with closing(duckdb.connect(str(work / "warehouse.duckdb"))) as con:
        write_duckdb_snapshot(con, PUBLISHED_MARTS, work / "published.duckdb")
        write_duckdb_snapshot(
            con, STAFF_TABLES, work / "staff" / "published_staff.duckdb", schema="staff", private=True
        )
    plan, march = PROJECT_ROOT / "config" / "improvement_plan.yaml", parse_period("2026-03")
    out = {}
    for edition in ("default", "manager"):
        written = write_report(work / "published.duckdb", work / "reports", plan, march, edition=edition,
                               staff_snapshot=work / "staff" / "published_staff.duckdb")  # fmt: skip
        out[written.path.name] = written.path.read_text(encoding="utf-8")
    return out


def agent_row(con: duckdb.DuckDBPyConnection, agent: int | None) -> dict:
    cur = con.execute(
        "select * from marts.fct_agent_daily where kpi_date = ? and team = ? and channel = ? "
        "and agent_id is not distinct from ?",
        [D, TEAM, CHANNEL, agent],
    )
    rows = cur.fetchall()
    assert len(rows) == 1, rows
    return dict(zip([d[0] for d in cur.description], rows[0], strict=True))


def test_the_quick_agent_answers_fast_and_resolves_at_first_contact(warehouse):
    ana = agent_row(warehouse, ANA)
    # Ana owns T1, T2, T7 at their solves (T7 was reassigned to Bo only after it); T4 went to Bo.
    assert (ana["tickets_created"], ana["solved_tickets"], ana["handled_tickets"]) == (3, 3, 3)
    # from the first assignment (60) to the first solve: T1 1140, T2 840, T7 540 = 2520; AHT 840 s
    assert ana["handle_seconds_sum"] == 2520 and ana["aht_seconds"] == 840
    # every one answered once and never reopened: FCR 3 / 3
    assert (ana["one_touch_resolved_tickets"], ana["fcr_tickets"], ana["fcr_rate"]) == (3, 3, 1.0)
    # she answered first on T1 600, T2 300, T4 1800 (Bo's at solve) and T7 120 = 2820 over 4: 705 s
    assert (ana["tickets_with_first_reply"], ana["first_response_seconds_sum"], ana["frt_seconds"]) == (4, 2820, 705)
    assert (ana["tickets_responded_within_target"], ana["tickets_with_response_target"]) == (4, 4)
    assert ana["agent_replies"] == 4  # one each on T1, T2, T4, T7
    assert (ana["csat_responses"], ana["csat_positive_responses"], ana["csat_score_sum"]) == (1, 1, 5)  # T1's 5
    assert (ana["nps_responses"], ana["nps_promoters"], ana["nps"]) == (1, 1, 100)  # T1's 10
    assert ana["reopened_tickets"] == 0


def test_the_slow_agent_differs_on_every_kpi(warehouse):
    bo = agent_row(warehouse, BO)
    # Bo owns T3, T5 and T4 (assigned to him before its solve)
    assert (bo["tickets_created"], bo["solved_tickets"], bo["handled_tickets"]) == (3, 3, 3)
    # T3 9000 - 60 = 8940, T4 7200 - 60 = 7140 (from its first assignment, Ana's), T5 2000 - 60 = 1940: 18020
    assert bo["handle_seconds_sum"] == 18020 and bo["aht_seconds"] == pytest.approx(18020 / 3)
    # T3 and T4 had two replies, T5 was reopened: none is one-touch
    assert (bo["one_touch_resolved_tickets"], bo["fcr_tickets"], bo["fcr_rate"]) == (0, 3, 0.0)
    assert (bo["reopened_tickets"], bo["reopen_rate"]) == (1, pytest.approx(1 / 3))  # T5
    # first responder on T3 3600 and T5 1000 only: 4600 over 2, 2300 s
    assert (bo["tickets_with_first_reply"], bo["first_response_seconds_sum"], bo["frt_seconds"]) == (2, 4600, 2300)
    assert bo["agent_replies"] == 5  # T3 two, T4 one, T5 two
    # T3's 2 and T4's 3 (T4 is his at its solve): none positive, mean 2.5
    assert (bo["csat_responses"], bo["csat_positive_responses"], bo["csat_mean"]) == (2, 0, 2.5)
    assert (bo["nps_responses"], bo["nps_detractors"], bo["nps"]) == (1, 1, -100)  # T3's 4


def test_an_unassigned_ticket_counts_with_no_agent(warehouse):
    nobody = agent_row(warehouse, None)
    # T6: created, never answered: a missed FRT target (4 h passed long before the horizon), no reply
    assert (nobody["tickets_created"], nobody["solved_tickets"], nobody["tickets_with_first_reply"]) == (1, 0, 0)
    assert (nobody["tickets_responded_within_target"], nobody["tickets_with_response_target"]) == (0, 1)


def test_attribution_is_in_fct_tickets(warehouse):
    rows = warehouse.execute(
        "select ticket_id, agent_id, attributed_agent_id, first_responder_agent_id from marts.fct_tickets "
        "where ticket_id in (1004, 1006, 1007) order by ticket_id"
    ).fetchall()
    # T4: Bo now and at the solve, Ana answered first; T6: no one; T7: Bo now, Ana at the solve
    assert rows == [(1004, BO, BO, ANA), (1006, None, None, None), (1007, BO, ANA, ANA)]


def test_agents_sum_to_the_team_and_day_totals(warehouse):
    """Every part of fct_agent_daily, summed over agents, equals fct_kpi_daily's for the same day, team and
    channel (summed over customer tiers); replies equal fct_tickets' public agent replies."""
    parts = [r[0] for r in warehouse.execute("describe marts.fct_agent_daily").fetchall()
             if r[1] == "BIGINT" and r[0] not in ("agent_id", "agent_replies")]  # fmt: skip
    assert len(parts) == 32
    sums = ", ".join(f"sum({p})" for p in parts)
    keys = "kpi_date, team, channel"
    query = "select {keys}, {sums} from marts.{mart} group by {keys} order by {keys}"
    by_agent = warehouse.execute(query.format(keys=keys, sums=sums, mart="fct_agent_daily")).fetchall()
    assert by_agent == warehouse.execute(query.format(keys=keys, sums=sums, mart="fct_kpi_daily")).fetchall()
    assert len(by_agent) == 2  # D and D+5
    replies = warehouse.execute(
        "select (select sum(agent_replies) from marts.fct_agent_daily), "
        "(select sum(public_agent_replies) from marts.fct_tickets where not is_excluded)"
    ).fetchone()
    assert replies == (10, 10)  # D: Ana 4 + Bo 5; D+5: Ana 1 on T9


def test_names_are_only_in_the_staff_schema(warehouse):
    names = warehouse.execute("select agent_id, agent_name from staff.dim_agent order by agent_id").fetchall()
    assert names == [(ANA, "Ana Lima"), (BO, "Bo Chen")]  # the bot is no agent
    marts = warehouse.execute(
        "select table_name from information_schema.columns where table_schema = 'marts' and column_name = 'agent_name'"
    ).fetchall()
    assert marts == []
    served = json.dumps(warehouse.execute("select * from marts.fct_agent_daily").fetchall(), default=str)
    assert "Ana" not in served and "Bo Chen" not in served


def _first_agent_and_reply(life: sample.TicketLife) -> tuple[int | None, int | None, int]:
    """(first assignee, seconds to that agent's first public reply, that agent's public replies)."""
    agent = next((ev["value"] for a in life.audits for ev in a.child_events
                  if ev.get("field_name") == "assignee_id" and ev.get("previous_value") is None), None)  # fmt: skip
    replies = [a.at for a in life.audits for ev in a.child_events if ev.get("author_id") == agent
               and ev.get("public") and ev["event_type"] in ("Comment", "VoiceComment")]  # fmt: skip
    return agent, (replies[0] - life.created if replies else None), len(replies)


def test_the_sample_has_agents_who_differ_and_the_same_tickets_as_before(monkeypatch):
    config, day = sample.SampleConfig(), date(2026, 3, 3)
    lives = sample.tickets_for_day(config, day)
    frt, contacts = {}, {}
    for life in lives:
        agent, seconds, replies = _first_agent_and_reply(life)
        if life.channel == "chat" and seconds is not None:
            frt.setdefault(agent, []).append(seconds)
            contacts.setdefault(agent, []).append(replies)
    busy = {a: statistics.median(v) for a, v in frt.items() if len(v) >= 20}
    assert len(busy) >= 4
    # the chat team's quickest agent answers in under half the time of its slowest
    assert min(busy.values()) * 2 < max(busy.values())
    one_touch = {a: sum(1 for r in contacts[a] if r == 1) / len(contacts[a]) for a in busy}
    assert max(one_touch.values()) - min(one_touch.values()) > 0.2

    # Routing swaps agent ids only: every ticket's moments and events are those drawn before it.
    monkeypatch.setattr(sample, "_route_to_agent", lambda life, config: None)
    drawn = sample.tickets_for_day.__wrapped__(config, day)  # the day's draw, agents left as drawn
    assert len(drawn) == len(lives)

    def shape(life: sample.TicketLife) -> list:
        return [(a.at, [(ev["event_type"], ev.get("field_name"), ev.get("public")) for ev in a.child_events])
                for a in life.audits]  # fmt: skip

    assert all(shape(a) == shape(b) for a, b in zip(lives, drawn, strict=True))
    assert (
        sum(_first_agent_and_reply(a)[0] != _first_agent_and_reply(b)[0] for a, b in zip(lives, drawn, strict=True)) > 0
    )


def _table_rows(html: str, table_id: str) -> list[list[str]]:
    table = html[html.index(f'id="{table_id}"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
    return [[htmllib.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in row] for row in cells]


def test_the_manager_edition_ranks_agents_and_the_default_edition_names_no_one(reports):
    assert set(reports) == {"service-level-report-2026-03.html", "service-level-report-2026-03.manager.html"}
    default, manager = (
        reports["service-level-report-2026-03.html"],
        reports["service-level-report-2026-03.manager.html"],
    )
    assert "agent-league" not in default and "Ana Lima" not in default and "Bo Chen" not in default
    # March: Ana solved T1, T2, T7 and T9 (D+5), Bo T3, T4, T5; both under the 30 tickets of min_sample_size
    # Ana: FRT (600 + 300 + 1800 + 120 + 60) / 5 = 576 s = 9.6 min; AHT (1140 + 840 + 540 + 60) / 4 = 645 s
    # = 0.2 h; FCR 3 / 3 (T9 is inside its reopen window); CSAT 1 of 1 positive.
    # Bo: FRT (3600 + 1000) / 2 = 2300 s = 38.3 min; AHT 18020 / 3 = 6006.7 s = 1.7 h; FCR 0 / 3; CSAT 0 of 2.
    assert _table_rows(manager, "agent-league-table") == [
        ["1", "Ana Lima (n < 30)", "-", "4", "9.6 min", "0.2 h", "100.0%", "100.0%", "1"],
        ["2", "Bo Chen (n < 30)", "-", "3", "38.3 min", "1.7 h", "0.0%", "0.0%", "2"],
    ]
    assert manager.count('<tr class="small-n">') >= 2  # greyed, as small slices are elsewhere
    assert 'id="edition"' in manager and "staff data" in manager


def test_the_staff_snapshot_is_readable_by_the_pipelines_user_only(tmp_path):
    # the BI snapshot may sit in a folder analysts read; the agent names beside it may not
    with closing(duckdb.connect()) as con:
        con.execute("create schema staff")
        con.execute("create table staff.dim_agent as select 1 as agent_id, 'Ana Lima' as agent_name")
        target = tmp_path / "serving" / "staff" / "cs_kpi_staff.duckdb"
        write_duckdb_snapshot(con, ("dim_agent",), target, schema="staff", private=True)
    assert (target.parent.stat().st_mode & 0o777, target.stat().st_mode & 0o777) == (0o700, 0o600)
