"""A daily run and a backfill started at the same moment: the duckdb_writer pool (limit 1, from
the instance's dagster.yaml) serialises their DuckDB writes, and both succeed with no lock error."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import dagster as dg
import pytest

from ingestion.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def test_daily_run_and_backfill_at_once(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ZENDESK_", "HUBSPOT_", "SURVEY_API_"))},
        "DAGSTER_HOME": str(home),
        "CSKPI_DATA_DIR": str(tmp_path / "data"),
        "CSKPI_SAMPLE_TICKETS_PER_DAY": "60",
        "CSKPI_SAMPLE_CUSTOMERS": "500",
        "CSKPI_SAMPLE_NOW": "2026-03-20T00:00:00+08:00",
    }
    # An instance is created once, before runs meet on it (as `make dev` or the first run does);
    # two processes creating a brand-new SQLite instance at the same instant race on its schema.
    subprocess.run([sys.executable, "-c", "import dagster as dg; i = dg.DagsterInstance.get(); "
                    "i.get_runs(limit=1); i.get_asset_keys(); i.all_instigator_state()"],
                   env=env, check=True)  # fmt: skip
    cli = [sys.executable, "-m", "orchestration.cli", "run"]
    daily = subprocess.Popen([*cli, "--start", "2026-03-18", "--end", "2026-03-18"], env=env, cwd=PROJECT_ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    backfill = subprocess.Popen([*cli, "--start", "2026-03-14", "--end", "2026-03-17"], env=env, cwd=PROJECT_ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    outputs = [p.communicate(timeout=600)[0] for p in (daily, backfill)]
    for proc, out in zip((daily, backfill), outputs, strict=True):
        assert proc.returncode == 0, out[-3000:]
        assert "Could not set lock" not in out and "Conflicting lock" not in out
    run_ids = [re.search(r"run (\S+) succeeded", out).group(1) for out in outputs]

    os.environ["DAGSTER_HOME"] = str(home)
    try:
        with dg.DagsterInstance.get() as instance:
            blocked = sum(
                1
                for run_id in run_ids
                for entry in instance.all_logs(run_id)
                if "blocked by limit for pool duckdb_writer" in (entry.user_message or "")
            )
    finally:
        os.environ.pop("DAGSTER_HOME")
    assert blocked > 0, "the runs overlapped, so one of them must have waited for the pool"
