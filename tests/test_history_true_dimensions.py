"""History-true dimensions (issue 14, rules 8 and 9): a ticket's customer tier is the tier its
customer had when the ticket was created, and two CRM contacts for one Zendesk requester never
count a ticket or a survey twice.

A small hand-built account, not the sample: Zendesk tickets and audits in the incremental export
shape (tests/golden_fixture.py's builders), HubSpot CRM v3 contacts as the search endpoint returns
them (`id`, `properties` as strings, `createdAt`, `updatedAt`, `archived`), each version landed by
its own load as the connector lands them, and Delighted survey responses. Loaded by the real
loader, then one `dbt build --full-refresh` (every partition rebuilt, last year's included).

The CRM (times UTC):
| contact | zendesk_user_id | versions (updatedAt: customer_tier)                   | load |
| 7101    | 6101            | 2026-03-01 00:00 "regular"; 2026-03-05 00:00 "VIP"     | 1; 2 |
| 7102    | 6102            | 2026-03-02 00:00 "regular"                             | 1    |
| 7103    | 6102            | 2026-03-04 00:00 "VIP"                                 | 2    |
| 7104    | 6103            | 2026-03-02 00:00 "VIP"                                 | 1    |
| 7105    | 6103            | 2026-03-02 00:00 "regular"                             | 1    |

The tickets (created 10:00 Asia/Shanghai = 02:00 UTC on the day named):
| ticket | requester | created    | group                                   |
| 1201   | 6101      | 2026-03-03 | Front Line                              |
| 1202   | 6101      | 2026-03-08 | Front Line                              |
| 1203   | 6101      | 2026-02-20 | Front Line                              |
| 1204   | 6102      | 2026-03-06 | Front Line                              |
| 1205   | 6103      | 2026-03-06 | Front Line                              |
| 1206   | 6101      | 2026-03-08 | Front Line, moved to Technical Escalations at +1 h |

Surveys (Delighted CSAT): R1 about 1201 submitted 2026-03-09 (after 7101 became VIP), R4 about 1204.
"""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from ingestion.streams import HUBSPOT_CONTACTS
from tests import golden_fixture as g
from tests.dbt_build import dbt_build
from tests.hand_account import HandAccount


def at(day: date, hour: int = 2) -> int:
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=UTC).timestamp())


def contact(contact_id: int, zendesk_user_id: int, updated: int, tier: str) -> dict:
    """A contact as POST /crm/v3/objects/contacts/search returns it: every property a string."""
    stamp = g.iso(updated).replace("Z", ".000Z")
    return {
        "id": str(contact_id),
        "properties": {"hs_object_id": str(contact_id), "createdate": "2026-01-05T08:00:00.000Z",
                       "lastmodifieddate": stamp, "customer_tier": tier, "zendesk_user_id": str(zendesk_user_id)},
        "createdAt": "2026-01-05T08:00:00.000Z", "updatedAt": stamp, "archived": False,
    }  # fmt: skip


LOAD_1 = [
    contact(7101, 6101, at(date(2026, 3, 1), 0), "regular"),
    contact(7102, 6102, at(date(2026, 3, 2), 0), "regular"),
    contact(7104, 6103, at(date(2026, 3, 2), 0), "VIP"),
    contact(7105, 6103, at(date(2026, 3, 2), 0), "regular"),
]
LOAD_2 = [
    contact(7101, 6101, at(date(2026, 3, 5), 0), "VIP"),  # 7101's tier changes
    contact(7103, 6102, at(date(2026, 3, 4), 0), "VIP"),  # a second contact for requester 6102
]


def tickets() -> list[g.Ticket]:
    def solved(number: int, requester: int, day: date) -> g.Ticket:
        t = g.create(g.Ticket(number, "email", requester, created=at(day)))
        s, who, ev = g.assign(60)
        return (
            t.at(s, who, ev, g.status("open", "new"))
            .at(600, g.AGENT, g.reply())
            .at(1200, g.AGENT, g.status("solved", "open"))
        )

    ts = [
        solved(201, 6101, date(2026, 3, 3)),
        solved(202, 6101, date(2026, 3, 8)),
        solved(203, 6101, date(2026, 2, 20)),
        solved(204, 6102, date(2026, 3, 6)),
        solved(205, 6103, date(2026, 3, 6)),
    ]
    moved = solved(206, 6101, date(2026, 3, 8))
    moved.at(g.HOUR, g.AGENT, {"event_type": "Change", "field_name": "group_id", "value": g.ESCALATIONS,
                               "previous_value": g.FRONT})  # fmt: skip
    moved.group = g.ESCALATIONS
    return [*ts, moved]


