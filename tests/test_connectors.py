"""Connectors against a loopback server speaking the real API shapes, with injected faults."""

from __future__ import annotations

import json
import time

import pytest

from ingestion.clients import open_client
from ingestion.errors import PagingLoopError, SourceAuthError, SourceHTTPError, SourcePayloadError
from ingestion.landing import LandingBatch
from ingestion.local_days import day_bounds
from ingestion.sample.server import Fault
from ingestion.sample.surveys import api_responses
from ingestion.sources import hubspot, survey_api, zendesk
from tests.conftest import pointed_at

DAY = __import__("datetime").date(2026, 3, 18)


def _batch(settings, stream: str) -> LandingBatch:
    return LandingBatch(settings.landing_dir, "test", stream, DAY.isoformat())


def test_ticket_events_page_through_the_time_based_export(settings, server):
    start, end = day_bounds(settings.reporting_timezone, DAY)
    with open_client(pointed_at(settings, server), "zendesk") as client:
        result = zendesk.fetch_ticket_events(client, _batch(settings, "events"), start, end)
    served = server.source.audits_between(start, end)
    assert result.pages >= 2, "a day of events spans several 1000-event pages"
    landed_ids = set()
    for path in result.batch.files:
        landed_ids.update(e["id"] for e in json.loads(path.read_bytes())["ticket_events"])
    assert {a.id for a in served} <= landed_ids
    assert len(result.batch.files) == result.pages


def test_contacts_page_with_after_and_restart_past_the_search_cap(settings, server, monkeypatch):
    # 12,000 contacts are more than one search query may return (10,000): the connector restarts
    # the query from the newest modified time it reached instead of failing or stopping short.
    monkeypatch.setenv("CSKPI_SAMPLE_CUSTOMERS", "12000")
    from ingestion.sample.source import SampleSource

    server.source = SampleSource.from_env()
    with open_client(pointed_at(settings, server), "hubspot") as client:
        result = hubspot.fetch_modified_since(
            client, _batch(settings, "contacts"), "contacts", hubspot.CONTACT_PROPERTIES, 0
        )
    ids = set()
    for path in result.batch.files:
        page = json.loads(path.read_bytes())
        assert len(page["results"]) <= hubspot.SEARCH_PAGE_SIZE
        ids.update(r["id"] for r in page["results"])
    assert len(ids) == 12000
    assert result.records >= 12000
    assert result.pages >= 12000 // hubspot.SEARCH_PAGE_SIZE
    assert int(result.cursor) == server.source.contacts_modified_since(0)[-1][0] * 1000


