"""Raw keeps every ticket version it was given. Re-runs in any order, at any page size, with the
source moving on in between, never lose one, and end where one clean run ends.

Before raw was versioned, a day's load replaced the day: re-running yesterday after some of its
tickets were updated again today dropped them from raw until today was loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from ingestion import pipeline
from ingestion.sample.server import SampleServer
from ingestion.sample.source import SampleSource, sample_config_from_env
from ingestion.settings import Settings, load_settings
from ingestion.sources import zendesk
from orchestration.publishing import PUBLISHED_MARTS, RUN_RECORD_MARTS
from tests.conftest import pointed_at
from tests.sample_warehouse import mart_fingerprints, run_dbt

D16, D17, D18, D19 = date(2026, 3, 16), date(2026, 3, 17), date(2026, 3, 18), date(2026, 3, 19)
# Clocks of the source (Shanghai): just after 03-18 ended, that evening, and the pinned sample now.
T1, T2, T3 = "2026-03-19T00:30:00+08:00", "2026-03-19T20:00:00+08:00", "2026-03-20T00:00:00+08:00"
AFTER_D16, AFTER_D17 = "2026-03-17T00:30:00+08:00", "2026-03-18T00:30:00+08:00"  # just after those days ended


@pytest.fixture(autouse=True)
def _few_tickets(settings, monkeypatch):
    # page size 1 makes a request per ticket: a small day keeps the test quick
    monkeypatch.setenv("CSKPI_SAMPLE_TICKETS_PER_DAY", "20")


def _epoch(moment: str) -> int:
    return int(datetime.fromisoformat(moment).timestamp())


@contextmanager
def _source_at(settings: Settings, now: str) -> Iterator[Settings]:
    """`settings` pointed at the sample served as its clock reads `now`."""
    with SampleServer(SampleSource(sample_config_from_env(), _epoch(now))) as server:
        yield pointed_at(settings, server)


def _ingest(settings: Settings, now: str, day: date, run_id: str):
    with _source_at(settings, now) as source:
        return pipeline.ingest_tickets(source, day, day, run_id)


def _versions(settings: Settings) -> set[tuple[int, datetime]]:
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        return set(con.execute("select id, generated_at from raw.zendesk__tickets").fetchall())


def _status_changed(settings: Settings) -> int:
    """Tickets raw holds in more than one status: the ones a wrong pick of version would show."""
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        sql = "select count(*) from (select id from raw.zendesk__tickets group by id having count(distinct status) > 1)"
        return con.execute(sql).fetchone()[0]


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


# The daily runs just after 03-16 and 03-17 ended, then re-runs: days out of order, each re-run,
# with the source's clock moving forward in between. The daily runs store versions that later
# updates (a reply, a solve) supersede, so the older versions differ in status from the newest.
# 03-19 is loaded once the source's day has ended (T3), so that at the end every ticket's newest
# version is in raw, as in the clean run; see _clean_run.
MESSY_STEPS = (
    (AFTER_D16, D16), (AFTER_D17, D17),
    (T1, D17), (T1, D16), (T2, D18), (T2, D16), (T3, D18), (T3, D19), (T3, D17), (T3, D16),
)  # fmt: skip
# Ticket events are versioned too (one copy per event id), so they are re-run in the same messy
# order; the other streams are loaded once at the final clock into each warehouse, identically.
RERUN = (pipeline.ingest_tickets, pipeline.ingest_ticket_events)
ONCE = tuple(ingest for ingest in pipeline.DAILY_INGESTS if ingest not in RERUN)


# dbt builds both warehouses at one page size only: one build takes 10-20 s on a 2-core machine,
# and the page size only changes how the export is paged, which the raw versions (checked at
# every page size) show. Page size 1 is the one that cuts the export between every two tickets.
@pytest.mark.parametrize(("page_size", "through_dbt"), [(1, True), (2, False), (1000, False)])
def test_reruns_in_any_order_and_page_size_lose_no_version_and_end_as_one_clean_run(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, page_size: int, through_dbt: bool
) -> None:
    clean = _clean_run(tmp_path, monkeypatch)
    clean_latest = _latest(clean)
    monkeypatch.setattr(zendesk, "EXPORT_PAGE_SIZE", page_size)
    held: set = set()
    for step, (now, day) in enumerate(MESSY_STEPS):
        with _source_at(settings, now) as source:  # one server a step: building the sample takes a while
            for ingest in RERUN:
                ingest(source, day, day, f"step-{step}")
        versions = _versions(settings)
        assert held <= versions, f"step {step} ({day} at {now}) lost {len(held - versions)} version(s)"
        held = versions
    assert clean_latest, "the clean run must load tickets"
    # The messy run also holds older versions, e.g. 03-18's version of a ticket updated again on
    # 03-19; every ticket's newest version is the clean run's, and no ticket is missing or extra.
    assert _latest(settings) == clean_latest
    assert _status_changed(settings) > 0, "the re-runs must keep older versions of another status to mean much"
    if not through_dbt:
        return
    for warehouse, run_id in ((clean, "clean"), (settings, "messy")):
        _load_the_rest(warehouse, run_id)
    with ThreadPoolExecutor(2) as pool:  # two subprocesses, two files: they may run side by side
        builds = [
            pool.submit(_build, warehouse, tmp_path / name) for warehouse, name in ((clean, "c"), (settings, "m"))
        ]
        for build in builds:
            build.result()
    # Staging reads each ticket's newest version, so the older versions the re-runs kept change no
    # mart: every published mart is row for row the clean run's.
    assert mart_fingerprints(settings.warehouse_path, PUBLISHED) == mart_fingerprints(clean.warehouse_path, PUBLISHED)


# rpt_sources records when each run loaded: the two builds' differ by design
PUBLISHED = tuple(f"marts.{table}" for table in PUBLISHED_MARTS if table not in RUN_RECORD_MARTS)


def _load_the_rest(settings: Settings, run_id: str) -> None:
    """The streams loaded once, at the sample's clock (T3), after the tickets the lists look up."""
    for ingest in ONCE:
        ingest(settings, D16, D19, run_id)
    for ingest in pipeline.REFERENCE_INGESTS:
        ingest(settings, run_id)


def _build(settings: Settings, work: Path) -> None:
    run_dbt("build", env={"CSKPI_WAREHOUSE_PATH": str(settings.warehouse_path)}, target_dir=work)


def _clean_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """One load of the re-run streams, 03-16..03-19 at the final clock, in a warehouse of its own.

    It reaches 03-19, the last day the source's clock (T3, 03-20 00:00) has ended: a clean run of
    03-16..03-18 alone counts the 03-19 versions of its tickets as outside its window and never
    stores those tickets, while the re-runs stored their earlier versions; the two would not hold
    the same tickets, and the marts would rightly differ."""
    with monkeypatch.context() as m:
        m.setenv("CSKPI_DATA_DIR", str(tmp_path / "clean"))
        clean = load_settings()
    with _source_at(clean, T3) as source:
        for ingest in RERUN:
            ingest(source, D16, D19, "clean")
    return clean


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
