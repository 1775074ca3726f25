"""Ticket timelines for one local day of the sample, and their state as of any instant.

A ticket's whole life (audits with child events) is drawn once from a per-day seed. What the
ticketing API serves is that life cut at "now": tickets created today are still open, tickets from
last week are solved, reopened or closed. Survey responses follow from the same timelines.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from ingestion.sample.organisation import (
    BOT_USER_ID,
    CATEGORIES,
    CATEGORY_FIELD_ID,
    COMPLAINTS_DESK,
    ESCALATIONS,
    FRONT_TEAM,
    RESPONSE_LEVEL_FIELD_ID,
    RETIRED_TEAM,
    TEAM_BY_ID,
    VIA_CHANNELS,
    build_organisation,
)

# Weekday volume (Mon..Sun) and hour-of-day shape of contacts.
WEEKDAY_FACTOR = (1.18, 1.10, 1.05, 1.02, 0.98, 0.75, 0.68)
HOUR_WEIGHTS = (
    0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.5, 1.2, 2.6, 3.6, 4.0, 3.7,
    2.9, 3.2, 3.8, 3.9, 3.5, 3.0, 2.6, 2.4, 2.1, 1.6, 1.0, 0.6,
)  # fmt: skip

# Median first-response seconds per taxonomy channel, before the team's speed factor.
FRT_MEDIAN = {
    "phone": 14,
    "chat": 22,
    "app": 26,
    "wechat": 28,
    "social": 2_400,
    "email": 9_000,
    "web_form": 10_000,
    "other": 12_000,
}
# Median handle seconds (acceptance to resolution).
HANDLE_MEDIAN = {
    "phone": 900,
    "chat": 1_300,
    "app": 1_800,
    "wechat": 2_400,
    "social": 14_000,
    "email": 60_000,
    "web_form": 64_000,
    "other": 70_000,
}
MAX_LIFETIME_DAYS = 14  # every event of an ordinary ticket lies within this many days of its creation
# A few tickets a day wait on the customer or a supplier for 20-60 days after their first reply,
# then are solved, and half of them reopened and solved again: email and complex cases that real
# accounts have and a 14-day look-back misses. They come from a random stream of their own, so
# every other ticket stays as it was, and their ids start at LONG_RUNNING_ID_OFFSET within the day.
LONG_RUNNING_LIFETIME_DAYS = 76  # every event of a long-running ticket, its close included
LONG_RUNNING_ID_OFFSET = 90_000
LONG_RUNNING_SHARE = 0.002  # of the day's volume, at least one a day (SampleConfig.long_running_per_day)
# Zendesk bumps a ticket's `generated_timestamp` for system updates that leave `updated_at` alone
# (metric and SLA recalculation). Every fifth sample ticket gets one this long after its last
# audit, so the export's order (by generated_timestamp) differs from updated_at order as it does
# in a real account.
SYSTEM_TOUCH_SECONDS = 2_700
# A custom field change names the field by its id, as a string (incremental ticket events export).
LEVEL_FIELD, CATEGORY_FIELD = str(RESPONSE_LEVEL_FIELD_ID), str(CATEGORY_FIELD_ID)


def complaint_surge(day: date) -> float:
    """Extra complaint probability around 15 March (consumer-rights day): late Feb to mid-March."""
    start, peak, end = date(day.year, 2, 20), date(day.year, 3, 15), date(day.year, 3, 22)
    if not (start <= day <= end):
        return 0.0
    if day <= peak:
        return 0.045 * (day - start).days / (peak - start).days
    return 0.045 * (end - day).days / (end - peak).days


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Audit:
    """One Zendesk ticket audit: a moment and the child events it carries."""

    id: int
    ticket_id: int
    at: int
    updater_id: int
    via: str
    child_events: list[dict]


@dataclass
class TicketLife:
    id: int
    created: int
    via_channel: str
    channel: str
    requester_id: int
    subject: str
    ticket_type: str
    category: str
    response_level: str
    tags: list[str]
    audits: list[Audit] = field(default_factory=list)
    defect: str | None = None  # a contract break this ticket's record is served with
    survey_seed: int = 0

    def generated_at(self, now: int) -> int | None:
        """The ticket's `generated_timestamp` at `now`: its last audit, or a later system update."""
        visible = [a.at for a in self.audits if a.at <= now]
        if not visible:
            return None
        touched = visible[-1] + SYSTEM_TOUCH_SECONDS
        return touched if self.id % 5 == 0 and touched <= now else visible[-1]

    def state_at(self, now: int) -> dict | None:
        """The ticket as the API shows it at `now` (None if not created yet)."""
        visible = [a for a in self.audits if a.at <= now]
        if not visible:
            return None
        fields: dict = {}
        tags = list(self.tags)
        for audit in visible:
            for ev in audit.child_events:
                if ev["event_type"] in ("Create", "Change") and "field_name" in ev:
                    fields[ev["field_name"]] = ev["value"]
                    if ev["field_name"] == "tags":
                        tags = list(ev["value"])
        custom = [
            {"id": RESPONSE_LEVEL_FIELD_ID, "value": fields.get(LEVEL_FIELD, self.response_level)},
            {"id": CATEGORY_FIELD_ID, "value": fields.get(CATEGORY_FIELD, self.category)},
        ]
        record = {
            "url": f"https://sample.zendesk.com/api/v2/tickets/{self.id}.json",
            "id": self.id,
            "external_id": None,
            "via": {"channel": self.via_channel, "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": iso(self.created),
            "updated_at": iso(visible[-1].at),
            "generated_timestamp": self.generated_at(now),
            "type": self.ticket_type,
            "subject": self.subject,
            "priority": fields.get("priority", "normal"),
            "status": fields.get("status", "new"),
            "requester_id": self.requester_id,
            "submitter_id": self.requester_id,
            "assignee_id": fields.get("assignee_id"),
            "group_id": fields.get("group_id"),
            "tags": tags,
            "custom_fields": custom,
            "is_public": True,
        }
        if self.defect == "missing id":
            del record["id"]
        elif self.defect == "unparseable created_at":
            record["created_at"] = "31/02/yesterday 25:61"
        elif self.defect == "future created_at":
            record["created_at"] = "2099-01-01T00:00:00Z"
        return record


@dataclass(frozen=True)
class SampleConfig:
    seed: int = 20_260_101
    tickets_per_day: int = 3_000
    customers: int = 50_000
    timezone: str = "Asia/Shanghai"
    defect_rate: float = 0.002
    # local days on which no ticket is created (weekends and holidays of a small team)
    quiet_days: tuple[date, ...] = ()
    # share of the solved tickets the legacy rating leaves out that get a CSAT survey response (the
    # newer 1-5 CSAT) instead: the sample serves both, though a real account has one of them
    csat_survey_share: float = 0.25
    # long-running tickets created a day (None: LONG_RUNNING_SHARE of the volume, at least one)
    long_running_per_day: int | None = None


class _Ids:
    """Deterministic ids: a ticket's audits and events number from its own id."""

    @staticmethod
    def audit(ticket_id: int, n: int) -> int:
        return ticket_id * 100 + n

    @staticmethod
    def event(audit_id: int, n: int) -> int:
        return audit_id * 10 + n


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _local_midnight_epoch(day: date, tz: ZoneInfo) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())


