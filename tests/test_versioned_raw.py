"""Raw keeps every ticket version it was given. Re-runs in any order, at any page size, with the
source moving on in between, never lose one, and end where one clean run ends.

Before raw was versioned, a day's load replaced the day: re-running yesterday after some of its
tickets were updated again today dropped them from raw until today was loaded.
"""

from __future__ import annotations

from contextlib import closing
from datetime import date, datetime

import duckdb
import pytest

from ingestion import pipeline
from ingestion.sample.server import SampleServer
from ingestion.sample.source import SampleSource, sample_config_from_env
from ingestion.settings import Settings
from ingestion.sources import zendesk
from tests.conftest import pointed_at

D16, D17, D18 = date(2026, 3, 16), date(2026, 3, 17), date(2026, 3, 18)
# Clocks of the source (Shanghai): just after 03-18 ended, that evening, and the pinned sample now.
T1, T2, T3 = "2026-03-19T00:30:00+08:00", "2026-03-19T20:00:00+08:00", "2026-03-20T00:00:00+08:00"


@pytest.fixture(autouse=True)
def _few_tickets(settings, monkeypatch):
    # page size 1 makes a request per ticket: a small day keeps the test quick
    monkeypatch.setenv("CSKPI_SAMPLE_TICKETS_PER_DAY", "20")


def _epoch(moment: str) -> int:
    return int(datetime.fromisoformat(moment).timestamp())


def _ingest(settings: Settings, now: str, day: date, run_id: str):
    with SampleServer(SampleSource(sample_config_from_env(), _epoch(now))) as server:
        return pipeline.ingest_tickets(pointed_at(settings, server), day, day, run_id)


def _versions(settings: Settings) -> set[tuple[int, datetime]]:
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        return set(con.execute("select id, generated_at from raw.zendesk__tickets").fetchall())


def _latest(settings: Settings) -> dict[int, str]:
    """Each ticket's newest version as staging picks it: the record of its newest generated_at."""
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        rows = con.execute(
            "select id, arg_max(_record::varchar, generated_at) from raw.zendesk__tickets group by id"
        ).fetchall()
    return dict(rows)


def test_rerunning_yesterday_after_its_tickets_moved_on_keeps_every_ticket(settings):
    first = _ingest(settings, T1, D18, "first")
    held = _versions(settings)
    assert first.records_loaded == len(held) > 0

    # By the evening of 03-19 some of 03-18's tickets have newer versions (generated on 03-19),
    # which the export now serves instead. Re-running 03-18 alone must not drop the old ones.
    again = _ingest(settings, T2, D18, "again")
    assert again.outside_window > 0, "the sample must move some of 03-18's tickets on by the evening"
    assert held <= _versions(settings)
    # every record read is accounted for: what the second load read is either a version raw
    # already held (a duplicate), or a newer version generated after the window (outside)
    assert again.records_fetched == (
        again.records_loaded + again.records_rejected + again.duplicates_dropped + again.outside_window
    )


@pytest.mark.parametrize("page_size", [1, 2, 1000])
def test_reruns_in_any_order_and_page_size_lose_no_version_and_end_as_one_clean_run(
    settings, tmp_path, monkeypatch, page_size
):
    clean = _clean_run(settings, tmp_path, monkeypatch)
    monkeypatch.setattr(zendesk, "EXPORT_PAGE_SIZE", page_size)
    held: set = set()
    # days out of order, re-run, with the source's clock moving forward in between
    for step, (now, day) in enumerate([(T1, D17), (T1, D16), (T2, D18), (T2, D16), (T3, D18), (T3, D17), (T3, D16)]):
        _ingest(settings, now, day, f"step-{step}")
        versions = _versions(settings)
        assert held <= versions, f"step {step} ({day} at {now}) lost {len(held - versions)} version(s)"
        held = versions
    latest = _latest(settings)
    assert clean, "the clean run must load tickets"
    # Every ticket of the clean run ends with the same newest version. The messy run may also hold
    # older versions of tickets whose newest version is past 03-18: the clean run read those as outside.
    assert {ticket: latest.get(ticket) for ticket in clean} == clean


def _clean_run(settings: Settings, tmp_path, monkeypatch) -> dict[int, str]:
    """One load of 03-16..03-18 at the final clock, in a warehouse of its own."""
    from ingestion.settings import load_settings

    with monkeypatch.context() as m:
        m.setenv("CSKPI_DATA_DIR", str(tmp_path / "clean"))
        clean = load_settings()
        with SampleServer(SampleSource(sample_config_from_env(), _epoch(T3))) as server:
            pipeline.ingest_tickets(pointed_at(clean, server), D16, D18, "clean")
        return _latest(clean)


def test_a_warehouse_from_before_versioned_tickets_migrates_in_place(settings):
    """A raw tickets table of the day-replacing release lacks `generated_at`: the next load adds
    it, fills every stored row from `_record`, and from then on only adds versions."""
    _ingest(settings, T3, D17, "old")
    with closing(duckdb.connect(str(settings.warehouse_path))) as con:
        fresh = con.execute("select id, generated_at from raw.zendesk__tickets order by 1, 2").fetchall()
        con.execute("alter table raw.zendesk__tickets drop column generated_at")
    again = _ingest(settings, T3, D17, "upgraded")
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        migrated = con.execute("select id, generated_at from raw.zendesk__tickets order by 1, 2").fetchall()
    assert migrated == fresh and len(fresh) > 0
    assert (again.records_loaded, again.duplicates_dropped) == (0, len(fresh))