def surveys() -> list[dict]:
    def csat(rid: str, ticket: int, submitted: int) -> dict:
        return {"id": rid, "survey_type": "csat", "score": 5, "comment": "", "created_at": submitted,
                "updated_at": None, "person_properties": {"Ticket ID": str(ticket)},
                "additional_answers": []}  # fmt: skip

    return [csat("R1", 1201, at(date(2026, 3, 9))), csat("R4", 1204, at(date(2026, 3, 9)))]


def build(tmp: Path, *dbt_args: str) -> Path:
    account = HandAccount(tmp)
    with account.connect() as con:
        account.load_reference(con)
        account.load_run(con, "dims", date(2026, 2, 1), date(2026, 3, 30), tickets(), surveys())
        # two CRM runs, each landing the versions the search returned then; raw keeps both of 7101's
        for n, results in enumerate((LOAD_1, LOAD_2), start=1):
            account.load(con, HUBSPOT_CONTACTS, "contacts", {"total": len(results), "results": results}, run=f"crm-{n}")
    dbt_build(account.warehouse, tmp, "--full-refresh", *dbt_args)
    return account.warehouse


def test_tier_at_creation_and_one_contact_per_requester(tmp_path):
    """Worked by hand from the tables in the module docstring.

    Tier at creation (7101: regular from 03-01, VIP from 03-05):
    - 1201, created 03-03: regular (the later change to VIP does not reach it);
    - 1202 and 1206, created 03-08: vip;
    - 1203, created 02-20, before 7101's earliest known version: that version's tier, regular.
    One contact per requester (the latest modified wins, then the highest contact id):
    - 6102: 7103 (modified 03-04) over 7102 (03-02): 1204 once, customer 7103, vip;
    - 6103: 7104 and 7105 both modified 03-02: the higher id 7105, regular: 1205 once.
    Team: the current group (ticket_team_as_of current): 1206 is Technical Escalations.
    So six ticket rows for six tickets. dim_customer keeps the current tier: 7101 vip.
    Surveys follow their ticket: R1 (1201) regular though submitted after the change, R4 (1204)
    vip, one row each. On 2026-03-03 fct_kpi_daily has 1 ticket, regular; on 03-08 2, vip.
    """
    warehouse = build(tmp_path)
    with closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        assert con.execute(
            "select ticket_id, customer_id, customer_tier, team from marts.fct_tickets order by 1"
        ).fetchall() == [
            (1201, 7101, "regular", "Front Line"),
            (1202, 7101, "vip", "Front Line"),
            (1203, 7101, "regular", "Front Line"),
            (1204, 7103, "vip", "Front Line"),
            (1205, 7105, "regular", "Front Line"),
            (1206, 7101, "vip", "Technical Escalations"),
        ]
        assert con.execute("select customer_tier from marts.dim_customer where customer_id = 7101").fetchall() == [
            ("vip",)
        ]
        assert con.execute(
            "select response_id, ticket_id, customer_tier from marts.fct_survey_responses order by 1"
        ).fetchall() == [("R1", 1201, "regular"), ("R4", 1204, "vip")]
        assert con.execute(
            "select kpi_date, customer_tier, sum(tickets_created) from marts.fct_kpi_daily "
            "where kpi_date in ('2026-03-03', '2026-03-08') and tickets_created > 0 group by 1, 2 order by 1, 2"
        ).fetchall() == [(date(2026, 3, 3), "regular", 1), (date(2026, 3, 8), "vip", 2)]


def test_team_at_creation_when_configured(tmp_path):
    """var ticket_team_as_of creation: 1206 was created in Front Line (its creation audit's
    group_id) and moved to Technical Escalations an hour later, so it counts for Front Line; the
    others never moved. Tiers as above."""
    warehouse = build(tmp_path, "--vars", "{ticket_team_as_of: creation}")
    with closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        assert con.execute("select ticket_id, team, customer_tier from marts.fct_tickets order by 1").fetchall() == [
            (1201, "Front Line", "regular"),
            (1202, "Front Line", "vip"),
            (1203, "Front Line", "regular"),
            (1204, "Front Line", "vip"),
            (1205, "Front Line", "regular"),
            (1206, "Front Line", "vip"),
        ]
