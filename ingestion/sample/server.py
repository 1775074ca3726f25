"""A loopback HTTP server that serves the sample in the exact shapes of the real APIs.

- Zendesk Support: incremental ticket export (cursor), incremental ticket events (time-based),
  groups, users and ticket fields (cursor pagination); a group and users by id, deleted ones
  included (the lists leave those out), end users (the customers who request tickets) as well.
- HubSpot CRM v3: contacts and companies search (`after` paging, 10,000-result cap, 200 per page),
  their property definitions (`/crm/v3/properties/{objectType}`) and the archived list
  (`/crm/v3/objects/{objectType}?archived=true`; the sample archives nothing).
- The Delighted survey API: /v1/survey_responses.json paged by number (`page`, `per_page`) until
  an empty page, NPS and CSAT survey responses with the ticket in `person_properties`.

A fault plan makes it misbehave on purpose (429 with Retry-After, 5xx, slow or malformed answers,
resets), so connector tests exercise the real client code against a real socket.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import zlib
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from ingestion.local_days import day_bounds, local_day
from ingestion.sample.organisation import (
    BOT_USER_ID,
    CATEGORIES,
    CATEGORY_FIELD_ID,
    RESPONSE_LEVEL_FIELD_ID,
    RETIRED_TEAM,
    TEAMS,
    Agent,
    Customer,
    Team,
    customer_by_user_id,
    last_modified,
)
from ingestion.sample.source import SampleSource
from ingestion.sample.surveys import SurveyResponse, api_responses, api_updated_at
from ingestion.sample.tickets import iso
from ingestion.survey_api_config import load_config

SAMPLE_CREDENTIALS = {
    "zendesk": {"email": "sample@example.com", "api_token": "sample-token"},
    "hubspot": {"access_token": "sample-token"},
    "survey_api": {"api_key": "sample-key"},
}
ZENDESK_EXPORT_PAGE = 1000
ZENDESK_LIST_PAGE = 100
HUBSPOT_SEARCH_PAGE = 200
HUBSPOT_SEARCH_CAP = 10_000
SURVEY_PAGE = 100
# The sample's survey project sends the ticket, channel and dimension answers where the shipped
# config/survey_api.yaml reads them.
SURVEY_API_CONFIG = load_config()
_NO_VALUE = {"free_response": None, "scale": None, "select_one": None, "select_many": None}
_DIMENSION_TEXT = {
    "speed": "Response speed",
    "accuracy": "Answer accuracy",
    "attitude": "Agent attitude",
    "resolution": "Problem resolved",
}

CONTACT_PROPERTIES = {
    "email", "phone", "firstname", "lastname", "customer_tier", "region", "returning_customer",
    "zendesk_user_id", "associatedcompanyid", "createdate", "lastmodifieddate", "hs_object_id",
}  # fmt: skip
COMPANY_PROPERTIES = {"name", "industry", "region", "createdate", "hs_lastmodifieddate", "hs_object_id"}


@dataclass
class Fault:
    """Misbehave on the next `times` requests whose path contains `path_contains`."""

    path_contains: str
    status: int | None = None
    retry_after: int | None = None
    delay_seconds: float = 0.0
    body: bytes | None = None
    reset: bool = False
    truncate: bool = False  # send the real page's headers, then half its body, then close
    times: int = 1


@dataclass
class FaultPlan:
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.path_contains in path:
                    fault.times -= 1
                    return fault
        return None


def _encode_cursor(payload: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def _decode_cursor(cursor: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(cursor.encode()))


class SampleServer:
    """Start with `with SampleServer(source) as server:`; `server.base_url` is the root URL."""

    def __init__(
        self,
        source: SampleSource,
        faults: FaultPlan | None = None,
        port: int = 0,
        ticket_hook: Callable[[dict], dict] | None = None,
        memo: MutableMapping[tuple[str, str, bytes], tuple[int, bytes, dict[str, str]]] | None = None,
    ) -> None:
        self.source = source
        # Answers kept by request (method, path with query, body): the benchmark serves a repeated
        # request without drawing the sample again, so it times the client, not the generator.
        self.memo = memo
        self.faults = faults or FaultPlan()
        # Lets a test change the ticket records served (schema drift); identity by default.
        self.ticket_hook = ticket_hook or (lambda record: record)
        self.requests_served = 0
        # A cursor-paged list (ratings, CSAT survey responses) is drawn once per filter, not once per
        # page: drawing a week of tickets for each of a day's ~30 pages made the demo crawl.
        self._lists: dict[tuple, list[dict]] = {}
        self._lists_lock = threading.Lock()
        handler = _make_handler(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sample-server", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SampleServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SampleServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- Zendesk ---------------------------------------------------------------------------
    def _scan_by_day(self, start: int, fetch: Callable[[int, int], list], key, after_key, limit: int):
        """Walk local days from `start` to now, gathering up to `limit` records past `after_key`."""
        tz = self.source.config.timezone
        day = local_day(tz, start)
        out: list = []
        end_of_stream = False
        while len(out) < limit:
            lo, hi = day_bounds(tz, day)
            lo = max(lo, start)
            if lo > self.source.now:
                end_of_stream = True
                break
            for rec in fetch(lo, min(hi, self.source.now + 1)):
                if after_key is None or key(rec) > after_key:
                    out.append(rec)
            day += timedelta(days=1)
        if len(out) > limit:
            out = out[:limit]
        elif len(out) < limit:
            end_of_stream = True
        return out, end_of_stream

    def zendesk_tickets(self, query: dict[str, list[str]]) -> dict:
        per_page = min(int(query.get("per_page", [ZENDESK_EXPORT_PAGE])[0]), ZENDESK_EXPORT_PAGE)
        if "cursor" in query:
            state = _decode_cursor(query["cursor"][0])
            start, after_key = state["start_time"], (state["generated"], state["id"])
        elif "start_time" in query:
            start, after_key = int(query["start_time"][0]), None
        else:
            raise _ApiError(400, {"error": "InvalidValue", "description": "start_time or cursor is required"})
        rows, end = self._scan_by_day(
            start, self.source.tickets_updated, key=lambda r: (r[0], r[1]), after_key=after_key, limit=per_page
        )
        last = (rows[-1][0], rows[-1][1]) if rows else after_key or (start, -1)
        after_cursor = _encode_cursor({"start_time": start, "generated": last[0], "id": last[1]})
        out = {
            "tickets": [self.ticket_hook(dict(r[2])) for r in rows],
            "after_cursor": after_cursor,
            "after_url": f"/api/v2/incremental/tickets/cursor.json?cursor={after_cursor}",
            "before_cursor": None,
            "before_url": None,
            "end_of_stream": end,
        }
        if "metric_sets" in query.get("include", [""])[0].split(","):
            # the sideload: one Ticket Metrics object per ticket of the page
            out["metric_sets"] = [m for r in rows if (m := self.source.metric_set(r[1])) is not None]
        return out

    def zendesk_ticket_events(self, query: dict[str, list[str]]) -> dict:
        if "start_time" not in query:
            raise _ApiError(400, {"error": "InvalidValue", "description": "start_time is required"})
        start = int(query["start_time"][0])
        audits, _ = self._scan_by_day(
            start, self.source.audits_between, key=lambda a: 0, after_key=None, limit=ZENDESK_EXPORT_PAGE
        )
        events = [
            {
                "id": a.id,
                "ticket_id": a.ticket_id,
                "timestamp": a.at,
                "created_at": iso(a.at),
                "updater_id": a.updater_id,
                "via": a.via,
                "system": {"client": "sample", "location": "sample"},
                "event_type": "Audit",
                "merged_ticket_ids": [],
                "child_events": a.child_events,
            }
            for a in audits
        ]
        end_time = events[-1]["timestamp"] if events else start
        include = query.get("include", [""])[0]
        return {
            "ticket_events": events,
            "next_page": f"/api/v2/incremental/ticket_events.json?start_time={end_time}&include={include}",
            "count": len(events),
            "end_of_stream": len(events) < ZENDESK_EXPORT_PAGE,
            "end_time": end_time,
        }

    def zendesk_satisfaction_ratings(self, query: dict[str, list[str]]) -> dict:
        """Ratings with `start_time` <= updated_at <= `end_time` (both epoch seconds), by cursor."""
        start = int(query.get("start_time", ["0"])[0])
        end = int(query.get("end_time", [str(self.source.now)])[0]) + 1
        ratings = self._drawn(("ratings", start, end), lambda: self.source.satisfaction_ratings(start, end))
        return self._zendesk_list("satisfaction_ratings", ratings, query, "/api/v2/satisfaction_ratings.json")

    def zendesk_csat_survey_responses(self, query: dict[str, list[str]]) -> dict:
        """Responses created with `filter[created_at_start]` <= created <= `filter[created_at_end]`
        (epoch seconds, CSAT Survey Responses reference), by cursor."""
        start = int(query.get("filter[created_at_start]", ["0"])[0])
        end = int(query.get("filter[created_at_end]", [str(self.source.now)])[0]) + 1
        responses = self._drawn(
            ("csat", start, end), lambda: self.source.csat_survey_responses(start, end, by="created_at")
        )
        return self._zendesk_list("survey_responses", responses, query, "/api/v2/guide/survey_responses")

    def _drawn(self, key: tuple, draw: Callable[[], list[dict]]) -> list[dict]:
        with self._lists_lock:
            if key not in self._lists:
                self._lists[key] = draw()
            return self._lists[key]

    def _zendesk_list(self, name: str, records: list[dict], query: dict[str, list[str]], path: str) -> dict:
        size = min(int(query.get("page[size]", [ZENDESK_LIST_PAGE])[0]), ZENDESK_LIST_PAGE)
        offset = int(_decode_cursor(query["page[after]"][0])["o"]) if "page[after]" in query else 0
        page = records[offset : offset + size]
        has_more = offset + size < len(records)
        after = _encode_cursor({"o": offset + size}) if has_more else None
        keep = {k: v for k, v in query.items() if k not in ("page[after]",)}
        next_query = urlencode({**{k: v[0] for k, v in keep.items()}, "page[after]": after}) if has_more else None
        return {
            name: page,
            "meta": {"has_more": has_more, "after_cursor": after, "before_cursor": None},
            "links": {"next": f"{path}?{next_query}" if next_query else None, "prev": None},
        }

    @staticmethod
    def _group(t: Team, deleted: bool = False) -> dict:
        created = iso(1_640_995_200)
        return {
            "url": f"https://sample.zendesk.com/api/v2/groups/{t.group_id}.json",
            "id": t.group_id,
            "name": t.name,
            "description": "",
            "default": t.group_id == TEAMS[0].group_id,
            "deleted": deleted,
            "is_public": True,
            "created_at": created,
            # a deleted group's last update is its deletion
            "updated_at": iso(1_704_067_200) if deleted else created,
        }

    def zendesk_groups(self, query: dict[str, list[str]]) -> dict:
        # The list leaves deleted groups out (the retired team): tickets still point to it.
        return self._zendesk_list("groups", [self._group(t) for t in TEAMS], query, "/api/v2/groups.json")

    def zendesk_group(self, group_id: int) -> dict:
        """Show Group: answers for a deleted group too, with `deleted: true`."""
        if group_id == RETIRED_TEAM.group_id:
            return {"group": self._group(RETIRED_TEAM, deleted=True)}
        for t in TEAMS:
            if t.group_id == group_id:
                return {"group": self._group(t)}
        raise _ApiError(404, {"error": "RecordNotFound", "description": "Not found"})

    @staticmethod
    def _user(a: Agent) -> dict:
        created = iso(1_640_995_200)
        return {
            "id": a.user_id,
            "name": a.name,
            "email": a.email,
            "role": "agent",
            "active": not a.deleted,
            "default_group_id": a.group_id,
            "tags": [],
            "created_at": created,
            "updated_at": iso(1_704_067_200) if a.deleted else created,
        }

    @staticmethod
    def _end_user(c: Customer) -> dict:
        """A customer as the Zendesk end user who files their tickets (Users reference, JSON format).

        Its `external_id` is the customer's CRM contact id, which is what the default
        `hubspot_external_id_property` (hs_object_id) compares, and its email the contact's email
        as the customer typed it (some in capitals): both customer link modes find the contact.
        """
        created = iso(c.created_epoch)
        return {
            "id": c.zendesk_user_id,
            "name": f"{c.first_name} {c.last_name}",
            "email": c.email,
            "phone": c.phone,
            "external_id": str(c.contact_id),
            "role": "end-user",
            "active": True,
            "verified": True,
            "default_group_id": None,
            "organization_id": None,
            "tags": [],
            "user_fields": {},
            "created_at": created,
            "updated_at": created,
        }

    def zendesk_users_show_many(self, query: dict[str, list[str]]) -> dict:
        """Show Many Users: up to 100 ids, agents and end users (the customers); deleted (inactive)
        users only with `include_deleted=true`. Ids that are no user are left out, as the API does."""
        ids = {int(i) for i in query.get("ids", [""])[0].split(",") if i.strip()}
        if len(ids) > 100:
            raise _ApiError(400, {"error": "InvalidValue", "description": "at most 100 ids"})
        with_deleted = query.get("include_deleted", ["false"])[0] == "true"
        org = self.source.organisation
        users = [self._user(a) for a in org.agents if a.user_id in ids and (with_deleted or not a.deleted)]
        users += [self._end_user(c) for i in sorted(ids) if (c := customer_by_user_id(org, i)) is not None]
        return {"users": users}

    def zendesk_ticket_fields(self, query: dict[str, list[str]]) -> dict:
        """The account's ticket fields: a few system fields and the two custom dropdowns."""
        created = iso(1_640_995_200)

        def field(field_id: int, type_: str, title: str, options: list[tuple[str, str]] | None = None) -> dict:
            out = {
                "url": f"https://sample.zendesk.com/api/v2/ticket_fields/{field_id}.json",
                "id": field_id,
                "type": type_,
                "title": title,
                "raw_title": title,
                "description": "",
                "raw_description": "",
                "position": len(fields),
                "active": True,
                "required": False,
                "visible_in_portal": False,
                "editable_in_portal": False,
                "removable": type_ == "tagger",
                "created_at": created,
                "updated_at": created,
            }
            if options is not None:
                # `value` is the tag a ticket's custom_fields and events carry; `name` the label
                out["custom_field_options"] = [
                    {"id": field_id * 10 + n, "name": name, "raw_name": name, "value": value, "default": False}
                    for n, (name, value) in enumerate(options, start=1)
                ]
            return out

        fields: list[dict] = []
        for spec in (
            (360_000_000_101, "subject", "Subject"),
            (360_000_000_102, "status", "Status"),
            (360_000_000_103, "priority", "Priority"),
            (360_000_000_104, "group", "Group"),
            (360_000_000_105, "assignee", "Assignee"),
        ):
            fields.append(field(*spec))
        fields.append(
            field(
                RESPONSE_LEVEL_FIELD_ID,
                "tagger",
                "Response level",
                [("L1 - Routine", "l1"), ("L2 - Coordination", "l2"), ("L3 - Major incident", "l3")],
            )
        )
        fields.append(
            field(
                CATEGORY_FIELD_ID,
                "tagger",
                "Ticket category",
                [(c.replace("_", " ").capitalize(), c) for c in CATEGORIES],
            )
        )
        fields.sort(key=lambda f: f["id"])  # cursor pagination returns fields in id order
        return self._zendesk_list("ticket_fields", fields, query, "/api/v2/ticket_fields.json")

    def zendesk_users(self, query: dict[str, list[str]]) -> dict:
        created = iso(1_640_995_200)
        # The list leaves deleted agents out (the retired team's agent).
        users = [self._user(a) for a in self.source.organisation.agents if not a.deleted]
        users.append(
            {
                "id": BOT_USER_ID,
                "name": "Auto-Reply Bot",
                "email": None,
                "role": "agent",
                "active": True,
                "default_group_id": None,
                "tags": ["bot"],
                "created_at": created,
                "updated_at": created,
            }
        )
        return self._zendesk_list("users", users, query, "/api/v2/users.json")

    # ---- HubSpot ---------------------------------------------------------------------------
    def hubspot_search(self, object_type: str, body: dict) -> dict:
        limit = int(body.get("limit", 10))
        if limit > HUBSPOT_SEARCH_PAGE:
            raise _ApiError(
                400,
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": f"limit must be at most {HUBSPOT_SEARCH_PAGE}",
                },
            )
        after = int(body.get("after") or 0)
        if after + limit > HUBSPOT_SEARCH_CAP:
            raise _ApiError(
                400,
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": "The search API returns at most 10,000 results per query.",
                },
            )
        modified_prop = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
        since_ms = 0
        for group in body.get("filterGroups", []):
            for f in group.get("filters", []):
                if f.get("propertyName") == modified_prop and f.get("operator") == "GTE":
                    since_ms = int(f["value"])
        wanted = set(body.get("properties") or [])
        if object_type == "contacts":
            rows = self.source.contacts_modified_since(since_ms)
            to_props = self._contact_properties
            allowed = CONTACT_PROPERTIES
        else:
            rows = self.source.companies_modified_since(since_ms)
            to_props = self._company_properties
            allowed = COMPANY_PROPERTIES
        page = rows[after : after + limit]
        results = []
        for modified, obj in page:
            props = to_props(obj, modified)
            keep = (wanted & allowed) | {"createdate", modified_prop, "hs_object_id"}
            results.append(
                {
                    "id": props["hs_object_id"],
                    "properties": {k: v for k, v in props.items() if k in keep},
                    "createdAt": props["createdate"],
                    "updatedAt": props[modified_prop],
                    "archived": False,
                }
            )
        out: dict[str, Any] = {"total": len(rows), "results": results}
        if after + limit < len(rows):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return out

    @staticmethod
    def hubspot_properties(object_type: str) -> dict:
        """The property definitions the sample portal has, in the Properties API's shape."""
        names = CONTACT_PROPERTIES if object_type == "contacts" else COMPANY_PROPERTIES
        group = "contactinformation" if object_type == "contacts" else "companyinformation"
        return {
            "results": [
                {"name": n, "label": n.replace("_", " ").title(), "type": "string", "fieldType": "text",
                 "groupName": group, "hidden": False, "archived": False, "options": []}
                for n in sorted(names)
            ]
        }  # fmt: skip

    @staticmethod
    def hubspot_archived(query: dict[str, list[str]]) -> dict:
        """The archived list: nothing in the sample is archived (live lists are not served)."""
        if query.get("archived", ["false"])[0] != "true":
            raise _ApiError(404, {"status": "error", "category": "OBJECT_NOT_FOUND", "message": "not served"})
        return {"results": []}

    @staticmethod
    def _hubspot_time(epoch: int) -> str:
        return iso(epoch).replace("Z", ".000Z")

    def _contact_properties(self, c, modified: int) -> dict:
        return {
            "hs_object_id": str(c.contact_id),
            "email": c.email,
            "phone": c.phone,
            "firstname": c.first_name,
            "lastname": c.last_name,
            "customer_tier": c.tier,
            "region": c.region,
            "returning_customer": "true" if c.returning else "false",
            "zendesk_user_id": str(c.zendesk_user_id),
            "associatedcompanyid": str(c.company_id),
            "createdate": self._hubspot_time(c.created_epoch),
            "lastmodifieddate": self._hubspot_time(modified),
        }

    def _company_properties(self, c, modified: int) -> dict:
        return {
            "hs_object_id": str(c.company_id),
            "name": c.name,
            "industry": c.industry,
            "region": c.region,
            "createdate": self._hubspot_time(c.created_epoch),
            "hs_lastmodifieddate": self._hubspot_time(modified),
        }

    # ---- Survey API ------------------------------------------------------------------------
    def survey_responses(self, query: dict[str, list[str]]) -> list[dict]:
        """One page of GET /v1/survey_responses.json as the reference documents it: a JSON list in
        creation order, `page` (from 1) and `per_page` (default 20, at most 100), filtered by
        `since`/`until` (created) or `updated_since`/`updated_until` (updated), both inclusive; a
        page past the last is an empty list."""
        per_page = min(int(query.get("per_page", [20])[0]), SURVEY_PAGE)
        page = max(int(query.get("page", [1])[0]), 1)
        if "updated_since" in query or "updated_until" in query:
            by, lo, hi = "updated", query.get("updated_since", [0])[0], query.get("updated_until", [self.source.now])[0]
        else:
            by, lo, hi = "created", query.get("since", [0])[0], query.get("until", [self.source.now])[0]
        rows = self._drawn(
            ("survey_api", by, int(lo), int(hi)),
            lambda: [
                self._survey_payload(r)
                for r in api_responses(self.source.config, int(lo), int(hi) + 1, self.source.now, by)
            ],
        )
        return rows[(page - 1) * per_page : page * per_page]

    @staticmethod
    def _survey_payload(r: SurveyResponse) -> dict:
        """The response as Delighted sends it: one survey type, its answer in `score`. The sample's
        response carries both a 1-5 overall and a 0-10 NPS answer; a fixed half of them (by id) is
        sent as an NPS survey, the rest as a CSAT survey with the four dimension questions."""
        if r.defect == "unknown survey scale":
            survey_type, score = "xyz", r.overall  # a project type the config does not map
        elif r.defect == "nps out of range":
            survey_type, score = "nps", 11
        elif r.defect == "overall out of range":
            survey_type, score = "csat", 7
        elif zlib.crc32(r.response_id.encode()) % 2:
            survey_type, score = "nps", r.nps
        else:
            survey_type, score = "csat", r.overall
        answers = []
        if survey_type != "nps":
            answers = [
                {
                    "id": f"{r.response_id}-{name}",
                    "value": {**_NO_VALUE, "scale": r.dimensions[name]},
                    "question": {"id": question, "type": "scale", "text": _DIMENSION_TEXT[name]},
                }
                for name, question in SURVEY_API_CONFIG.dimension_questions.items()
                if r.dimensions[name] is not None
            ]
        properties: dict[str, str] = {}
        if r.ticket_id and SURVEY_API_CONFIG.ticket_id_property:
            properties[SURVEY_API_CONFIG.ticket_id_property] = str(r.ticket_id)
        if SURVEY_API_CONFIG.channel_property:
            properties[SURVEY_API_CONFIG.channel_property] = r.channel
        return {
            "id": r.response_id,
            "person": f"p-{r.ticket_id or r.response_id}",
            "survey_type": survey_type,
            "score": score,
            "comment": r.comment,
            "permalink": f"https://sample.delighted.example/r/{r.response_id}",
            "created_at": r.submitted,
            "updated_at": api_updated_at(r),
            "person_properties": properties,
            "notes": [],
            "tags": [],
            "additional_answers": answers,
        }


