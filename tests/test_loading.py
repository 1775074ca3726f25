"""Loads are idempotent, and a cursor only moves with the data it covers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import closing
from datetime import date

import duckdb
import pytest

from ingestion import loader, pipeline
from ingestion.sample.server import SAMPLE_CREDENTIALS, Fault
from ingestion.settings import load_settings
from ingestion.streams import HUBSPOT_CONTACTS, SURVEY_API_RESPONSES, ZENDESK_TICKET_EVENTS, ZENDESK_TICKETS
from tests.conftest import TEST_PII_HASH_KEY, pointed_at

FIRST, LAST = date(2026, 3, 17), date(2026, 3, 18)
BOOKKEEPING = ("_batch_id", "_run_id", "_loaded_at", "_source_file")


def _fingerprint(table: str) -> tuple[int, str]:
    """Row count and a checksum of every column except load bookkeeping."""
    with closing(duckdb.connect(str(load_settings().warehouse_path), read_only=True)) as con:
        # by name: a migrated table has its newer columns last
        cols = sorted(r[0] for r in con.execute(f"describe {table}").fetchall() if r[0] not in BOOKKEEPING)
        row = con.execute(
            f"select count(*), md5(string_agg(md5(row({', '.join(cols)})::varchar), ',' "
            f"order by md5(row({', '.join(cols)})::varchar))) from {table}"
        ).fetchone()
    return row[0], row[1]


def _rejects_fingerprint(stream: str) -> tuple[int, str]:
    with closing(duckdb.connect(str(load_settings().warehouse_path), read_only=True)) as con:
        return con.execute(
            "select count(*), md5(coalesce(string_agg(payload_md5 || reason, ',' order by payload_md5), '')) "
            "from raw._rejects where stream = ?",
            [stream],
        ).fetchone()


@pytest.mark.parametrize(
    ("ingest", "table", "stream", "versioned"),
    [
        (pipeline.ingest_tickets, ZENDESK_TICKETS.table, ZENDESK_TICKETS.stream, True),
        (pipeline.ingest_ticket_events, ZENDESK_TICKET_EVENTS.table, ZENDESK_TICKET_EVENTS.stream, True),
        (pipeline.ingest_survey_api, SURVEY_API_RESPONSES.table, SURVEY_API_RESPONSES.stream, True),
        (pipeline.ingest_survey_csv, "raw.surveys__csv_responses", "csv_responses", True),
    ],
)
def test_loading_the_same_partitions_twice_changes_nothing(settings, ingest, table, stream, versioned):
    first = ingest(settings, FIRST, LAST, "run-1")
    before, rejects_before = _fingerprint(table), _rejects_fingerprint(stream)
    second = ingest(settings, FIRST, LAST, "run-2")
    assert _fingerprint(table) == before
    assert _rejects_fingerprint(stream) == rejects_before
    assert before[0] == first.records_loaded > 0
    # A versioned stream already holds every version the second load brings: each is a counted
    # duplicate. A day's export file replaces that day, so it loads again.
    assert second.records_loaded == (0 if versioned else first.records_loaded)
    # The sample writes the month's 问卷星 workbook again on each run, with the same answers: an
    # unchanged undated export is named as skipped and not read, so its records are not counted again.
    skipped = second.notes.get("unchanged_exports_skipped", [])
    assert skipped == (["108397328_202603_客户满意度回访.xlsx"] if stream == "csv_responses" else [])
    not_read = [r for r in first.per_partition if r.notes.get("file") in skipped]
    kept, rejected = (
        sum(r.records_loaded + r.duplicates_dropped for r in not_read),
        sum(r.records_rejected for r in not_read),
    )
    assert second.records_loaded + second.duplicates_dropped + kept == first.records_loaded + first.duplicates_dropped
    assert rejects_before[0] <= first.records_rejected == second.records_rejected + rejected


def test_reloading_one_day_of_a_range_leaves_the_other_days(settings):
    pipeline.ingest_tickets(settings, FIRST, LAST, "run-1")
    everything = _fingerprint(ZENDESK_TICKETS.table)
    pipeline.ingest_tickets(settings, LAST, LAST, "run-2")
    assert _fingerprint(ZENDESK_TICKETS.table) == everything


def test_a_run_killed_before_commit_leaves_the_cursor_and_the_next_run_refetches(settings, server, faults):
    """SIGKILL the ingesting process after pages have landed but before its load commits: the
    cursor stays where committed data ends, and the next run fetches those records again."""
    faults.faults.append(Fault("/crm/v3/objects/contacts/search", delay_seconds=0.3, times=1000))
    env = {
        **os.environ,
        "HUBSPOT_BASE_URL": server.base_url,
        "HUBSPOT_ACCESS_TOKEN": SAMPLE_CREDENTIALS["hubspot"]["access_token"],
        "CSKPI_PII_HASH_KEY": TEST_PII_HASH_KEY,
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", "from ingestion import pipeline; from ingestion.settings import load_settings; "
         "pipeline.ingest_contacts(load_settings(), 'run-killed')"],
        env=env,
    )  # fmt: skip
    landing = settings.landing_dir / "hubspot" / "contacts"
    deadline = time.monotonic() + 30
    while len(list(landing.rglob("page-*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert len(list(landing.rglob("page-*.json"))) >= 3, "what was fetched stays in the landing zone"

    with closing(loader.connect(settings.warehouse_path)) as con:
        assert loader.last_cursor(con, HUBSPOT_CONTACTS) is None
        assert con.execute("select count(*) from raw._ingest_ledger").fetchone()[0] == 0

    faults.faults.clear()
    result = pipeline.ingest_contacts(pointed_at(settings, server), "run-retry")
    assert result.records_loaded == 2000
    with closing(loader.connect(settings.warehouse_path)) as con:
        assert int(loader.last_cursor(con, HUBSPOT_CONTACTS)) > 0
        assert con.execute("select count(*) from raw.hubspot__contacts").fetchone()[0] == 2000


def test_incremental_crm_reads_from_the_committed_cursor(settings):
    first = pipeline.ingest_contacts(settings, "run-1")
    second = pipeline.ingest_contacts(settings, "run-2")
    assert first.records_loaded == 2000
    # Only the records at the high-water mark itself come again (the filter is inclusive).
    assert 0 < second.records_fetched < 20
    assert _fingerprint(HUBSPOT_CONTACTS.table)[0] == 2000


def _requesters_of_raw_tickets() -> int:
    with closing(duckdb.connect(str(load_settings().warehouse_path), read_only=True)) as con:
        return con.execute("select count(distinct requester_id) from raw.zendesk__tickets").fetchone()[0]


def test_requesters_are_fetched_once_and_a_later_day_adds_only_the_new_ones(settings):
    """The requesters are the ids raw tickets point to that raw does not hold yet: a second run
    fetches none and changes nothing; a later day's tickets bring only the customers first seen then."""
    pipeline.ingest_tickets(settings, FIRST, FIRST, "run-1")
    first = pipeline.ingest_requesters(settings, "run-1")
    held = _fingerprint("raw.zendesk__requesters")
    assert first.records_fetched == first.records_loaded == held[0] == _requesters_of_raw_tickets() > 0
    again = pipeline.ingest_requesters(settings, "run-2")
    assert (again.records_fetched, again.records_loaded) == (0, 0)
    assert _fingerprint("raw.zendesk__requesters") == held
    pipeline.ingest_tickets(settings, LAST, LAST, "run-3")
    later = pipeline.ingest_requesters(settings, "run-3")
    assert later.records_fetched == later.records_loaded == _requesters_of_raw_tickets() - held[0] > 0
    with closing(loader.connect(settings.warehouse_path)) as con:
        assert all(loader.accounting_gaps(con, run, "zendesk", "requesters") == [] for run in ("run-1", "run-3"))


