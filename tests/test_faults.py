"""Faults: the warehouse ends complete and exact, record for record, or the run fails loudly.

Each case ingests two days through the real connectors and loader from a loopback server that
misbehaves, then compares what raw holds (loaded plus rejected) with what the source served.
"""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date

import duckdb
import pytest

from ingestion import loader, pipeline
from ingestion.errors import PagingLoopError
from ingestion.local_days import day_bounds
from ingestion.sample.server import Fault, SampleServer
from ingestion.sample.source import SampleSource
from ingestion.streams import ZENDESK_TICKET_EVENTS
from tests.conftest import pointed_at

FIRST, LAST = date(2026, 3, 17), date(2026, 3, 18)


def _raw_tickets(settings) -> dict[int, dict]:
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        rows = con.execute("select _record from raw.zendesk__tickets").fetchall()
        rejected = con.execute("select payload from raw._rejects where stream = 'tickets'").fetchall()
    out = {}
    for (payload,) in rows + rejected:
        record = json.loads(payload)
        out[record.get("id", record.get("subject"))] = record
    return out


def _served_tickets(source: SampleSource, tz: str) -> dict[int, dict]:
    start, _ = day_bounds(tz, FIRST)
    _, end = day_bounds(tz, LAST)
    return {r[2].get("id", r[2].get("subject")): r[2] for r in source.tickets_updated(start, end)}


def _served_event_ids(source: SampleSource, tz: str) -> set[int]:
    start, _ = day_bounds(tz, FIRST)
    _, end = day_bounds(tz, LAST)
    return {ev["id"] for a in source.audits_between(start, end) for ev in a.child_events}


def _raw_event_ids(settings) -> list[int]:
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        return [r[0] for r in con.execute("select id from raw.zendesk__ticket_events").fetchall()]


def _ingest(settings):
    pipeline.ingest_tickets(settings, FIRST, LAST, "faulty")
    pipeline.ingest_ticket_events(settings, FIRST, LAST, "faulty")
    pipeline.ingest_survey_api(settings, FIRST, LAST, "faulty")


STORMS = {
    "429 bursts with Retry-After": [Fault("/api/v2/incremental", status=429, retry_after=1, times=3)],
    "500, 502 and 503": [Fault("/api/v2/incremental/ticket_events", status=s, times=1) for s in (500, 502, 503)]
    + [Fault("/v1/survey_responses", status=503, times=2)],
    "slow answers past the timeout": [Fault("/api/v2/incremental/tickets", delay_seconds=1.5, times=2)],
    "connection resets": [Fault("/api/v2/incremental", reset=True, times=3)],
    "truncated bodies": [Fault("/api/v2/incremental", truncate=True, times=3), Fault("/v1/", truncate=True)],
}


@pytest.mark.parametrize("storm", list(STORMS))
def test_the_warehouse_is_exact_after_a_fault_storm(settings, server, faults, monkeypatch, storm):
    monkeypatch.setenv("CSKPI_HTTP_TIMEOUT_SECONDS", "1")
    from ingestion.settings import load_settings

    faults.faults.extend(STORMS[storm])
    real = pointed_at(load_settings(), server)
    # The sample draws its days before the storm, so the 1 s timeout meets the injected faults
    # and not the generator's first draw (seconds on a busy machine).
    start, _ = day_bounds(real.reporting_timezone, FIRST)
    server.source.tickets_updated(start, server.source.now + 1)
    server.source.audits_between(start, server.source.now + 1)
    _ingest(real)
    assert all(f.times == 0 for f in faults.faults), "every injected fault was hit"
    assert _raw_tickets(real) == _served_tickets(server.source, real.reporting_timezone)
    events = _raw_event_ids(real)
    assert len(events) == len(set(events)), "no event twice"
    assert set(events) == _served_event_ids(server.source, real.reporting_timezone)


def test_the_same_records_delivered_by_two_runs_are_kept_once(settings, server):
    real = pointed_at(settings, server)
    _ingest(real)
    _ingest(real)
    assert _raw_tickets(real) == _served_tickets(server.source, real.reporting_timezone)
    events = _raw_event_ids(real)
    assert len(events) == len(set(events)) == len(_served_event_ids(server.source, real.reporting_timezone))


def test_a_repeated_cursor_fails_the_run_and_loads_nothing(settings, server, faults):
    page = json.dumps({"ticket_events": [], "next_page": "/api/v2/incremental/ticket_events.json?start_time=1",
                       "end_of_stream": False, "end_time": 1, "count": 0}).encode()  # fmt: skip
    faults.faults.append(Fault("/api/v2/incremental/ticket_events", status=200, body=page, times=10))
    with pytest.raises(PagingLoopError):
        pipeline.ingest_ticket_events(pointed_at(settings, server), FIRST, FIRST, "looping")
    with closing(loader.connect(settings.warehouse_path)) as con:
        assert con.execute("select count(*) from raw._ingest_ledger").fetchone()[0] == 0
        assert loader.last_cursor(con, ZENDESK_TICKET_EVENTS) is None


def test_schema_drift_new_fields_are_kept_and_missing_required_fields_are_rejected(sample_env, settings):
    def drift(record: dict) -> dict:
        record["satisfaction_probability"] = 0.42  # a field the source added
        if record.get("id", 0) % 10 == 0:
            record.pop("created_at", None)  # a required field the source dropped
        return record

    with SampleServer(SampleSource.from_env(), ticket_hook=drift) as drifting:
        real = pointed_at(settings, drifting)
        result = pipeline.ingest_tickets(real, FIRST, LAST, "drift")
        served = _served_tickets(drifting.source, real.reporting_timezone)
    dropped = {i for i in served if isinstance(i, int) and i % 10 == 0}
    assert dropped and result.records_rejected >= len(dropped)
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        kept = con.execute("select count(*) from raw.zendesk__tickets "
                           "where _record ->> 'satisfaction_probability' = '0.42'").fetchone()[0]  # fmt: skip
        reasons = dict(con.execute("select record_id, reason from raw._rejects").fetchall())
    assert kept == result.records_loaded > 0
    assert all(reasons[str(i)] == "unparseable created_at" for i in dropped)
