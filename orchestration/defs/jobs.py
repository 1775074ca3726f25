"""The main job and its daily schedule."""

from __future__ import annotations

import dagster as dg

daily_kpi_job = dg.define_asset_job(
    name="daily_kpi_job",
    selection=dg.AssetSelection.all(),
    description=(
        "For the partition day(s): ingest every configured source into raw (each record loaded, rejected, "
        "a counted duplicate or outside the window), build the dbt staging views, KPI facts and reports "
        "(the facts over the days widened by the look-back, and whatever the loads touched), run the "
        "dbt tests and Great Expectations checks (a blocking failure stops the publish), publish the "
        "marts for BI (DuckDB snapshot, Parquet, PostgreSQL when configured) and write the "
        "service-level report."
    ),
)

# Runs at 02:00 in the reporting timezone for the day that just ended.
daily_kpi_schedule = dg.build_schedule_from_partitioned_job(daily_kpi_job, hour_of_day=2, minute_of_hour=0)
