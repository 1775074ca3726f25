"""A run killed with SIGKILL in the middle of loading, then re-run, gives the marts of a clean run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import closing
from datetime import date

import duckdb

from ingestion.settings import PROJECT_ROOT, load_settings
from tests import sample_warehouse
from tests.conftest import use_small_sample

FIRST, LAST = date(2026, 3, 14), date(2026, 3, 18)
INGEST_ALL = (
    "from datetime import date; from ingestion import pipeline; from ingestion.settings import load_settings; "
    "s = load_settings(); "
    f"[f(s, date.fromisoformat('{FIRST}'), date.fromisoformat('{LAST}'), 'killed') for f in "
    "(pipeline.ingest_ticket_events, pipeline.ingest_tickets)]"
)


def test_sigkill_mid_load_then_rerun_equals_a_clean_run(tmp_path, monkeypatch):
    use_small_sample(tmp_path / "clean", monkeypatch)
    # a small day keeps the two builds quick; five days give the kill a later day to land in
    monkeypatch.setenv("CSKPI_SAMPLE_TICKETS_PER_DAY", "80")
    clean = sample_warehouse.mart_fingerprints(sample_warehouse.build(FIRST, LAST, tmp_path / "clean"))

    use_small_sample(tmp_path / "killed", monkeypatch)
    monkeypatch.setenv("CSKPI_SAMPLE_TICKETS_PER_DAY", "80")
    worker = subprocess.Popen([sys.executable, "-c", INGEST_ALL], cwd=PROJECT_ROOT, env=dict(os.environ))
    events = load_settings().landing_dir / "zendesk" / "ticket_events"
    deadline = time.monotonic() + 60
    # Kill once several days of events have landed: the worker is loading or fetching a later day.
    while time.monotonic() < deadline and worker.poll() is None:
        if len({p.parent.parent for p in events.rglob("page-*.json")}) >= 3:
            break
        time.sleep(0.01)
    assert worker.poll() is None, "the worker finished before it could be killed"
    worker.send_signal(signal.SIGKILL)
    worker.wait()

    rerun = sample_warehouse.mart_fingerprints(sample_warehouse.build(FIRST, LAST, tmp_path / "killed"))
    assert rerun == clean
    with closing(duckdb.connect(str(load_settings().warehouse_path), read_only=True)) as con:
        killed_days = con.execute("select count(*) from raw._ingest_ledger where run_id = 'killed'").fetchone()[0]
    assert killed_days < 2 * ((LAST - FIRST).days + 1), "the killed run did not finish its loads"