@lru_cache(maxsize=128)
def tickets_for_day(config: SampleConfig, day: date) -> tuple[TicketLife, ...]:
    """Every ticket created on local `day`, with its whole timeline."""
    tz = ZoneInfo(config.timezone)
    org = build_organisation(config.seed, config.customers)
    rng = random.Random(f"{config.seed}:tickets:{day.isoformat()}")
    surge = complaint_surge(day)
    volume = config.tickets_per_day * WEEKDAY_FACTOR[day.weekday()] * (1 + 2 * surge) * rng.uniform(0.94, 1.06)
    count = 0 if day in config.quiet_days else round(volume)
    midnight = _local_midnight_epoch(day, tz)
    day_seconds = _local_midnight_epoch(day + timedelta(days=1), tz) - midnight
    via_values = [v for v, _, _ in VIA_CHANNELS]
    via_weights = [w for _, _, w in VIA_CHANNELS]
    taxonomy = {v: c for v, c, _ in VIA_CHANNELS}
    hours = list(range(24))
    if count >= LONG_RUNNING_ID_OFFSET:
        raise ValueError(f"{count} tickets on {day}: the sample numbers at most {LONG_RUNNING_ID_OFFSET - 1} a day")
    tickets = []
    for i in range(count):
        ticket_id = day.toordinal() * 100_000 + i
        hour = rng.choices(hours, HOUR_WEIGHTS)[0]
        created = midnight + min(day_seconds - 1, hour * 3600 + rng.randrange(3600))
        via = rng.choices(via_values, via_weights)[0]
        customer = org.customers[rng.randrange(len(org.customers))]
        tickets.append(_draw_ticket(rng, config, ticket_id, created, via, taxonomy[via], customer, surge))
    return tuple(tickets)


