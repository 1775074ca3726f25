"""A hand-built support day, in the sources' API shapes, whose KPIs are worked out by hand.

Day D is 2026-03-10 in Asia/Shanghai; every ticket but T16 is created at 10:00 local (02:00 UTC).
Times below are seconds after the ticket's creation.

| ticket | channel  | story                                                                  |
| T1     | chat     | assigned 5, reply 20, solved 300: one-touch                            |
| T2     | email    | bot auto-reply 10 (not a reply), assigned 60, reply 3600, solved 7200  |
| T3     | phone    | assigned 2, call 15 (200 s talk), solved 600, reopened +1 d, solved again |
| T4     | email    | complaint: assigned 60, reply 1800, escalated to Technical Escalations 3600, solved 30 h |
| T5     | web_form | assigned 100, never answered                                           |
| T6     | chat     | spam (deleted): excluded                                               |
| T7     | chat     | assigned 3, two replies in one chat session (25, 60), solved 400       |
| T8     | email    | assigned 60, replies 5000 and 9000, solved 10000                       |
| T9     | chat     | complaint: assigned 5, reply 100 (late), solved 50 h, never escalated   |
| T10    | email    | complaint: assigned 60, no reply, solved 60 h                          |
| T11    | phone    | L3: assigned 1, call 240 (180 s talk), lowered to L2 at 600, solved 900 |
| T12    | chat     | assigned 5, reply 20, raised L1 -> L2 at 600 (escalation), solved 1200  |
| T13    | email    | test ticket: excluded                                                  |
| T14    | email    | merged away: excluded                                                  |
| T15    | twitter  | no group (unassigned), never assigned, reply 1000, solved 2000         |
| T16    | chat     | created on D+1: assigned 2, reply 10, solved 100                       |
| T17    | api      | unknown channel -> other: assigned 10, reply 500, solved 1000          |
| T18    | chat     | requester not in the CRM: assigned 2, reply 12, solved 200             |
| T19    | email    | a "reply" dated 100 s BEFORE creation (rejected), assigned 30, reply 2000, solved 3000 |
| T20    | chat     | assigned 5, reply 40, still pending                                    |

Day D+2 (2026-03-12, 10:00 local), kept apart so day D's hand-worked values stay as they are:

| T21    | chat     | created L2, reply 100, raised L2 -> L3 at 300 (escalation), solved 600 |
| T22    | chat     | no level at creation, first set to L3 at 60 (not an escalation), reply 10, solved 100 |
| T23    | email    | group 13, deleted: not in the groups list, known by id; assigned 60, reply 600, solved 1200 |
| T24    | email    | group 14, unknown even by id; assigned 60, reply 600, solved 1200      |

As Zendesk sends them, tickets carry custom fields by id (`custom_fields: [{id, value}]`) and a
custom-field event names its field by the id as a string (`"field_name": "360000000001"`).

Day D+3 (2026-03-13, 10:00 local), the odd-but-well-formed records:

| T31    | email    | assigned 60, reply 600, now closed; its solve and close audits were never loaded |
| T32    | chat     | reply 20, solved 300, first assigned only at 600 (negative handle time) |
| T33    | chat     | assigned 10, reply 30, solved 610                                      |

Day D+4 (2026-03-14, 10:00 local):

| T41    | email    | assigned 60, reply 600, now closed; solve audits missing, metric set: first resolution 90 min |

Zendesk satisfaction ratings, all answered or offered on D+4: T41 good, T31 bad, T33 offered only.

Day D+5 (2026-03-15) and D+6, exclusions, complaint kinds and local-day edges:

| T51    | email    | 10:00, deleted by an agent, no spam tag: excluded as deleted; survey S51 (CSAT 5) about it |
| T52    | email    | 10:00, category "complaint" (no complaint tag): a complaint; assigned 60, reply 600, solved 1200 |
| T53    | email    | 10:00, category billing, no tag: not a complaint; assigned 60, reply 600, solved 1200 |
| T54    | chat     | 07:30 local on D+5 = 23:30 UTC on D+4: a D+5 ticket                   |
| T56    | chat     | 23:59 local on D+5 = 15:59 UTC: a D+5 ticket                           |
| T55    | chat     | 00:01 local on D+6 = 16:01 UTC on D+5: a D+6 ticket                    |
| T57    | chat     | 10:00, assigned 5, replies 20 and 40, again at 2 d + 60, solved 2 d + 100: two sessions |
| T58    | email    | 10:00, assigned 60, reply 600, closed at 3600 without ever being solved |

Survey N6 (NPS 10) is about the spam ticket T6 on D: it counts in no KPI.

The horizon (the newest event in the data) is T57's solve: D+5 10:00 local + 2 d + 100 s, i.e.
2026-03-17 02:01:40 UTC = D + 7 d + 100 s. No ticket below has a later event, so it stays there.

Day D-3 (2026-03-07, 10:00 local), the escalation and resolution SLAs, every clock run out (10 d old):

| T61    | email    | L2: assigned 60, reply 600, handed to Technical Escalations at 3 h, solved 5 h |
| T62    | chat     | L3: assigned 5, reply 60, handed to Technical Escalations at 10 min, solved 1 h |
| T63    | email    | L1: assigned 60, reply 600, solved 30 h                                |
| T64    | email    | L2: assigned 60, reply 600, solved 1 h (within 2 h: no escalation needed) |
| T65    | email    | L1: assigned 60, reply 600, still open                                 |

Day D+7 (2026-03-17 local), young at the horizon:

| T71    | chat     | complaint created 10 h before the horizon (00:01:40 local): assigned 300, reply 600, open |
| T72    | email    | L2, created 1 h before the horizon: assigned 60, nothing else          |
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tests.fixtures.survey_exports.make_fixtures import write_wjx

D_CREATED = int(datetime(2026, 3, 10, 2, 0, tzinfo=UTC).timestamp())  # 10:00 in Shanghai
D1_CREATED = D_CREATED + 86_400
D2_CREATED = D_CREATED + 2 * 86_400
D3_CREATED = D_CREATED + 3 * 86_400
D4_CREATED = D_CREATED + 4 * 86_400
D5_CREATED = D_CREATED + 5 * 86_400  # 2026-03-15 10:00 in Shanghai
DAY = 86_400
HOUR = 3_600
DM3_CREATED = D_CREATED - 3 * DAY  # 2026-03-07 10:00 in Shanghai
HORIZON = D5_CREATED + 2 * DAY + 100  # T57's solve, the newest event of the fixture

FRONT, ESCALATIONS, DELETED_GROUP, UNKNOWN_GROUP = 11, 12, 13, 14
AGENT, AGENT_B, BOT = 101, 102, 199
LEVEL_FIELD, CATEGORY_FIELD = 360000000001, 360000000002
LEVEL, CATEGORY = str(LEVEL_FIELD), str(CATEGORY_FIELD)  # as events name them


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Ticket:
    number: int
    via: str
    requester: int
    created: int = D_CREATED
    group: int | None = FRONT
    level: str | None = "l1"  # at creation; None: not set
    tags: list[str] = field(default_factory=list)
    category: str = "billing"  # the category custom field's option tag
    status: str = "new"
    audits: list[tuple[int, int, list[dict]]] = field(default_factory=list)  # (at, updater, children)

    @property
    def id(self) -> int:
        return 1000 + self.number

    @property
    def current_level(self) -> str | None:
        """The level the ticket shows now: the last level change, else the one it was created with."""
        changes = [c["value"] for _, _, cs in sorted(self.audits, key=lambda a: a[0]) for c in cs
                   if c.get("field_name") == LEVEL and c["event_type"] == "Change"]  # fmt: skip
        return changes[-1] if changes else self.level

    def at(self, offset: int, updater: int, *children: dict) -> Ticket:
        self.audits.append((self.created + offset, updater, list(children)))
        for c in children:
            if c.get("field_name") == "status":
                self.status = c["value"]
        return self

    def record(self) -> dict:
        return {
            "id": self.id,
            "via": {"channel": self.via},
            "created_at": iso(self.created),
            "updated_at": iso(max(a[0] for a in self.audits)),
            "type": "problem" if "complaint" in self.tags else "question",
            "subject": f"golden ticket T{self.number}",
            "priority": "normal",
            "status": self.status,
            "requester_id": self.requester,
            "assignee_id": AGENT,
            "group_id": self.group,
            "tags": self.tags,
            "custom_fields": [
                {"id": LEVEL_FIELD, "value": self.current_level},
                {"id": CATEGORY_FIELD, "value": self.category},
            ],
        }


def create(t: Ticket) -> Ticket:
    children = [
        {"event_type": "Create", "field_name": "status", "value": "new"},
        {"event_type": "Comment", "author_id": t.requester, "public": True, "body": "help", "via": {"channel": t.via}},
        {"event_type": "Create", "field_name": CATEGORY, "value": t.category},
    ]
    if t.level:
        children.insert(1, {"event_type": "Create", "field_name": LEVEL, "value": t.level})
    if t.group:
        children.append({"event_type": "Create", "field_name": "group_id", "value": t.group})
    t.audits.insert(0, (t.created, t.requester, children))
    return t


def assign(seconds: int) -> tuple[int, int, dict]:
    return seconds, AGENT, {"event_type": "Change", "field_name": "assignee_id", "value": AGENT, "previous_value": None}


def reply(author: int = AGENT, via: str = "web") -> dict:
    return {"event_type": "Comment", "author_id": author, "public": True, "body": "answer", "via": {"channel": via}}


def call(talk: int) -> dict:
    return {"event_type": "VoiceComment", "author_id": AGENT, "public": True, "data": {"call_duration": talk},
            "via": {"channel": "voice"}}  # fmt: skip


def status(new: str, old: str) -> dict:
    return {"event_type": "Change", "field_name": "status", "value": new, "previous_value": old}


def level(new: str, old: str | None) -> dict:
    return {"event_type": "Change", "field_name": LEVEL, "value": new, "previous_value": old}


def tickets() -> list[Ticket]:
    vip, regular, unknown = 5001, 5002, 5999
    ts: list[Ticket] = []

    def t(number, via, requester=regular, **kw) -> Ticket:
        ticket = create(Ticket(number, via, requester, **kw))
        ts.append(ticket)
        return ticket

    def a(ticket: Ticket, seconds: int) -> None:
        s, who, ev = assign(seconds)
        ticket.at(s, who, ev, status("open", "new"))

    t1 = t(1, "chat", vip)
    a(t1, 5)
    t1.at(20, AGENT, reply()).at(300, AGENT, status("solved", "open"))
    t2 = t(2, "email")
    t2.at(10, BOT, reply(BOT, "rule"))
    a(t2, 60)
    t2.at(3600, AGENT, reply()).at(7200, AGENT, status("solved", "open"))
    t3 = t(3, "voice")
    a(t3, 2)
    t3.at(15, AGENT, call(200)).at(600, AGENT, status("solved", "open"))
    t3.at(DAY, regular, status("open", "solved"), reply(regular, "voice"))
    t3.at(DAY + 100, AGENT, reply()).at(DAY + 200, AGENT, status("solved", "open"))
    t4 = t(4, "email", tags=["complaint"])
    a(t4, 60)
    t4.at(1800, AGENT, reply()).at(3600, AGENT, {"event_type": "Change", "field_name": "group_id", "value": ESCALATIONS,
                                                 "previous_value": FRONT})  # fmt: skip
    t4.group = ESCALATIONS
    t4.at(30 * HOUR, AGENT_B, status("solved", "open"))
    t5 = t(5, "web")
    a(t5, 100)
    t6 = t(6, "chat", tags=["spam"])
    t6.at(600, AGENT, status("deleted", "new"))
    t7 = t(7, "chat")
    a(t7, 3)
    t7.at(25, AGENT, reply()).at(60, AGENT, reply()).at(400, AGENT, status("solved", "open"))
    t8 = t(8, "email")
    a(t8, 60)
    t8.at(5000, AGENT, reply()).at(6000, regular, reply(regular, "email")).at(9000, AGENT, reply())
    t8.at(10000, AGENT, status("solved", "open"))
    t9 = t(9, "chat", tags=["complaint"])
    a(t9, 5)
    t9.at(100, AGENT, reply()).at(50 * HOUR, AGENT, status("solved", "open"))
    t10 = t(10, "email", tags=["complaint"])
    a(t10, 60)
    t10.at(60 * HOUR, AGENT, status("solved", "open"))
    t11 = t(11, "voice", level="l3")
    a(t11, 1)
    # lowered once the fault is contained: not an escalation, and its FRT target stays L3's
    t11.at(240, AGENT, call(180)).at(600, AGENT, level("l2", "l3")).at(900, AGENT, status("solved", "open"))
    t12 = t(12, "chat")
    a(t12, 5)
    t12.at(20, AGENT, reply())
    t12.at(600, AGENT, level("l2", "l1"))
    t12.at(1200, AGENT, status("solved", "open"))
    t13 = t(13, "email", tags=["test"])
    a(t13, 60)
    t13.at(120, AGENT, reply()).at(180, AGENT, status("solved", "open"))
    t14 = t(14, "email", tags=["closed_by_merge"])
    t14.at(300, AGENT, status("closed", "new"))
    t15 = t(15, "twitter", group=None)
    t15.at(1000, AGENT, reply()).at(2000, AGENT, status("solved", "new"))
    t16 = t(16, "chat", created=D1_CREATED)
    a(t16, 2)
    t16.at(10, AGENT, reply()).at(100, AGENT, status("solved", "open"))
    t17 = t(17, "api")
    a(t17, 10)
    t17.at(500, AGENT, reply()).at(1000, AGENT, status("solved", "open"))
    t18 = t(18, "chat", unknown)
    a(t18, 2)
    t18.at(12, AGENT, reply()).at(200, AGENT, status("solved", "open"))
    t19 = t(19, "email")
    t19.at(-100, AGENT, reply())  # breaks the contract: before the ticket exists
    a(t19, 30)
    t19.at(2000, AGENT, reply()).at(3000, AGENT, status("solved", "open"))
    t20 = t(20, "chat")
    a(t20, 5)
    t20.at(40, AGENT, reply()).at(600, AGENT, status("pending", "open"))
    t21 = t(21, "chat", created=D2_CREATED, level="l2")
    a(t21, 5)
    t21.at(100, AGENT, reply()).at(300, AGENT, level("l3", "l2")).at(600, AGENT, status("solved", "open"))
    t22 = t(22, "chat", created=D2_CREATED, level=None)
    a(t22, 2)
    t22.at(10, AGENT, reply()).at(60, AGENT, level("l3", None)).at(100, AGENT, status("solved", "open"))
    for number, group in ((23, DELETED_GROUP), (24, UNKNOWN_GROUP)):
        tx = t(number, "email", created=D2_CREATED, group=group)
        a(tx, 60)
        tx.at(600, AGENT, reply()).at(1200, AGENT, status("solved", "open"))
    t31 = t(31, "email", created=D3_CREATED)
    a(t31, 60)
    t31.at(600, AGENT, reply())
    t31.status = "closed"  # the ticket says closed; the audits that solved and closed it are missing
    t32 = t(32, "chat", created=D3_CREATED)
    t32.at(20, AGENT, reply()).at(300, AGENT, status("solved", "new"))
    s32, who32, ev32 = assign(600)
    t32.at(s32, who32, ev32)  # assigned after it was solved: well-formed, but an impossible handle time
    t33 = t(33, "chat", created=D3_CREATED)
    a(t33, 10)
    t33.at(30, AGENT, reply()).at(610, AGENT, status("solved", "open"))
    t41 = t(41, "email", created=D4_CREATED)
    a(t41, 60)
    t41.at(600, AGENT, reply())
    t41.status = "closed"  # solve and close audits missing; Zendesk's metric set knows the solve
    t51 = t(51, "email", created=D5_CREATED)
    t51.at(600, AGENT, status("deleted", "new"))
    for number, category in ((52, "complaint"), (53, "billing")):
        tx = t(number, "email", created=D5_CREATED, category=category)
        a(tx, 60)
        tx.at(600, AGENT, reply()).at(1200, AGENT, status("solved", "open"))
    t57 = t(57, "chat", created=D5_CREATED)
    a(t57, 5)
    t57.at(20, AGENT, reply()).at(40, AGENT, reply())
    t57.at(2 * DAY + 60, AGENT, reply()).at(2 * DAY + 100, AGENT, status("solved", "open"))
    t58 = t(58, "email", created=D5_CREATED)
    a(t58, 60)
    t58.at(600, AGENT, reply()).at(3600, AGENT, status("closed", "open"))
    # the SLAs on D-3 (response_level_targets.csv: L2 escalation 2 h, resolution 48 h; L3 15 min, 24 h;
    # L1 resolution 24 h)
    handover = {"event_type": "Change", "field_name": "group_id", "value": ESCALATIONS, "previous_value": FRONT}
    t61 = t(61, "email", created=DM3_CREATED, level="l2")
    a(t61, 60)
    t61.at(600, AGENT, reply()).at(3 * HOUR, AGENT, handover).at(5 * HOUR, AGENT_B, status("solved", "open"))
    t61.group = ESCALATIONS
    t62 = t(62, "chat", created=DM3_CREATED, level="l3")
    a(t62, 5)
    t62.at(60, AGENT, reply()).at(600, AGENT, handover).at(HOUR, AGENT_B, status("solved", "open"))
    t62.group = ESCALATIONS
    for number, solved in ((63, 30 * HOUR), (64, HOUR), (65, None)):
        tx = t(number, "email", created=DM3_CREATED, level="l2" if number == 64 else "l1")
        a(tx, 60)
        tx.at(600, AGENT, reply())
        if solved:
            tx.at(solved, AGENT, status("solved", "open"))
    # young at the horizon: every event before it, so the horizon stays T57's solve
    t71 = t(71, "chat", created=HORIZON - 10 * HOUR, tags=["complaint"])
    a(t71, 300)
    t71.at(600, AGENT, reply())
    t72 = t(72, "email", created=HORIZON - HOUR, level="l2")
    a(t72, 60)
    # local-day edges: Shanghai is UTC+8
    t(54, "chat", created=D5_CREATED - 150 * 60)  # 07:30 local, 23:30 UTC the day before
    t(56, "chat", created=D5_CREATED + 14 * HOUR - 60)  # 23:59 local
    t(55, "chat", created=D5_CREATED + 14 * HOUR + 60)  # 00:01 local on D+6, 16:01 UTC on D+5
    return ts


# Zendesk's satisfaction ratings (legacy CSAT, Satisfaction Ratings reference shape), all last
# changed on D+4: T41 rated good, T31 (created D+3) rated bad, T33 offered a rating it never answered.
SATISFACTION_RATINGS = [
    {"id": 8041, "ticket_id": 1041, "score": "good", "comment": "Quick, thanks", "requester_id": 501,
     "created_at": iso(D4_CREATED + 3600), "updated_at": iso(D4_CREATED + 7200)},
    {"id": 8031, "ticket_id": 1031, "score": "bad", "comment": None, "reason": "Issue is not resolved",
     "requester_id": 501, "created_at": iso(D4_CREATED + 600), "updated_at": iso(D4_CREATED + 9000)},
    {"id": 8033, "ticket_id": 1033, "score": "offered", "comment": None, "requester_id": 501,
     "created_at": iso(D4_CREATED + 1200), "updated_at": iso(D4_CREATED + 1200)},
]  # fmt: skip

# Zendesk's own metrics, sideloaded with the ticket export (Ticket Metrics reference shape): T41
# was first solved 90 minutes after creation.
METRIC_SETS = [
    {
        "id": 9041,
        "ticket_id": 1041,
        "created_at": iso(D4_CREATED),
        "updated_at": iso(D4_CREATED + 5400),
        "reply_time_in_minutes": {"calendar": 10, "business": 10},
        "first_resolution_time_in_minutes": {"calendar": 90, "business": 90},
        "full_resolution_time_in_minutes": {"calendar": 90, "business": 90},
        "reopens": 0,
        "replies": 1,
        "solved_at": iso(D4_CREATED + 5400),
    }
]


def ticket_events_page(ts: list[Ticket]) -> dict:
    audits = []
    for t in ts:
        for n, (at, updater, children) in enumerate(t.audits, start=1):
            audit_id = t.id * 100 + n
            audits.append({
                "id": audit_id, "ticket_id": t.id, "timestamp": at, "created_at": iso(at), "updater_id": updater,
                "via": "web", "event_type": "Audit",
                "child_events": [{"id": audit_id * 10 + k, **c} for k, c in enumerate(children, start=1)],
            })  # fmt: skip
    audits.sort(key=lambda a: (a["timestamp"], a["id"]))
    return {"ticket_events": audits, "end_of_stream": True, "end_time": audits[-1]["timestamp"], "count": len(audits)}


def reference_pages() -> dict[str, dict]:
    stamp = iso(D_CREATED - 30 * DAY)
    return {
        "groups": {"groups": [
            {"id": FRONT, "name": "Front Line", "deleted": False, "updated_at": stamp},
            {"id": ESCALATIONS, "name": "Technical Escalations", "deleted": False, "updated_at": stamp},
        ], "meta": {"has_more": False}},
        "users": {"users": [
            {"id": AGENT, "role": "agent", "active": True, "tags": [], "updated_at": stamp},
            {"id": AGENT_B, "role": "agent", "active": True, "tags": [], "updated_at": stamp},
            {"id": BOT, "role": "agent", "active": True, "tags": ["bot"], "updated_at": stamp},
        ], "meta": {"has_more": False}},
        # Show Group answers for a deleted group the list leaves out (the connector asks by id)
        "groups_by_id": {"group": {"id": DELETED_GROUP, "name": "Returns Desk", "deleted": True,
                                   "updated_at": stamp}},
        "ticket_fields": {"ticket_fields": [
            {"id": 360000000100, "type": "status", "title": "Status", "raw_title": "Status", "active": True,
             "updated_at": stamp},
            {"id": LEVEL_FIELD, "type": "tagger", "title": "Response level", "raw_title": "Response level",
             "active": True, "updated_at": stamp, "custom_field_options": [
                {"id": 1, "name": "L1 - Routine", "raw_name": "L1 - Routine", "value": "l1"},
                {"id": 2, "name": "L2 - Coordination", "raw_name": "L2 - Coordination", "value": "l2"},
                {"id": 3, "name": "L3 - Major incident", "raw_name": "L3 - Major incident", "value": "l3"}]},
            {"id": CATEGORY_FIELD, "type": "tagger", "title": "Ticket category", "raw_title": "Ticket category",
             "active": True, "updated_at": stamp, "custom_field_options": [
                {"id": 4, "name": "Billing", "raw_name": "Billing", "value": "billing"}]},
        ], "meta": {"has_more": False}},
        "companies": {"results": []},
        "contacts": {"results": [
            {"id": "7001", "updatedAt": stamp, "properties": {
                "email": "Vip.Customer@Example.com", "phone": "138-0013-8000", "customer_tier": "VIP", "region": "east",
                "returning_customer": "true", "zendesk_user_id": "5001", "createdate": stamp}},
            {"id": "7002", "updatedAt": stamp, "properties": {
                "email": "someone@example.cn", "phone": "+86 139 0000 0000", "customer_tier": "regular",
                "region": "north", "returning_customer": "false", "zendesk_user_id": "5002", "createdate": stamp}},
        ]},
    }  # fmt: skip


def survey_api_page() -> list[dict]:
    """Delighted responses (one survey type each, the answer in `score`; tests/fixtures/delighted/):
    the CSAT survey S1-S4, S8-S10 with the dimension questions, and the NPS survey N1-N4 the same
    customers answered about the same tickets."""

    def response(rid, ticket, submitted, updated, survey_type, score, dims=None):
        answers = [{"question": {"id": k, "type": "scale"}, "value": {"scale": v}} for k, v in (dims or {}).items()]
        return {"id": rid, "survey_type": survey_type, "score": score, "comment": "", "created_at": submitted,
                "updated_at": updated, "person_properties": {"Ticket ID": str(ticket)} if ticket else {},
                "additional_answers": answers}  # fmt: skip

    noon = D_CREATED + 2 * HOUR
    d4 = dict(speed=5, accuracy=5, attitude=5, resolution=5)
    return [
        response("S1", 1001, noon, None, "csat", 5, d4),
        response("S2", 1002, noon, None, "csat", 4, dict(speed=3, accuracy=4, attitude=5, resolution=4)),
        response("S3", 1003, noon, None, "csat", 2, dict(speed=2, accuracy=2, attitude=3, resolution=1)),
        # S4 is submitted on D and changed ten days later: it still counts on D
        response(
            "S4", 1004, noon + 8 * HOUR, noon + 10 * DAY, "csat", 1, dict(speed=1, accuracy=2, attitude=2, resolution=1)
        ),
        response("N1", 1001, noon, None, "nps", 10),
        response("N2", 1002, noon, None, "nps", 8),
        response("N3", 1003, noon, None, "nps", 3),
        response("N4", 1004, noon + 8 * HOUR, noon + 10 * DAY, "nps", 0),
        response("S8", 1011, noon, None, "csat", 5, dict(speed=5)),
        response("S9", 1012, noon, None, "csat", 7, d4),  # CSAT 7 on a 5-point scale: rejected
        response("S10", 1016, D1_CREATED + HOUR, None, "csat", 4, d4),
        response("N6", 1006, noon, None, "nps", 10),  # about the spam ticket T6: counts in no KPI
        response("S51", 1051, D5_CREATED + 2 * HOUR, None, "csat", 5, d4),  # about the deleted T51
    ]


# The 问卷星 responses, in its "按文本" Excel download (tests/fixtures/survey_exports/make_fixtures.py):
# S5 1007 在线客服 overall 5, dimensions 5 4 5 5, 愿意; S6 1009 在线客服 3, 3 3 4 3, 不确定;
# S7 no ticket, 微信, 4, 4 4 4 4, 不愿意.
WJX_ROWS = [
    ["S5", "2026/03/10 15:00:00", "120秒", "微信", "N/A", "1.2.3.4(上海)", 1007, "在线客服",
     "非常满意", "非常满意", "满意", "非常满意", "非常满意", "愿意", "电话回访", "好"],
    ["S6", "2026/03/10 16:00:00", "120秒", "微信", "N/A", "1.2.3.4(上海)", 1009, "在线客服",
     "一般", "一般", "一般", "满意", "一般", "不确定", "电话回访", "一般"],
    ["S7", "2026/03/10 17:00:00", "120秒", "微信", "N/A", "1.2.3.4(上海)", "(空)", "微信",
     "满意", "满意", "满意", "满意", "满意", "不愿意", "电话回访", "还行"],
]  # fmt: skip


def write_pages(directory: Path) -> dict[str, Path]:
    """Write every source page of the fixture; returns stream -> file."""
    directory.mkdir(parents=True, exist_ok=True)
    ts = tickets()
    pages = {
        "tickets": {"tickets": [t.record() for t in ts], "metric_sets": METRIC_SETS, "end_of_stream": True},
        "ticket_events": ticket_events_page(ts),
        **reference_pages(),
        "api_responses": survey_api_page(),
        "satisfaction_ratings": {"satisfaction_ratings": SATISFACTION_RATINGS, "meta": {"has_more": False}},
    }
    out = {}
    for name, page in pages.items():
        out[name] = directory / f"{name}.json"
        out[name].write_text(json.dumps(page, ensure_ascii=False), "utf-8")
    out["csv_responses"] = write_wjx(directory / "108397328_0_客户满意度回访.xlsx", WJX_ROWS)
    return out
