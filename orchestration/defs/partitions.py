"""The one daily partitioning that ingestion and dbt share, in the reporting timezone."""

from __future__ import annotations

import os
from datetime import date

import dagster as dg

from ingestion.settings import load_settings

# The first day an analyst can backfill. Configuration: CSKPI_HISTORY_START.
HISTORY_START = os.environ.get("CSKPI_HISTORY_START", "2025-01-01")

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=HISTORY_START,
    timezone=load_settings().reporting_timezone,
    end_offset=0,
)


def partition_days(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """First and last local day of the run's partition range (one day, or a single-run backfill)."""
    keys = context.partition_key_range
    return date.fromisoformat(keys.start), date.fromisoformat(keys.end)
