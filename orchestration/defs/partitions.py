"""The one daily partitioning that ingestion and dbt share, in the reporting timezone."""

from __future__ import annotations

from datetime import date

import dagster as dg

from ingestion.settings import load_settings

_SETTINGS = load_settings()
# The first day an analyst can backfill. Configuration: CSKPI_HISTORY_START (ingestion/settings.py).
HISTORY_START = _SETTINGS.history_start.isoformat()

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=HISTORY_START,
    timezone=_SETTINGS.reporting_timezone,
    end_offset=0,
)


RANGE_START, RANGE_END, PARTITION = (
    "dagster/asset_partition_range_start",
    "dagster/asset_partition_range_end",
    "dagster/partition",
)


def run_days(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext) -> tuple[date, date] | None:
    """The local days a run covers (one partition or a single-run range), from its tags; None for an
    unpartitioned run. Unpartitioned steps and checks of a partitioned run read their days here."""
    tags = context.run.tags
    if RANGE_START in tags:
        return date.fromisoformat(tags[RANGE_START]), date.fromisoformat(tags[RANGE_END])
    if PARTITION in tags:
        day = date.fromisoformat(tags[PARTITION])
        return day, day
    return None


def partition_days(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """First and last local day of the run's partition range (one day, or a single-run backfill)."""
    keys = context.partition_key_range
    return date.fromisoformat(keys.start), date.fromisoformat(keys.end)