def test_day_windows_are_half_open_local_days(settings):
    window = pipeline.day_window(settings, date(2026, 3, 18))
    # A Shanghai day is 16:00 UTC the day before to 16:00 UTC; the end is the next day's start.
    assert (str(window.start), str(window.end)) == ("2026-03-17 16:00:00", "2026-03-18 16:00:00")
    assert pipeline.day_window(settings, date(2026, 3, 19)).start == window.end


def test_a_warehouse_from_before_the_typed_event_columns_gets_them_filled_from_the_record(settings):
    """Upgrading keeps history: a raw table that lacks typed columns a newer release reads gets them
    at the next load, filled for the stored rows from `_record`, with the values a fresh load gives."""
    pipeline.ingest_ticket_events(settings, FIRST, LAST, "run-1")
    fresh = _fingerprint(ZENDESK_TICKET_EVENTS.table)
    added = ("field_name", "value", "previous_value", "public", "author_id", "via_channel", "call_duration")
    with closing(duckdb.connect(str(settings.warehouse_path))) as con:
        for column in added:
            con.execute(f"alter table {ZENDESK_TICKET_EVENTS.table} drop column {column}")
    # the next daily load touches only LAST: FIRST's stored rows can get their columns from _record alone
    pipeline.ingest_ticket_events(settings, LAST, LAST, "run-2")
    assert _fingerprint(ZENDESK_TICKET_EVENTS.table) == fresh
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        kept = con.execute(
            f"select distinct _run_id from {ZENDESK_TICKET_EVENTS.table} where _partition_date = '{FIRST}'"
        ).fetchall()
    assert kept == [("run-1",)]  # FIRST was filled in place, not fetched again