@lru_cache(maxsize=256)
def long_running_tickets_for_day(config: SampleConfig, day: date) -> tuple[TicketLife, ...]:
    """The long-running tickets created on local `day`: drawn as any email or web-form ticket, then
    left pending for 20-60 days after the first reply (see _stretch)."""
    tz = ZoneInfo(config.timezone)
    org = build_organisation(config.seed, config.customers)
    rng = random.Random(f"{config.seed}:long-running:{day.isoformat()}")
    count = config.long_running_per_day
    if count is None:
        count = max(1, round(config.tickets_per_day * LONG_RUNNING_SHARE))
    if day in config.quiet_days:
        count = 0
    midnight = _local_midnight_epoch(day, tz)
    day_seconds = _local_midnight_epoch(day + timedelta(days=1), tz) - midnight
    taxonomy = {v: c for v, c, _ in VIA_CHANNELS}
    tickets = []
    for i in range(count):
        ticket_id = day.toordinal() * 100_000 + LONG_RUNNING_ID_OFFSET + i
        created = midnight + rng.randrange(day_seconds)
        via = rng.choice(("email", "web"))
        customer = org.customers[rng.randrange(len(org.customers))]
        life = _draw_ticket(rng, config, ticket_id, created, via, taxonomy[via], customer, 0.0)
        life.defect = None  # its record is well-formed: the case is its timing
        _stretch(life, rng)
        tickets.append(life)
    return tuple(tickets)


def _stretch(life: TicketLife, rng: random.Random) -> None:
    """Leave a solved ticket pending for 20-60 days after its first agent reply: every later audit
    moves by that wait. Half of them are then reopened 1 h - 3 d after the solve and solved again."""
    replies = [a for a in life.audits if any(is_agent_reply(life, a, ev) for ev in a.child_events)]
    solves = [a for a in life.audits if any(ev.get("field_name") == "status" and ev["value"] == "solved"
                                              for ev in a.child_events)]  # fmt: skip
    if not replies or not solves:
        return  # never answered, or not solved: nothing waits
    first_reply = replies[0]
    wait = rng.randint(20 * 86_400, 60 * 86_400)
    later = [a for a in life.audits if a.at > first_reply.at]
    for a in later:
        a.at += wait
    n = len(life.audits)

    def audit(at: int, updater: int, via: str, *events: dict) -> Audit:
        nonlocal n
        n += 1
        audit_id = _Ids.audit(life.id, n)
        children = [{"id": _Ids.event(audit_id, k), **ev} for k, ev in enumerate(events, start=1)]
        return Audit(audit_id, life.id, at, updater, via, children)

    to_pending = {"event_type": "Change", "field_name": "status", "value": "pending", "previous_value": "open"}
    pending = audit(first_reply.at + 60, first_reply.updater_id, "web", to_pending)
    life.audits.insert(life.audits.index(first_reply) + 1, pending)
    if was_reopened(life) or rng.random() < 0.5:
        return
    close = life.audits[-1]  # the automation's close, 4 days after the last solve
    solve = solves[-1]
    reopened = solve.at + rng.randint(3600, 3 * 86_400)
    again = reopened + rng.randint(3600, 2 * 86_400)
    life.audits[-1:-1] = [
        audit(reopened, life.requester_id, life.via_channel,
              {"event_type": "Change", "field_name": "status", "value": "open", "previous_value": "solved"},
              {"event_type": "Comment", "author_id": life.requester_id, "body": "This is not fixed.",
               "public": True, "via": {"channel": life.via_channel}}),
        audit(again - 60, solve.updater_id, "web",
              {"event_type": "Comment", "author_id": solve.updater_id, "body": "Fixed now.", "public": True,
               "via": {"channel": "web"}}),
        audit(again, solve.updater_id, "web",
              {"event_type": "Change", "field_name": "status", "value": "solved", "previous_value": "open"}),
    ]  # fmt: skip
    close.at = again + 4 * 86_400


