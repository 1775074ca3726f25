"""The period a service-level report covers: an ISO week, a calendar month or a quarter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodType = Literal["week", "month", "quarter"]
PERIOD_FORMATS = "YYYY-MM (a month), YYYY-Www (an ISO week, e.g. 2026-W11) or YYYY-Qn (a quarter)"


@dataclass(frozen=True)
class Period:
    """[start, end): `end` is the first day after the period, as in rpt_kpi_scorecard."""

    period_type: PeriodType
    start: date
    end: date

    @property
    def key(self) -> str:
        if self.period_type == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.period_type == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        last = self.end - timedelta(days=1)
        if self.period_type == "week":
            return f"week {self.key} ({self.start:%d %b} - {last:%d %b %Y})"
        if self.period_type == "month":
            return f"{self.start:%B %Y}"
        return f"{self.key} ({self.start:%b} - {last:%b %Y})"

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days)]

    def previous(self) -> Period:
        return period_containing(self.period_type, self.start - timedelta(days=1))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_containing(period_type: PeriodType, day: date) -> Period:
    if period_type == "week":
        start = day - timedelta(days=day.weekday())
        return Period("week", start, start + timedelta(days=7))
    if period_type == "month":
        start = day.replace(day=1)
        return Period("month", start, _add_months(start, 1))
    start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period("quarter", start, _add_months(start, 3))


def parse_period(text: str) -> Period:
    """'2026-03', '2026-W11' or '2026-Q1'; a ValueError that names the accepted forms otherwise."""
    value = text.strip().upper()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
            return period_containing("month", date(int(m[1]), int(m[2]), 1))
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", value):
            return period_containing("week", date.fromisocalendar(int(m[1]), int(m[2]), 1))
        if (m := re.fullmatch(r"(\d{4})-Q([1-4])", value)) is not None:
            return period_containing("quarter", date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1))
    except ValueError as exc:
        raise ValueError(f"report period {text!r} is not a real period ({exc}); use {PERIOD_FORMATS}") from exc
    raise ValueError(f"report period {text!r} is not understood; use {PERIOD_FORMATS}")


def last_full_month(data_through: date) -> Period:
    """The latest calendar month that ends on or before `data_through` (the last day with data)."""
    return period_containing("month", data_through + timedelta(days=1)).previous()