def test_survey_api_pages_by_number_until_an_empty_page(settings, server):
    start, end = day_bounds(settings.reporting_timezone, DAY)
    start -= 5 * 86_400  # several days, so there is more than one page of 100
    with open_client(pointed_at(settings, server), "survey_api") as client:
        result = survey_api.fetch_responses(client, _batch(settings, "surveys"), start, end)
    source = server.source
    updated = api_responses(source.config, start, end, source.now, by="updated")
    created = api_responses(source.config, start, end, source.now, by="created")
    assert len(created) > survey_api.PAGE_SIZE
    # both passes land every page, each closed by an empty one
    full_pages = -(-len(updated) // survey_api.PAGE_SIZE) + -(-len(created) // survey_api.PAGE_SIZE)
    assert result.pages == full_pages + 2
    assert result.records == len(updated) + len(created)


def test_429_with_retry_after_is_honoured(settings, server, faults):
    faults.faults.append(Fault("/api/v2/groups.json", status=429, retry_after=1, times=2))
    started = time.monotonic()
    with open_client(pointed_at(settings, server), "zendesk") as client:
        result = zendesk.fetch_groups(client, _batch(settings, "groups"))
    assert result.records == 8
    assert time.monotonic() - started >= 2.0, "two 429s with Retry-After: 1 must wait at least 2 s"
    assert server.requests_served == 3


def test_5xx_answers_are_retried(settings, server, faults):
    faults.faults.append(Fault("/api/v2/users.json", status=500, times=1))
    faults.faults.append(Fault("/api/v2/users.json", status=502, times=1))
    with open_client(pointed_at(settings, server), "zendesk") as client:
        result = zendesk.fetch_agent_users(client, _batch(settings, "users"))
    assert result.records == 61
    assert server.requests_served == 3


def test_persistent_5xx_fails_with_the_source_named(settings, server, faults):
    faults.faults.append(Fault("/api/v2/groups.json", status=503, times=100))
    with open_client(pointed_at(settings, server), "zendesk") as client, pytest.raises(SourceHTTPError) as err:
        zendesk.fetch_groups(client, _batch(settings, "groups"))
    assert "zendesk" in str(err.value) and "503" in str(err.value)
    assert server.requests_served == 1 + settings.http_max_retries


def test_a_response_slower_than_the_timeout_is_retried(settings, server, faults, monkeypatch):
    monkeypatch.setenv("CSKPI_HTTP_TIMEOUT_SECONDS", "0.5")
    from ingestion.settings import load_settings

    faults.faults.append(Fault("/api/v2/groups.json", delay_seconds=1.5, status=200, times=1))
    with open_client(pointed_at(load_settings(), server), "zendesk") as client:
        result = zendesk.fetch_groups(client, _batch(settings, "groups"))
    assert result.records == 8
    assert server.requests_served == 2


def test_a_truncated_or_malformed_page_is_fetched_again(settings, server, faults):
    faults.faults.append(Fault("/api/v2/incremental/tickets", truncate=True, times=1))
    faults.faults.append(Fault("/api/v2/incremental/tickets", status=200, body=b'{"tickets": [{"id": 1,', times=1))
    start, end = day_bounds(settings.reporting_timezone, DAY)
    with open_client(pointed_at(settings, server), "zendesk") as client:
        result = zendesk.fetch_tickets(client, _batch(settings, "tickets"), start, end)
    assert result.records == len(server.source.tickets_updated(start, server.source.now + 1)[:1000])
    assert server.requests_served == 3


def test_persistently_malformed_json_fails_loudly(settings, server, faults):
    faults.faults.append(Fault("/api/v2/incremental/tickets", status=200, body=b'{"tickets": [{"id": 1,', times=100))
    start, end = day_bounds(settings.reporting_timezone, DAY)
    with open_client(pointed_at(settings, server), "zendesk") as client, pytest.raises(SourcePayloadError) as err:
        zendesk.fetch_tickets(client, _batch(settings, "tickets"), start, end)
    assert "zendesk" in str(err.value) and "not valid JSON" in str(err.value)


def test_expired_token_fails_at_once_naming_the_variable(settings, server):
    expired = pointed_at(settings, server, hubspot={"access_token": "expired"})
    with open_client(expired, "hubspot") as client, pytest.raises(SourceAuthError) as err:
        hubspot.fetch_modified_since(client, _batch(settings, "contacts"), "contacts", ("email",), 0)
    assert "HUBSPOT_ACCESS_TOKEN" in str(err.value) and "401" in str(err.value)
    assert server.requests_served == 1, "an auth failure is not retried"


def test_a_repeated_cursor_stops_paging(settings, server, faults):
    looping_page = json.dumps(
        {"groups": [], "meta": {"has_more": True, "after_cursor": "same"}, "links": {"next": "/api/v2/groups.json"}}
    ).encode()
    faults.faults.append(Fault("/api/v2/groups.json", status=200, body=looping_page, times=10))
    with open_client(pointed_at(settings, server), "zendesk") as client, pytest.raises(PagingLoopError):
        zendesk.fetch_groups(client, _batch(settings, "groups"))
    assert server.requests_served == 2


def test_a_real_account_without_credentials_says_what_to_set(settings, monkeypatch):
    monkeypatch.setenv("ZENDESK_BASE_URL", "http://127.0.0.1:9")
    from ingestion.settings import load_settings

    with (
        pytest.raises(SourceAuthError, match="ZENDESK_EMAIL and ZENDESK_API_TOKEN"),
        open_client(load_settings(), "zendesk"),
    ):
        pass


def test_connection_resets_are_retried(settings, server, faults):
    faults.faults.append(Fault("/api/v2/groups.json", reset=True, times=2))
    with open_client(pointed_at(settings, server), "zendesk") as client:
        result = zendesk.fetch_groups(client, _batch(settings, "groups"))
    assert result.records == 8
    assert server.requests_served == 3


def test_a_page_that_keeps_arriving_truncated_fails_loudly(settings, server, faults):
    faults.faults.append(Fault("/api/v2/groups.json", truncate=True, times=100))
    with open_client(pointed_at(settings, server), "zendesk") as client, pytest.raises(SourceHTTPError) as err:
        zendesk.fetch_groups(client, _batch(settings, "groups"))
    assert "cut short" in str(err.value)
    assert server.requests_served == 1 + settings.http_max_retries


class _Clock:
    """Time that passes only when the client waits, so a minute's budget is tested in no time."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_incremental_exports_are_paced_to_the_accounts_limit(settings, server, monkeypatch):
    """Zendesk allows 10 export requests a minute; at a budget of 2 a minute, 5 pages of the ticket
    export wait for the oldest request to age out: the 3rd and 4th page at t = 60 s, the 5th at
    t = 120 s. So the client waited 120 s in all, and every page still arrived."""
    import dataclasses

    from ingestion.http import Pacer

    monkeypatch.setattr(zendesk, "EXPORT_PAGE_SIZE", 80)
    start, end = day_bounds(settings.reporting_timezone, DAY)
    served = len(server.source.tickets_updated(start, end))
    # the 5th page of 80 holds the day's last version and the first one after it: paging stops there
    assert 320 < served < 400, "five pages of 80"
    clock = _Clock()
    real = dataclasses.replace(pointed_at(settings, server), zendesk_export_requests_per_minute=2)
    with open_client(real, "zendesk") as client:
        assert client.pacer is not None and client.pacer.per_minute == 2
        client.pacer = Pacer(2, "/incremental/", clock=clock.monotonic, sleep=clock.sleep)
        result = zendesk.fetch_tickets(client, _batch(settings, "tickets"), start, end)
    assert result.pages == 5
    assert clock.now == client.pacer.waited_seconds == 120


def test_a_window_starting_within_the_last_minute_asks_the_export_nothing(settings, server):
    """The export gives no data for the most recent minute, and start_time must be older."""
    start = int(time.time()) - 10
    with open_client(pointed_at(settings, server), "zendesk") as client:
        tickets = zendesk.fetch_tickets(client, _batch(settings, "tickets"), start, start + 86_400)
        events = zendesk.fetch_ticket_events(client, _batch(settings, "events"), start, start + 86_400)
    assert (tickets.pages, events.pages, server.requests_served) == (0, 0, 0)