def ticket_lives(config: SampleConfig, created_day: date, *, long_running_only: bool = False) -> tuple[TicketLife, ...]:
    """The tickets created on `created_day`: every one, or only the long-running ones (the only
    ones with activity more than MAX_LIFETIME_DAYS after their creation)."""
    long_running = long_running_tickets_for_day(config, created_day)
    return long_running if long_running_only else tickets_for_day(config, created_day) + long_running


def creation_days(first_day: date, last_day: date, extra_days: int):
    """(created_day, long_running_only) of every creation day whose tickets can act in
    [first_day, last_day] when their activity trails their lifetime by up to `extra_days`."""
    day = first_day - timedelta(days=LONG_RUNNING_LIFETIME_DAYS + extra_days)
    ordinary_from = first_day - timedelta(days=MAX_LIFETIME_DAYS + extra_days)
    while day <= last_day:
        yield day, day < ordinary_from
        day += timedelta(days=1)


def ticket_by_id(config: SampleConfig, ticket_id: int) -> TicketLife:
    """A sample ticket by id: the id encodes its creation day and its place in that day's draw."""
    day, index = date.fromordinal(ticket_id // 100_000), ticket_id % 100_000
    if index >= LONG_RUNNING_ID_OFFSET:
        return long_running_tickets_for_day(config, day)[index - LONG_RUNNING_ID_OFFSET]
    return tickets_for_day(config, day)[index]


def _draw_ticket(rng, config, ticket_id, created, via, channel, customer, surge) -> TicketLife:
    life = _draw_life(rng, config, ticket_id, created, via, channel, customer, surge)
    _route_to_agent(life, config)
    return life


def _agent_order(config: SampleConfig, group_id: int) -> tuple[int, ...]:
    """A team's agents from the quickest and most thorough to the slowest: a random stream of their own
    (one shuffle per team), so no other draw of the sample moves."""
    agents = [a.user_id for a in build_organisation(config.seed, config.customers).agents_by_group[group_id]]
    random.Random(f"{config.seed}:agent-order:{group_id}").shuffle(agents)
    return tuple(agents)


def _route_to_agent(life: TicketLife, config: SampleConfig) -> None:
    """Agents who differ: which agent of the team worked a ticket follows how the ticket went, so the
    quick and thorough agents of a team have the fast, one-touch tickets and the others the slow ones.

    The ticket's timeline is drawn first, exactly as before (the day's random stream is untouched, so
    every time, team and KPI of the sample is what it was); then the front agent it was drawn with is
    swapped, in every audit, for the agent at the ticket's place in the team's order (_agent_order):
    its first reply's quantile among the channel's (lognormal, as drawn), a second contact or no
    reply pushing it to the slow end, and some noise from the ticket's own stream. Escalated-to
    agents and spam or merged tickets stay as drawn.
    """
    first = next(
        (ev for a in life.audits for ev in a.child_events
         if ev.get("field_name") == "assignee_id" and ev.get("previous_value") is None), None,
    )  # fmt: skip
    group_id = next(ev["value"] for ev in life.audits[0].child_events if ev.get("field_name") == "group_id")
    order = _agent_order(config, group_id)
    if first is None or len(order) < 2:
        return
    drawn = first["value"]
    replies = [a.at for a in life.audits for ev in a.child_events
               if ev.get("author_id") == drawn and ev.get("public") is not False
               and ev["event_type"] in ("Comment", "VoiceComment")]  # fmt: skip
    if replies:
        frt = max(1, replies[0] - life.created)
        quantile = 0.5 * (1 + math.erf(math.log(frt / FRT_MEDIAN[life.channel]) / (0.75 * math.sqrt(2))))
    else:
        quantile = 1.0
    place = 0.6 * quantile + (0.3 if len(replies) != 1 else 0.0)
    place += random.Random(f"{config.seed}:routing:{life.id}").uniform(0.0, 0.3)
    agent = order[min(len(order) - 1, int(place / 1.2 * len(order)))]
    for audit in life.audits:
        if audit.updater_id == drawn:
            audit.updater_id = agent
        for ev in audit.child_events:
            if ev.get("author_id") == drawn:
                ev["author_id"] = agent
            if ev.get("field_name") == "assignee_id":
                ev["value"] = agent if ev["value"] == drawn else ev["value"]
                ev["previous_value"] = agent if ev["previous_value"] == drawn else ev["previous_value"]
            if (ev.get("data") or {}).get("answered_by_id") == drawn:
                ev["data"]["answered_by_id"] = agent


def _draw_life(rng, config, ticket_id, created, via, channel, customer, surge) -> TicketLife:
    org = build_organisation(config.seed, config.customers)
    complaint = rng.random() < 0.008 + surge + (0.01 if customer.tier == "VIP" else 0.0)
    category = rng.choice(CATEGORIES)
    if complaint:
        category = rng.choice(("product_defect", "delivery", "refund", "billing"))
    level = "l3" if rng.random() < 0.02 else ("l2" if rng.random() < 0.18 else "l1")
    if complaint and rng.random() < 0.4:
        level = "l2"
    tags = [category]
    if complaint:
        tags.append("complaint")
    if customer.tier == "VIP":
        tags.append("vip")
    life = TicketLife(
        id=ticket_id,
        created=created,
        via_channel=via,
        channel=channel,
        requester_id=customer.zendesk_user_id,
        subject=f"{category.replace('_', ' ')} enquiry",
        ticket_type="problem" if complaint else rng.choice(("question", "question", "incident", "task")),
        category=category,
        response_level=level,
        tags=tags,
        survey_seed=rng.randrange(2**31),
    )
    exclusion = rng.random()
    if exclusion < 0.004:
        life.tags.append("spam")
    elif exclusion < 0.006:
        life.tags.append("test")
        life.subject = "[TEST] " + life.subject
    if rng.random() < config.defect_rate:
        life.defect = rng.choice(("missing id", "unparseable created_at", "future created_at"))

    group_id = FRONT_TEAM[channel]
    if category == "billing" and rng.random() < 0.5:
        group_id = 360_006
    team = TEAM_BY_ID[group_id]
    agents = org.agents_by_group[group_id]
    agent = agents[rng.randrange(len(agents))]
    # Some refunds went to the since-deleted Returns Desk and its one agent. Chosen by id, after the
    # usual draw, and timed as the team it stands in for: the day's random stream, and so every
    # other ticket, stays exactly as it was.
    if category == "refund" and ticket_id % 4 == 0:
        group_id = RETIRED_TEAM.group_id
        agent = org.agents_by_group[group_id][0]
    n_audit = 0

    def audit(at: int, updater: int, via_label: str, *events: dict) -> None:
        nonlocal n_audit
        n_audit += 1
        audit_id = _Ids.audit(ticket_id, n_audit)
        children = []
        for k, ev in enumerate(events, start=1):
            children.append({"id": _Ids.event(audit_id, k), **ev})
        life.audits.append(Audit(audit_id, ticket_id, at, updater, via_label, children))

    def change(name: str, value, previous=None) -> dict:
        return {"event_type": "Change", "field_name": name, "value": value, "previous_value": previous}

    def comment(author: int, public: bool, body: str, via_channel: str) -> dict:
        return {
            "event_type": "Comment",
            "author_id": author,
            "body": body,
            "public": public,
            "via": {"channel": via_channel},
        }

    priority = "urgent" if level == "l3" else ("high" if complaint or customer.tier == "VIP" else "normal")
    audit(
        created,
        customer.zendesk_user_id,
        via,
        {"event_type": "Create", "field_name": "status", "value": "new"},
        {"event_type": "Create", "field_name": "priority", "value": priority},
        {"event_type": "Create", "field_name": "group_id", "value": group_id},
        {"event_type": "Create", "field_name": LEVEL_FIELD, "value": level},
        comment(customer.zendesk_user_id, True, life.subject, via),
        {"event_type": "Create", "field_name": CATEGORY_FIELD, "value": category},
    )
    if "spam" in life.tags:
        audit(
            created + rng.randint(300, 7200),
            agent.user_id,
            "web",
            change("status", "deleted", "new"),
            change("tags", [*life.tags], life.tags),
        )
        return life
    if rng.random() < 0.005:  # merged into another ticket
        life.tags.append("closed_by_merge")
        audit(
            created + rng.randint(600, 7200),
            agent.user_id,
            "web",
            change("status", "closed", "new"),
            change("tags", [*life.tags], life.tags),
        )
        return life

    reply_channel = "voice" if channel == "phone" else "web"
    speed = team.speed * (0.6 if level == "l3" else 1.0)
    t = created
    if channel in ("email", "web_form", "social", "other") and rng.random() < 0.55:
        audit(
            created + rng.randint(2, 20),
            BOT_USER_ID,
            "rule",
            comment(BOT_USER_ID, True, "We have received your request.", "rule"),
        )
    assign_delay = int(_lognormal(rng, FRT_MEDIAN[channel] * 0.4 * speed, 0.6))
    t = created + max(1, assign_delay)
    audit(t, agent.user_id, "web", change("assignee_id", agent.user_id, None), change("status", "open", "new"))
    accepted = t

    if rng.random() < 0.025:  # never answered: stays open
        return life

    frt = max(3, int(_lognormal(rng, FRT_MEDIAN[channel] * speed, 0.75)))
    first_reply = max(created + frt, accepted + 1)
    if channel == "phone":
        talk = int(_lognormal(rng, 260, 0.55))
        audit(
            first_reply,
            agent.user_id,
            "voice",
            {
                "event_type": "VoiceComment",
                "author_id": agent.user_id,
                "public": True,
                "data": {"call_duration": talk, "answered_by_id": agent.user_id},
                "via": {"channel": "voice"},
            },
        )
    else:
        audit(
            first_reply,
            agent.user_id,
            reply_channel,
            comment(agent.user_id, True, "Thanks, looking into it.", reply_channel),
        )
    t = first_reply

    escalate_p = 0.05 + (0.5 if complaint else 0.0) + (0.35 if level == "l3" else 0.12 if level == "l2" else 0.0)
    if rng.random() < min(escalate_p, 0.9):
        target = COMPLAINTS_DESK if complaint else ESCALATIONS
        delay = int(_lognormal(rng, 900 if level == "l3" else 3 * 3600, 0.9))
        t = t + max(60, delay)
        new_agent = org.agents_by_group[target][rng.randrange(len(org.agents_by_group[target]))]
        audit(
            t,
            agent.user_id,
            "web",
            change("group_id", target, group_id),
            change("assignee_id", new_agent.user_id, agent.user_id),
            change("priority", "urgent" if level != "l1" else "high", priority),
            comment(agent.user_id, False, "Escalating to the owning team.", "web"),
        )
        if level == "l1" and rng.random() < 0.3:
            audit(t + 1, agent.user_id, "web", change(LEVEL_FIELD, "l2", "l1"))
        agent = new_agent
        team = TEAM_BY_ID[target]

    one_touch = rng.random() < (0.8 if channel in ("phone", "chat", "app", "wechat") else 0.4)
    extra_replies = 0 if one_touch else rng.choice((1, 1, 2, 2, 3))
    for _ in range(extra_replies):
        t += int(_lognormal(rng, HANDLE_MEDIAN[channel] * 0.3 * team.speed, 0.8)) + 60
        audit(t, customer.zendesk_user_id, via, comment(customer.zendesk_user_id, True, "More details.", via))
        t += int(_lognormal(rng, FRT_MEDIAN[channel] * 2 * team.speed, 0.8)) + 30
        audit(t, agent.user_id, reply_channel, comment(agent.user_id, True, "Here is what we found.", reply_channel))

    solve_p = team.resolution * (0.97 if channel in ("phone", "chat") else 0.93)
    if rng.random() > solve_p:
        audit(t + rng.randint(600, 86_400), agent.user_id, "web", change("status", "pending", "open"))
        return life
    handle = int(_lognormal(rng, HANDLE_MEDIAN[channel] * team.speed, 0.8))
    solved = max(t + 30, accepted + handle)
    solved = min(solved, created + 6 * 86_400)
    audit(solved, agent.user_id, "web", change("status", "solved", "open"))
    last_solved = solved
    if rng.random() < 0.06 + (0.06 if complaint else 0.0):
        reopened = solved + rng.randint(3600, 3 * 86_400)
        audit(
            reopened,
            customer.zendesk_user_id,
            via,
            change("status", "open", "solved"),
            comment(customer.zendesk_user_id, True, "This is not fixed.", via),
        )
        again = reopened + int(_lognormal(rng, HANDLE_MEDIAN[channel] * team.speed, 0.7))
        again = min(again, created + 10 * 86_400)
        audit(again - 60, agent.user_id, reply_channel, comment(agent.user_id, True, "Fixed now.", reply_channel))
        audit(again, agent.user_id, "web", change("status", "solved", "open"))
        last_solved = again
    audit(last_solved + 4 * 86_400, -1, "rule", change("status", "closed", "solved"))
    return life


def first_solve(life: TicketLife) -> int | None:
    for a in life.audits:
        for ev in a.child_events:
            if ev.get("field_name") == "status" and ev["value"] == "solved":
                return a.at
    return None


def was_reopened(life: TicketLife) -> bool:
    return any(
        ev.get("field_name") == "status" and ev["value"] == "open" and ev.get("previous_value") == "solved"
        for a in life.audits
        for ev in a.child_events
    )


def is_agent_reply(life: TicketLife, audit: Audit, ev: dict) -> bool:
    """A public comment or call by an agent: not the requester, not the auto-reply bot or a trigger."""
    return (
        ev["event_type"] in ("Comment", "VoiceComment")
        and bool(ev.get("public"))
        and audit.updater_id not in (life.requester_id, BOT_USER_ID)
        and ev.get("via", {}).get("channel") != "rule"
    )


def first_reply_seconds(life: TicketLife) -> int | None:
    for a in life.audits:
        for ev in a.child_events:
            if is_agent_reply(life, a, ev):
                return a.at - life.created
    return None


def metric_set(life: TicketLife, now: int) -> dict | None:
    """The ticket's Zendesk metric set at `now`, in the shape of the Ticket Metrics reference.

    The sample has no business-hours schedule, so business minutes equal calendar minutes; minutes
    are whole minutes, rounded down. A reply is a public comment or call by an agent (not the
    requester, not the auto-reply bot).
    """
    visible = [a for a in life.audits if a.at <= now]
    if not visible:
        return None
    replies, solves, assigns, reopens = [], [], [], 0
    for a in visible:
        for ev in a.child_events:
            if is_agent_reply(life, a, ev):
                replies.append(a.at)
            if ev.get("field_name") == "status" and ev.get("value") == "solved":
                solves.append(a.at)
            if ev.get("field_name") == "status" and ev.get("value") == "open" and ev.get("previous_value") == "solved":
                reopens += 1
            if ev.get("field_name") == "assignee_id" and ev.get("value") is not None:
                assigns.append(a.at)

    def minutes(at: int | None) -> dict:
        value = None if at is None else (at - life.created) // 60
        return {"calendar": value, "business": value}

    return {
        "url": f"https://sample.zendesk.com/api/v2/ticket_metrics/{life.id}.json",
        "id": life.id * 10 + 7,
        "ticket_id": life.id,
        "created_at": iso(life.created),
        "updated_at": iso(visible[-1].at),
        "reply_time_in_minutes": minutes(replies[0] if replies else None),
        "first_resolution_time_in_minutes": minutes(solves[0] if solves else None),
        "full_resolution_time_in_minutes": minutes(solves[-1] if solves else None),
        "agent_wait_time_in_minutes": {"calendar": None, "business": None},
        "requester_wait_time_in_minutes": {"calendar": None, "business": None},
        "on_hold_time_in_minutes": {"calendar": 0, "business": 0},
        "reopens": reopens,
        "replies": len(replies),
        "assignee_stations": len(set(assigns)) or 0,
        "group_stations": 1,
        "assigned_at": iso(assigns[-1]) if assigns else None,
        "initially_assigned_at": iso(assigns[0]) if assigns else None,
        "solved_at": iso(solves[-1]) if solves else None,
        "latest_comment_added_at": iso(visible[-1].at),
    }
