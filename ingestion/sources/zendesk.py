"""Zendesk Support API: incremental tickets (cursor), incremental ticket events, groups, users,
ticket fields; and groups and users by id, for the ones the lists leave out (deleted)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import orjson

from ingestion.errors import SourceNotFoundError
from ingestion.http import SourceClient
from ingestion.landing import LandingBatch
from ingestion.sources.paging import CursorGuard, FetchResult

EXPORT_PAGE_SIZE = 1000  # the incremental exports' maximum
LIST_PAGE_SIZE = 100  # cursor-paginated list endpoints' maximum
SHOW_MANY_MAX_IDS = 100  # users/show_many takes at most 100 ids per call


def _epoch(iso: object) -> int | None:
    """Epoch seconds of an ISO time; None when it does not parse (the loader rejects that record)."""
    try:
        return int(datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def fetch_tickets(client: SourceClient, batch: LandingBatch, start: int, end: int) -> FetchResult:
    """Tickets whose latest update is in [start, end): `start_time`, then `cursor` to `end_of_stream`.

    Tickets come oldest update first, so paging also stops once a page reaches `end`.
    """
    result = FetchResult(batch)
    guard = CursorGuard("zendesk.tickets")
    params: dict = {"start_time": start, "per_page": EXPORT_PAGE_SIZE}
    while True:
        body, data, _ = client.get_json("/api/v2/incremental/tickets/cursor.json", params=params)
        tickets = data["tickets"]
        result.add_page(body, len(tickets))
        if data.get("after_cursor"):
            result.cursor = data["after_cursor"]
        last_update = _epoch(tickets[-1].get("updated_at")) if tickets else None
        if data["end_of_stream"] or (last_update is not None and last_update >= end):
            return result
        guard.check(data["after_cursor"])
        params = {"cursor": data["after_cursor"], "per_page": EXPORT_PAGE_SIZE}


def fetch_ticket_events(client: SourceClient, batch: LandingBatch, start: int, end: int) -> FetchResult:
    """Ticket audits with their child events (comments included) whose time is in [start, end).

    The export is time-based: each page ends at `end_time` and the next starts there, so events at
    that second can arrive twice. The loader keeps one copy of each event id.
    """
    result = FetchResult(batch)
    guard = CursorGuard("zendesk.ticket_events")
    url = "/api/v2/incremental/ticket_events.json"
    params: dict | None = {"start_time": start, "include": "comment_events"}
    while True:
        body, data, _ = client.get_json(url, params=params)
        result.add_page(body, len(data["ticket_events"]))
        result.cursor = str(data["end_time"])
        if data["end_of_stream"] or data["end_time"] >= end:
            return result
        guard.check(data["next_page"])
        url, params = data["next_page"], None


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


def fetch_agents(client: SourceClient, batch: LandingBatch) -> FetchResult:
    """Agents and admins only: end users are customers, and the CRM is their system of record."""
    return fetch_list(client, batch, "/api/v2/users.json", "users", {"role[]": ["agent", "admin"]})


def fetch_ticket_fields(client: SourceClient, batch: LandingBatch) -> FetchResult:
    """System and custom ticket fields with their dropdown options (`custom_field_options`)."""
    return fetch_list(client, batch, "/api/v2/ticket_fields.json", "ticket_fields")


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
