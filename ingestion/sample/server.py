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
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from ingestion.sample.api_common import ApiError
from ingestion.sample.hubspot_api import HubSpotApi
from ingestion.sample.organisation import last_modified
from ingestion.sample.source import SampleSource
from ingestion.sample.survey_api import SurveyApi
from ingestion.sample.zendesk_api import ZendeskApi

SAMPLE_CREDENTIALS = {
    "zendesk": {"email": "sample@example.com", "api_token": "sample-token"},
    "hubspot": {"access_token": "sample-token"},
    "survey_api": {"api_key": "sample-key"},
}


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


class SampleServer(ZendeskApi, HubSpotApi, SurveyApi):
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
                elif method == "GET" and path == "/api/v2/incremental/ticket_metric_events.json":
                    payload = server.zendesk_ticket_metric_events(query)
                elif method == "GET" and path == "/api/v2/slas/policies.json":
                    payload = server.zendesk_sla_policies(query)
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
                elif method == "GET" and path == "/api/v2/business_hours/schedules.json":
                    payload = server.zendesk_schedules()
                elif (
                    method == "GET"
                    and path.startswith("/api/v2/business_hours/schedules/")
                    and path.endswith("/holidays.json")
                ):
                    schedule = path.split("/")[5]
                    if not schedule.isdigit():
                        raise ApiError(404, {"error": "RecordNotFound", "description": "Not found"})
                    payload = server.zendesk_schedule_holidays(int(schedule))
                elif method == "GET" and path.startswith("/api/v2/groups/") and path.endswith(".json"):
                    group = path.removeprefix("/api/v2/groups/").removesuffix(".json")
                    if not group.isdigit():
                        raise ApiError(404, {"error": "RecordNotFound", "description": "Not found"})
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
                    raise ApiError(404, {"error": "RecordNotFound", "description": f"No route {method} {path}"})
            except ApiError as err:
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
