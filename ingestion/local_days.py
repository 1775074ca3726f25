"""Local-day arithmetic: a local calendar day of the reporting timezone as a half-open epoch window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def local_day(timezone: str, epoch: int) -> date:
    return datetime.fromtimestamp(epoch, UTC).astimezone(ZoneInfo(timezone)).date()


def local_days_between(timezone: str, start: int, end: int) -> tuple[date, date]:
    """First and last local day that the half-open epoch window [start, end) touches."""
    return local_day(timezone, start), local_day(timezone, max(start, end - 1))


def day_bounds(timezone: str, day: date) -> tuple[int, int]:
    tz = ZoneInfo(timezone)
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    end_day = day + timedelta(days=1)
    end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=tz)
    return int(start.timestamp()), int(end.timestamp())
