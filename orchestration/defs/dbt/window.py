"""The dbt vars of a partitioned run: the half-open local-day window, widened by the look-back."""

from __future__ import annotations

from datetime import datetime, timedelta


def dbt_window_vars(start: datetime, end: datetime, lookback_days: int) -> dict[str, str]:
    """Vars for a partition window [start, end) in the reporting timezone.

    `end` is Dagster's window end: the start of the day after the last partition. The rebuilt
    window starts `lookback_days` earlier, so late surveys and later resolutions of recent
    tickets are counted on their own day.
    """
    if end <= start:
        raise ValueError(f"empty partition window: {start} .. {end}")
    if lookback_days < 0:
        raise ValueError(f"lookback_days must be >= 0, got {lookback_days}")
    return {
        "window_start": (start.date() - timedelta(days=lookback_days)).isoformat(),
        "window_end": end.date().isoformat(),
    }
