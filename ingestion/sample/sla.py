"""The sample's SLA policies and ticket metric events, in the shapes of Zendesk's references
("SLA Policies"; "Ticket metric event types reference").

One policy holds a target per priority (urgent, high, normal, low) for the first reply, the next
replies and the requester's wait. The metric events follow from each ticket's own life (its
creation, replies, requester comments and status changes), so they agree with the audits the
ticket events export serves. Nothing here draws from a random stream: every existing sample value
stays as it was, and a ticket's events are the same whatever `now` the source is asked at (an
event exists once its time has come).

What the sample simplifies: it has no business-hours schedule, so business minutes equal calendar
minutes (as its metric sets say); a metric's target is the one of the ticket's priority when the
metric's clock starts (Zendesk re-applies on a priority change; the sample does not); breach events
are never withdrawn (`deleted`), since the sample knows each clock's whole course.
"""

from __future__ import annotations

from ingestion.sample.tickets import TicketLife, is_agent_reply, iso

SAMPLE_POLICY_ID = 360_000_000_201
SAMPLE_POLICY = {"id": SAMPLE_POLICY_ID, "title": "Standard support", "description": "Targets by priority"}
# minutes, calendar time (the policy metric's `target`); requester wait is set in business hours,
# which in the sample are every hour of the week
SLA_TARGETS: dict[str, dict[str, int]] = {
    "urgent": {"first_reply_time": 15, "next_reply_time": 30, "requester_wait_time": 240},
    "high": {"first_reply_time": 60, "next_reply_time": 120, "requester_wait_time": 480},
    "normal": {"first_reply_time": 240, "next_reply_time": 480, "requester_wait_time": 1_440},
    "low": {"first_reply_time": 480, "next_reply_time": 960, "requester_wait_time": 2_880},
}
BUSINESS_HOURS_METRICS = ("requester_wait_time",)
MAX_EVENTS_PER_TICKET = 99  # a ticket's metric event ids are ticket_id * 100 + 1..99


def sla_policies() -> list[dict]:
    """The account's SLA policies (List SLA Policies): one, with a target per priority and metric."""
    created = iso(1_640_995_200)
    metrics = [
        {
            "priority": priority,
            "metric": metric,
            "target": target,
            "business_hours": metric in BUSINESS_HOURS_METRICS,
        }
        for priority, targets in SLA_TARGETS.items()
        for metric, target in targets.items()
    ]
    return [
        {
            "url": f"https://sample.zendesk.com/api/v2/slas/policies/{SAMPLE_POLICY_ID}.json",
            "id": SAMPLE_POLICY_ID,
            "title": SAMPLE_POLICY["title"],
            "description": SAMPLE_POLICY["description"],
            "position": 1,
            "filter": {"all": [], "any": []},
            "policy_metrics": metrics,
            "created_at": created,
            "updated_at": created,
        }
    ]


class _Clock:
    """One metric instance's clock: its events, and a breach when its running time passes the target."""

    def __init__(self, events: list[tuple[int, str, int, str, dict]], metric: str, instance: int) -> None:
        self.events, self.metric, self.instance = events, metric, instance
        self.running_since: int | None = None
        self.used = 0
        self.budget: int | None = None
        self.breached = False
        self.done = False

    def _add(self, at: int, kind: str, **extra) -> None:
        self.events.append((at, self.metric, self.instance, kind, extra))

    def _check_breach(self, until: int | None) -> None:
        """A breach at the moment the running time reaches the target, if that is before `until`."""
        if self.breached or self.budget is None or self.running_since is None:
            return
        due = self.running_since + self.budget - self.used
        if until is None or due < until:
            self._add(due, "breach")
            self.breached = True

    def activate(self, at: int, target_minutes: int | None = None, business_hours: bool = False) -> None:
        if self.running_since is not None:
            return
        self.done = False
        self._add(at, "activate")
        if target_minutes is not None and self.budget is None:
            self.budget = target_minutes * 60
            sla = {"target": target_minutes, "business_hours": business_hours, "policy": SAMPLE_POLICY}
            self._add(at, "apply_sla", sla=sla)
        self.running_since = at

    def pause(self, at: int) -> None:
        if self.running_since is None:
            return
        self._check_breach(at)
        self.used += at - self.running_since
        self.running_since = None
        self._add(at, "pause")

    def fulfill(self, at: int) -> None:
        if self.running_since is None and self.done:
            return
        if self.running_since is not None:
            self._check_breach(at)
            self.used += at - self.running_since
            self.running_since = None
        self.done = True
        self._add(at, "fulfill")
        minutes = self.used // 60
        self._add(at, "update_status", status={"calendar": minutes, "business": minutes})

    def close(self) -> None:
        """The life ends with the clock still running: it breaches when its target runs out."""
        self._check_breach(None)


def metric_events(life: TicketLife) -> list[dict]:
    """The ticket's whole course of metric events (reply_time per instance, requester_wait_time),
    ordered by time; the source serves those whose time has come."""
    raw: list[tuple[int, str, int, str, dict]] = []
    priority = "normal"
    reply = _Clock(raw, "reply_time", 1)
    wait = _Clock(raw, "requester_wait_time", 1)
    replies_started = 1
    status = "new"
    for audit in life.audits:
        for ev in audit.child_events:
            if ev.get("field_name") == "priority":
                priority = ev["value"] or "normal"
        targets = SLA_TARGETS.get(priority, SLA_TARGETS["normal"])
        if audit is life.audits[0]:
            reply.activate(audit.at, targets["first_reply_time"])
            wait.activate(audit.at, targets["requester_wait_time"], business_hours=True)
            status = "new"
            continue
        agent_reply = any(is_agent_reply(life, audit, ev) for ev in audit.child_events)
        requester_comment = audit.updater_id == life.requester_id and any(
            ev["event_type"] == "Comment" and ev.get("public") for ev in audit.child_events
        )
        if agent_reply and reply.running_since is not None:
            reply.fulfill(audit.at)
        elif requester_comment and reply.done:
            replies_started += 1  # the requester wrote again after an answer: a next reply is due
            reply = _Clock(raw, "reply_time", replies_started)
            reply.activate(audit.at, targets["next_reply_time"])
        for ev in audit.child_events:
            if ev.get("field_name") != "status" or ev["value"] == status:
                continue
            status = ev["value"]
            if status == "pending":  # the requester's wait pauses while the agent waits on them
                wait.pause(audit.at)
            elif status in ("solved", "closed"):
                wait.fulfill(audit.at)
            elif status in ("new", "open"):
                wait.activate(audit.at)
    reply.close()
    wait.close()
    raw.sort(key=lambda e: e[0])  # stable: events of one moment keep the order they happened in
    if len(raw) > MAX_EVENTS_PER_TICKET:
        raise ValueError(f"sample ticket {life.id} has {len(raw)} metric events, more than ids allow")
    return [
        {"id": life.id * 100 + n, "ticket_id": life.id, "metric": metric, "instance_id": instance, "type": kind,
         "time": iso(at), **extra}
        for n, (at, metric, instance, kind, extra) in enumerate(raw, start=1)
    ]  # fmt: skip
