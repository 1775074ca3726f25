"""Zendesk Support API: incremental tickets (cursor), incremental ticket events, groups, users."""

from __future__ import annotations

import time
from datetime import datetime

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
