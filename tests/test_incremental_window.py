"""Rebuilding a window of the incremental facts, as a daily or backfill run does, changes nothing
when the data did not change: delete+insert over the window neither loses nor doubles rows."""

from __future__ import annotations

import json

from tests.sample_warehouse import KPI_MARTS, mart_fingerprints, run_dbt

# the facts and the scorecard, and the backlog with its status spans
MARTS = (*KPI_MARTS, "intermediate.int_zendesk__ticket_status_spans", "marts.fct_backlog_daily")


def test_rebuilding_a_window_reproduces_the_full_build(four_week_warehouse, tmp_path):
    path, _ = four_week_warehouse
    before = mart_fingerprints(path, MARTS)
    window = {"window_start": "2026-02-23", "window_end": "2026-03-09"}
    out = run_dbt("build", "--select", "tag:partitioned tag:report", "--vars", json.dumps(window),
                  env={"CSKPI_WAREHOUSE_PATH": str(path)}, target_dir=tmp_path)  # fmt: skip
    assert "incremental model marts.fct_kpi_daily" in out
    assert "incremental model marts.fct_backlog_daily" in out
    assert mart_fingerprints(path, MARTS) == before
