"""Contract fixtures: Zendesk's documented responses (tests/fixtures/zendesk/, each naming its
reference page in `_reference`) served over loopback through the real connectors and loader.

Expected values are read off the fixture files by hand, not computed by the code under test.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pytest

from ingestion import loader, pipeline
from tests.conftest import pointed_at

FIXTURES = Path(__file__).parent / "fixtures" / "zendesk"
ROUTES = {
    "/api/v2/incremental/tickets/cursor.json": "incremental_tickets_cursor.json",
    "/api/v2/incremental/ticket_events.json": "incremental_ticket_events.json",
    "/api/v2/ticket_fields.json": "ticket_fields.json",
    "/api/v2/groups.json": "groups.json",
    "/api/v2/users.json": "users.json",
}
DAY = date(2026, 3, 10)  # every fixture's timestamps fall on this Shanghai day


class FixtureServer:
    """Answers each documented path with its fixture, less the `_reference` note."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                name = ROUTES.get(urlparse(self.path).path)
                if name is None:
                    body, status = b'{"error":"RecordNotFound"}', 404
                else:
                    payload = json.loads((FIXTURES / name).read_text())
                    payload.pop("_reference")
                    body, status = json.dumps(payload).encode(), 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        host, port = self._httpd.server_address[:2]
        self.base_url = f"http://{host}:{port}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def zendesk(settings) -> Iterator:
    server = FixtureServer()
    yield pointed_at(settings, server)
    server.stop()


def _rows(settings, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        return con.execute(sql).fetchall()


def test_the_documented_ticket_export_lands_whole_with_its_metric_sets(zendesk):
    tickets = pipeline.ingest_tickets(zendesk, DAY, DAY, "contract")
    # incremental_tickets_cursor.json: 2 tickets, both generated on 03-10, end_of_stream true
    assert (tickets.records_received, tickets.records_loaded, tickets.outside_window) == (2, 2, 0)
    assert _rows(
        zendesk,
        "select id, status, generated_at::varchar, custom_fields->>'27642', custom_fields->>'27648', group_id "
        "from raw.zendesk__tickets order by id",
    ) == [
        (35436, "open", "2026-03-10 02:30:00", "745", "yes", 360001),
        (35437, "closed", "2026-03-10 06:45:00", "812", "yes", 360002),
    ]
    # the metric_sets sideload: reply_time_in_minutes.calendar 16 and 30
    assert _rows(
        zendesk, "select ticket_id, reply_time_calendar_minutes from raw.zendesk__ticket_metrics order by 1"
    ) == [(35436, 16), (35437, 30)]
    with closing(loader.connect(zendesk.warehouse_path)) as con:
        assert loader.accounting_gaps(con, "contract", "zendesk", "tickets") == []
        assert loader.accounting_gaps(con, "contract", "zendesk", "ticket_metrics") == []


def test_the_documented_event_export_keeps_custom_field_changes_by_id(zendesk):
    events = pipeline.ingest_ticket_events(zendesk, DAY, DAY, "contract")
    # incremental_ticket_events.json: 2 audits of ticket 35437 with 7 and 4 child events
    assert (events.records_received, events.records_loaded) == (11, 11)
    assert _rows(
        zendesk,
        "select event_type, field_name, value from raw.zendesk__ticket_events "
        "where field_name in ('27642', '27648') order by id",
    ) == [("Create", "27642", "812"), ("Change", "27648", "yes")]


def test_the_documented_lists_land_deleted_groups_marked(zendesk):
    pipeline.ingest_groups(zendesk, "contract")
    pipeline.ingest_ticket_fields(zendesk, "contract")
    # groups.json lists 360002 with deleted: true; ticket_fields.json has 3 fields
    assert _rows(zendesk, "select id, _record->>'deleted' from raw.zendesk__groups order by id") == [
        (360001, "false"),
        (360002, "true"),
    ]
    assert _rows(zendesk, "select count(*) from raw.zendesk__ticket_fields") == [(3,)]
