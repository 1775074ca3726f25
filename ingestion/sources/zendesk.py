"""Zendesk Support API: incremental tickets (cursor), incremental ticket events, incremental ticket
metric events, SLA policies, groups, users, ticket fields, satisfaction ratings (legacy CSAT) and
CSAT survey responses (the newer CSAT); and groups and users by id, for the ones the lists leave
out (deleted)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime

import orjson

from ingestion.errors import SourceAuthError, SourceNotFoundError
from ingestion.http import SourceClient
from ingestion.landing import LandingBatch
from ingestion.sources.paging import CursorGuard, FetchResult

EXPORT_PAGE_SIZE = 1000  # the incremental exports' maximum
LIST_PAGE_SIZE = 100  # cursor-paginated list endpoints' maximum
# Incremental exports: "start_time must be at least one minute in the past. Data isn't provided
# for the most recent minute." (Zendesk Support API reference, Incremental Exports)
NEWEST_EXPORTABLE_SECONDS = 60


def _too_recent(start: int) -> bool:
    """A window starting within the last minute has nothing the export can give yet."""
    return start > time.time() - NEWEST_EXPORTABLE_SECONDS


SHOW_MANY_MAX_IDS = 100  # users/show_many takes at most 100 ids per call


def _epoch(iso: object) -> int | None:
    """Epoch seconds of an ISO time; None when it does not parse (the loader rejects that record)."""
    try:
        return int(datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def generated_epoch(ticket: dict) -> int | None:
    """The key the incremental ticket export is ordered by: `generated_timestamp` (epoch seconds),
    which also moves for system updates that leave `updated_at` alone; `updated_at` if absent."""
    generated = ticket.get("generated_timestamp")
    if isinstance(generated, int):
        return generated
    return _epoch(ticket.get("updated_at"))


def fetch_tickets(client: SourceClient, batch: LandingBatch, start: int, end: int) -> FetchResult:
    """Ticket versions generated in [start, end): `start_time`, then `cursor` to `end_of_stream`.

    The export is ordered by `generated_timestamp`, so paging stops once a page's last ticket was
    generated at or after `end`: every later page holds only newer versions. (Stopping on
    `updated_at` instead skipped tickets whose system update came after a later user update.)
    """
    result = FetchResult(batch)
    if _too_recent(start):
        return result
    guard = CursorGuard("zendesk.tickets")
    # Zendesk's own metrics come with the tickets (sideload), in the same pages
    params: dict = {"start_time": start, "per_page": EXPORT_PAGE_SIZE, "include": "metric_sets"}
    while True:
        body, data, _ = client.get_json("/api/v2/incremental/tickets/cursor.json", params=params)
        tickets = data["tickets"]
        result.add_page(body, len(tickets), ticket_metrics=len(data.get("metric_sets") or ()))
        if data.get("after_cursor"):
            result.cursor = data["after_cursor"]
        last_generated = generated_epoch(tickets[-1]) if tickets else None
        if data["end_of_stream"] or (last_generated is not None and last_generated >= end):
            return result
        guard.check(data["after_cursor"])
        params = {"cursor": data["after_cursor"], "per_page": EXPORT_PAGE_SIZE, "include": "metric_sets"}


def fetch_ticket_events(client: SourceClient, batch: LandingBatch, start: int, end: int) -> FetchResult:
    """Ticket audits with their child events (comments included) whose time is in [start, end).

    The export is time-based: each page ends at `end_time` and the next starts there, so events at
    that second can arrive twice. The loader keeps one copy of each event id.
    """
    result = FetchResult(batch)
    if _too_recent(start):
        return result
    guard = CursorGuard("zendesk.ticket_events")
    url = "/api/v2/incremental/ticket_events.json"
    params: dict | None = {"start_time": start, "include": "comment_events"}
    while True:
        body, data, _ = client.get_json(url, params=params)
        # counted in the loader's unit: one record per child event of an audit
        result.add_page(body, sum(len(audit.get("child_events") or ()) for audit in data["ticket_events"]))
        result.cursor = str(data["end_time"])
        if data["end_of_stream"] or data["end_time"] >= end:
            return result
        guard.check(data["next_page"])
        url, params = data["next_page"], None


def fetch_ticket_metric_events(client: SourceClient, batch: LandingBatch, start: int, end: int) -> FetchResult:
    """Ticket metric events (SLA clocks: activate, pause, fulfill, apply_sla, breach, update_status)
    whose time is in [start, end).

    Paged as the ticket event export is (time-based: `start_time`, then `next_page` until
    `end_of_stream` or an `end_time` at or past the window's end). The reference lists the events
    in chronological order; a page ends at `end_time` and the next starts there, so events at that
    second can arrive twice: the loader keeps one copy of each id, and counts the other.
    """
    result = FetchResult(batch)
    if _too_recent(start):
        return result
    guard = CursorGuard("zendesk.ticket_metric_events")
    url = "/api/v2/incremental/ticket_metric_events.json"
    params: dict | None = {"start_time": start}
    while True:
        body, data, _ = client.get_json(url, params=params)
        result.add_page(body, len(data["ticket_metric_events"]))
        result.cursor = str(data["end_time"])
        if data.get("end_of_stream") or data["end_time"] >= end or not data.get("next_page"):
            return result
        guard.check(data["next_page"])
        url, params = data["next_page"], None


def fetch_sla_policies(client: SourceClient, batch: LandingBatch) -> FetchResult:
    """Every SLA policy with its policy metrics, counted as the loader reads them: one record per
    policy metric, and one for a policy without any (kept with no metric).

    The reference shows `count`, `next_page` and `previous_page` and no paging parameters; all
    policies come on one page in practice. A `next_page` is followed should one come.

    SLA policies exist on the Professional plan and above, and the endpoint is for admins. The
    reference does not say what a lower plan answers; a 403 or 404 to the first request is taken
    as "this account has no SLA policies": an empty list, marked `unavailable`, so the project's
    response-level targets are the policy. Wrong credentials still fail the run on every other
    Zendesk stream; an error after pages have landed fails this one.
    """
    result = FetchResult(batch)
    guard = CursorGuard("zendesk.sla_policies")
    url: str = "/api/v2/slas/policies.json"
    while True:
        try:
            body, data, _ = client.get_json(url)
        except (SourceAuthError, SourceNotFoundError) as exc:
            if batch.files:
                raise
            return FetchResult(
                batch, unavailable=f"no SLA policies readable on this account ({exc}); the response-level "
                "targets are the SLA policy"
            )  # fmt: skip
        result.add_page(body, sum(max(len(p.get("policy_metrics") or ()), 1) for p in data["sla_policies"]))
        if not data.get("next_page"):
            return result
        guard.check(data["next_page"])
        url = data["next_page"]


def fetch_list(
    client: SourceClient, batch: LandingBatch, path: str, key: str, params: dict | None = None
) -> FetchResult:
    """A cursor-paginated list (groups, users): `page[size]`, then `links.next` while `meta.has_more`."""
    result = FetchResult(batch)
    guard = CursorGuard(f"zendesk.{key}")
    url: str = path
    query: dict | None = {**(params or {}), "page[size]": LIST_PAGE_SIZE}
    while True:
        body, data, _ = client.get_json(url, params=query)
        result.add_page(body, len(data[key]))
        if not data["meta"]["has_more"]:
            return result
        guard.check(data["meta"]["after_cursor"])
        url, query = data["links"]["next"], None


def fetch_groups(client: SourceClient, batch: LandingBatch) -> FetchResult:
    return fetch_list(client, batch, "/api/v2/groups.json", "groups")


def fetch_agent_users(client: SourceClient, batch: LandingBatch) -> FetchResult:
    """The users stream, agents and admins only: end users are customers, and the CRM is their
    system of record."""
    return fetch_list(client, batch, "/api/v2/users.json", "users", {"role[]": ["agent", "admin"]})


def fetch_ticket_fields(client: SourceClient, batch: LandingBatch) -> FetchResult:
    """System and custom ticket fields with their dropdown options (`custom_field_options`)."""
    return fetch_list(client, batch, "/api/v2/ticket_fields.json", "ticket_fields")


# How far before a day its ratings are asked for: a rating is offered after the solve and answered
# (which changes it) some time later, within a week in practice.
RATING_REACH_SECONDS = 7 * 86_400


def fetch_satisfaction_ratings(client: SourceClient, batch: LandingBatch, start: int, end: int) -> FetchResult:
    """Satisfaction ratings (legacy CSAT: good / bad, offered / unoffered) changed in [start, end).

    Zendesk has no incremental export for ratings; the list filters by `start_time` and an
    inclusive `end_time` and pages by cursor. The reference does not say which timestamp the
    filter reads. If it is `created_at`, a rating answered days after it was offered would never
    be in its answer day's fetch; so the fetch reaches a week further back. The loader keeps the
    versions whose `updated_at` is in the window and counts the others as outside (they belong to
    other days, whose own loads hold them).
    """
    return fetch_list(
        client,
        batch,
        "/api/v2/satisfaction_ratings.json",
        "satisfaction_ratings",
        {"start_time": start - RATING_REACH_SECONDS, "end_time": end - 1},
    )


CSAT_SURVEY_RESPONSES_PATH = "/api/v2/guide/survey_responses"


def fetch_csat_survey_responses(client: SourceClient, batch: LandingBatch, start: int, end: int) -> FetchResult:
    """CSAT survey responses (the newer CSAT: a 1-5 rating scale) created from a week before
    [start, end) to its end; the loader keeps the versions last changed in the window.

    The reference (CSAT Survey Responses, List Survey Responses) filters by
    `filter[created_at_start]` / `filter[created_at_end]` in Unix epoch seconds and does not say
    whether the end is inclusive, so it is asked for up to the window's last second. A responder
    can edit a response until its `expires_at`, and the filter reads its creation: the fetch
    reaches back as far as the ratings' does, for the same reason. The excerpt of the reference
    shows no pagination section; the list is read the way Zendesk's cursor-paginated lists are
    (`page[size]`, then `links.next` while `meta.has_more`), and a page without `meta` fails the
    fetch instead of passing for the last one.

    An account on the legacy CSAT has no survey responses (Zendesk keeps one CSAT option active
    at a time). The reference does not say what the endpoint answers then; a 404 to the first
    request is taken as "not enabled": an ordinary empty day, marked `unavailable`. A 404 after
    pages have landed is a failing source. 401/403 still fail the run: they name the credentials.
    """
    try:
        return fetch_list(
            client,
            batch,
            CSAT_SURVEY_RESPONSES_PATH,
            "survey_responses",
            {"filter[created_at_start]": start - RATING_REACH_SECONDS, "filter[created_at_end]": end - 1},
        )
    except SourceNotFoundError as exc:
        if batch.files:
            raise
        return FetchResult(batch, unavailable=f"CSAT survey responses are not enabled on this account ({exc})")


def listed_ids(result: FetchResult, key: str) -> set[int]:
    """The ids a list fetch landed (its pages are small reference lists)."""
    ids: set[int] = set()
    for path in result.batch.files:
        ids.update(int(r["id"]) for r in orjson.loads(path.read_bytes()).get(key, []) if r.get("id") is not None)
    return ids


def fetch_groups_by_id(client: SourceClient, result: FetchResult, ids: Iterable[int]) -> list[int]:
    """Add each group by id to the groups batch: `GET /api/v2/groups/{id}.json` still answers for a
    deleted group (`deleted: true`) that the list leaves out. Returns the ids that answered 404."""
    missing = []
    for group_id in sorted(ids):
        try:
            body, data, _ = client.get_json(f"/api/v2/groups/{group_id}.json")
        except SourceNotFoundError:
            missing.append(group_id)
            continue
        result.add_page(body, 1 if data.get("group") else 0)
    return missing


def fetch_users_by_id(client: SourceClient, result: FetchResult, ids: Iterable[int]) -> list[int]:
    """Add users by id to the users batch, 100 per `show_many` call. `include_deleted=true`: the
    reference says show_many leaves deleted (inactive) users out without it. Returns the ids the
    source did not return."""
    wanted = sorted(ids)
    found: set[int] = set()
    for n in range(0, len(wanted), SHOW_MANY_MAX_IDS):
        chunk = wanted[n : n + SHOW_MANY_MAX_IDS]
        body, data, _ = client.get_json(
            "/api/v2/users/show_many.json",
            params={"ids": ",".join(str(i) for i in chunk), "include_deleted": "true"},
        )
        result.add_page(body, len(data["users"]))
        found.update(int(u["id"]) for u in data["users"])
    return [i for i in wanted if i not in found]


SCHEDULES_PATH = "/api/v2/business_hours/schedules.json"


def fetch_schedules(client: SourceClient, batch: LandingBatch) -> FetchResult:
    """Every business-hours schedule with its weekly intervals (the intervals are a sideload of
    the same page). The reference documents no pagination for this list: one page."""
    result = FetchResult(batch)
    try:
        body, data, _ = client.get_json(SCHEDULES_PATH)
    except SourceNotFoundError as exc:
        # schedules are a plan feature; the reference does not say what an account without them
        # gets. A 404 is taken as "none": its tickets are timed on the team calendars only.
        return FetchResult(batch, unavailable=f"business-hours schedules are not available on this account ({exc})")
    schedules = data["schedules"]
    result.add_page(body, len(schedules), schedule_intervals=sum(len(s.get("intervals") or ()) for s in schedules))
    return result


def fetch_schedule_holidays(client: SourceClient, batch: LandingBatch, schedule_ids: Iterable[int]) -> FetchResult:
    """The holidays of each schedule, one page per schedule, landed as `schedule-<id>-page-1.json`:
    a holiday does not name its schedule, so the file name carries it (streams.ZENDESK_SCHEDULE_HOLIDAYS).
    A schedule deleted between the two calls answers 404: it has no holidays to load."""
    result = FetchResult(batch)
    for schedule_id in sorted(schedule_ids):
        try:
            body, data, _ = client.get_json(f"/api/v2/business_hours/schedules/{schedule_id}/holidays.json")
        except SourceNotFoundError:
            continue
        batch.write_file(f"schedule-{schedule_id}-page-1.json", body)
        result.pages += 1
        result.records += len(data["holidays"])
    return result