class _ApiError(Exception):
    def __init__(self, status: int, body: dict) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def _make_handler(server: SampleServer) -> type[BaseHTTPRequestHandler]:
    expected_basic = {
        "/api/v2/": base64.b64encode(b"sample@example.com/token:sample-token").decode(),
        "/v1/": base64.b64encode(b"sample-key:").decode(),
    }

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _authorised(self, path: str) -> bool:
            header = self.headers.get("Authorization", "")
            if path.startswith("/crm/"):
                return header == "Bearer sample-token"
            for prefix, token in expected_basic.items():
                if path.startswith(prefix):
                    return header == f"Basic {token}"
            return False

        _truncate_next = False

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self._truncate_next:
                self._truncate_next = False
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(body)

        def _fault(self, path: str) -> bool:
            fault = server.faults.take(path)
            if fault is None:
                return False
            if fault.delay_seconds:
                time.sleep(fault.delay_seconds)
            if fault.reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.connection.close()
                return True
            if fault.truncate:
                self._truncate_next = True
                return False
            if fault.status is None and fault.body is None:
                return False  # a pure delay: answer normally afterwards
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            self._send(fault.status or 200, fault.body if fault.body is not None else b'{"error":"injected"}', headers)
            return True

        def _route(self, method: str) -> None:
            server.requests_served += 1
            parsed = urlparse(self.path)
            path, query = parsed.path, parse_qs(parsed.query)
            body = b""
            if method == "POST":
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self._fault(path):
                return
            if not self._authorised(path):
                self._send(401, json.dumps({"error": "Couldn't authenticate you"}).encode())
                return
            key = (method, self.path, body)
            if server.memo is not None and key in server.memo:
                self._send(*server.memo[key])
                return
            try:
                headers: dict[str, str] = {}
                if method == "GET" and path == "/api/v2/incremental/tickets/cursor.json":
                    payload: Any = server.zendesk_tickets(query)
                elif method == "GET" and path == "/api/v2/incremental/ticket_events.json":
                    payload = server.zendesk_ticket_events(query)
                elif method == "GET" and path == "/api/v2/satisfaction_ratings.json":
                    payload = server.zendesk_satisfaction_ratings(query)
                elif method == "GET" and path == "/api/v2/guide/survey_responses":
                    payload = server.zendesk_csat_survey_responses(query)
                elif method == "GET" and path == "/api/v2/groups.json":
                    payload = server.zendesk_groups(query)
                elif method == "GET" and path == "/api/v2/users.json":
                    payload = server.zendesk_users(query)
                elif method == "GET" and path == "/api/v2/users/show_many.json":
                    payload = server.zendesk_users_show_many(query)
                elif method == "GET" and path == "/api/v2/ticket_fields.json":
                    payload = server.zendesk_ticket_fields(query)
                elif method == "GET" and path.startswith("/api/v2/groups/") and path.endswith(".json"):
                    group = path.removeprefix("/api/v2/groups/").removesuffix(".json")
                    if not group.isdigit():
                        raise _ApiError(404, {"error": "RecordNotFound", "description": "Not found"})
                    payload = server.zendesk_group(int(group))
                elif method == "POST" and path in (
                    "/crm/v3/objects/contacts/search",
                    "/crm/v3/objects/companies/search",
                ):
                    payload = server.hubspot_search(path.split("/")[4], json.loads(body or b"{}"))
                elif method == "GET" and path in ("/crm/v3/properties/contacts", "/crm/v3/properties/companies"):
                    payload = server.hubspot_properties(path.rsplit("/", 1)[1])
                elif method == "GET" and path in ("/crm/v3/objects/contacts", "/crm/v3/objects/companies"):
                    payload = server.hubspot_archived(query)
                elif method == "GET" and path == "/v1/survey_responses.json":
                    payload = server.survey_responses(query)
                else:
                    raise _ApiError(404, {"error": "RecordNotFound", "description": f"No route {method} {path}"})
            except _ApiError as err:
                self._send(err.status, json.dumps(err.body).encode())
                return
            answer = (200, json.dumps(payload, ensure_ascii=False).encode(), headers)
            if server.memo is not None:
                server.memo[key] = answer
            self._send(*answer)

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

    return Handler


def contact_count_as_of(source: SampleSource) -> int:
    """How many contacts exist at the source's `now` (for tests and the demo summary)."""
    return sum(
        1
        for c in source.organisation.customers
        if last_modified(c.created_epoch, c.modify_period_days, source.now) is not None
    )
