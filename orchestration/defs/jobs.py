"""The main job and its daily schedule."""

from __future__ import annotations

import dagster as dg

daily_kpi_job = dg.define_asset_job(
    name="daily_kpi_job",
    selection=dg.AssetSelection.all(),
    description="Ingest every source for the partition day(s), then build the dbt models.",
)

# Runs at 02:00 in the reporting timezone for the day that just ended.
daily_kpi_schedule = dg.build_schedule_from_partitioned_job(daily_kpi_job, hour_of_day=2, minute_of_hour=0)
