"""The sample's ticket metric events follow a ticket's own life (ingestion/sample/sla.py), worked by
hand on one hand-built high-priority ticket: targets first reply 60, next reply 120, requester wait
480 minutes (the last in business hours, which in the sample are every hour)."""

from __future__ import annotations

from ingestion.sample.sla import SAMPLE_POLICY_ID, metric_events, sla_policies
from ingestion.sample.tickets import Audit, TicketLife

T0 = 1_773_100_000
REQUESTER, AGENT = 500, 700


def _audit(n: int, minutes: int, updater: int, *events: dict) -> Audit:
    return Audit(n, 42, T0 + minutes * 60, updater, "web", [{"id": n * 10 + k, **e} for k, e in enumerate(events)])


def _comment(author: int) -> dict:
    return {"event_type": "Comment", "author_id": author, "body": "...", "public": True, "via": {"channel": "web"}}


def _status(value: str, previous: str) -> dict:
    return {"event_type": "Change", "field_name": "status", "value": value, "previous_value": previous}


def test_a_ticket_life_gives_its_metric_events():
    """Created at 0 min (high); the agent answers at 90 (first reply 30 min late: breached at 60);
    the requester writes at 120 (next reply due by 240), answered at 150 (met), the ticket pending
    from 150 (the requester's wait paused after 150 min); the requester writes again at 200 (the
    wait runs again, a third reply due), answered and solved at 230: 30 min, met; the wait fulfilled
    after 150 + 30 = 180 of its 480 minutes."""
    life = TicketLife(42, T0, "web", "web_form", REQUESTER, "s", "question", "billing", "l1", [])
    life.audits = [
        _audit(1, 0, REQUESTER, {"event_type": "Create", "field_name": "status", "value": "new"},
               {"event_type": "Create", "field_name": "priority", "value": "high"}, _comment(REQUESTER)),
        _audit(2, 90, AGENT, _comment(AGENT), _status("open", "new")),
        _audit(3, 120, REQUESTER, _comment(REQUESTER)),
        _audit(4, 150, AGENT, _comment(AGENT), _status("pending", "open")),
        _audit(5, 200, REQUESTER, _comment(REQUESTER), _status("open", "pending")),
        _audit(6, 230, AGENT, _comment(AGENT), _status("solved", "open")),
    ]  # fmt: skip
    events = metric_events(life)
    got = [(e["metric"], e["instance_id"], e["type"], (_epoch(e["time"]) - T0) // 60) for e in events]
    assert got == [
        ("reply_time", 1, "activate", 0), ("reply_time", 1, "apply_sla", 0),
        ("requester_wait_time", 1, "activate", 0), ("requester_wait_time", 1, "apply_sla", 0),
        ("reply_time", 1, "breach", 60), ("reply_time", 1, "fulfill", 90), ("reply_time", 1, "update_status", 90),
        ("reply_time", 2, "activate", 120), ("reply_time", 2, "apply_sla", 120),
        ("reply_time", 2, "fulfill", 150), ("reply_time", 2, "update_status", 150),
        ("requester_wait_time", 1, "pause", 150),
        ("reply_time", 3, "activate", 200), ("reply_time", 3, "apply_sla", 200),
        ("requester_wait_time", 1, "activate", 200),
        ("reply_time", 3, "fulfill", 230), ("reply_time", 3, "update_status", 230),
        ("requester_wait_time", 1, "fulfill", 230), ("requester_wait_time", 1, "update_status", 230),
    ]  # fmt: skip
    applied = [
        (e["metric"], e["sla"]["target"], e["sla"]["business_hours"]) for e in events if e["type"] == "apply_sla"
    ]
    assert applied == [("reply_time", 60, False), ("requester_wait_time", 480, True), ("reply_time", 120, False),
                       ("reply_time", 120, False)]  # fmt: skip
    measured = [
        (e["metric"], e["instance_id"], e["status"]["calendar"]) for e in events if e["type"] == "update_status"
    ]
    assert measured == [("reply_time", 1, 90), ("reply_time", 2, 30), ("reply_time", 3, 30),
                        ("requester_wait_time", 1, 180)]  # fmt: skip
    # ids number from the ticket's own, in time order: the same whatever moment the sample is asked at
    assert [e["id"] for e in events] == [42 * 100 + n for n in range(1, 20)]


def test_the_policy_has_a_target_per_priority_and_metric():
    (policy,) = sla_policies()
    assert policy["id"] == SAMPLE_POLICY_ID
    targets = {(m["priority"], m["metric"]): m["target"] for m in policy["policy_metrics"]}
    assert len(targets) == 12  # urgent, high, normal, low x first reply, next reply, requester wait
    assert targets[("urgent", "first_reply_time")] == 15 and targets[("low", "requester_wait_time")] == 2_880


def _epoch(iso_time: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp())
