"""KPI values as people read them: one unit per KPI, shown in its label, its values and its axis.

The marts hold durations in seconds; the report shows first response in minutes and handle time in
hours (their sample values are tens of minutes and about half a day), rates in percent, NPS in points
and CSAT means on the 1-5 scale. A KPI never mixes two units, in a table or on a chart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """How a KPI's stored value is shown: `stored / per` in `symbol`, with `decimals` decimals."""

    symbol: str  # after the number: "min", "h", "%", "" (a score)
    per: float  # stored units per shown unit: 60 seconds a minute, 0.01 of a share per percent
    decimals: int

    def shown(self, value: float) -> float:
        return value / self.per

    def text(self, value: float | None) -> str:
        if value is None:
            return "-"
        number = f"{self.shown(value):,.{self.decimals}f}"
        if self.symbol == "%":
            return number + "%"
        return f"{number} {self.symbol}" if self.symbol else number

    def tick(self, shown: float, step: float) -> str:
        """An axis tick at `shown` (already in this unit), with as few decimals as the tick step needs."""
        decimals = 0 if step >= 1 or step == 0 else min(3, len(f"{step:.3f}".rstrip("0").split(".")[1]))
        number = f"{shown:,.{decimals}f}"
        if self.symbol == "%":
            return number + "%"
        return f"{number} {self.symbol}" if self.symbol else number


MINUTES = Unit("min", 60, 1)
HOURS = Unit("h", 3600, 1)
PERCENT = Unit("%", 0.01, 1)
POINTS = Unit("", 1, 1)  # NPS: -100 .. 100
SCORE = Unit("", 1, 2)  # a mean on the 1-5 scale
TICKETS = Unit("", 1, 0)  # a count of tickets: the backlog (a stock) and the net flow (created - solved)
COUNT_KPIS = ("backlog", "net_flow")
# Durations by KPI: first response is minutes at every channel's scale; handle time runs to hours.
DURATION_UNITS = {"frt_seconds": MINUTES, "aht_seconds": HOURS}
# A unit's word in a KPI's label, by report language
UNIT_WORDS = {"en": {"min": "min", "h": "h"}, "zh-CN": {"min": "分钟", "h": "小时"}}


def unit(kpi_code: str) -> Unit:
    if kpi_code.endswith("_seconds"):
        return DURATION_UNITS.get(kpi_code, MINUTES)
    if kpi_code == "nps":
        return POINTS
    if kpi_code in COUNT_KPIS:
        return TICKETS
    if kpi_code.endswith("_mean"):  # csat_mean and the CSAT dimensions' means, 1-5
        return SCORE
    return PERCENT


def is_rate(kpi_code: str) -> bool:
    return unit(kpi_code) is PERCENT


def kpi_value(kpi_code: str, value: float | None) -> str:
    return unit(kpi_code).text(value)


def kpi_label(kpi_code: str, name: str, language: str = "en") -> str:
    """The KPI's name with its report unit: the seed names durations in seconds, "(s)", as the marts
    hold them; the report shows them in minutes or hours and says so in the name."""
    u = unit(kpi_code)
    if u not in (MINUTES, HOURS):
        return name
    word = UNIT_WORDS[language][u.symbol]
    bare = re.sub(r"\s*[(（](s|sec|seconds|秒)[)）]\s*$", "", name)
    return f"{bare}（{word}）" if language == "zh-CN" else f"{bare} ({word})"


def kpi_difference(kpi_code: str, delta: float | None) -> str:
    """A signed difference in the KPI's unit: percentage points for rates."""
    if delta is None:
        return "-"
    sign = "+" if delta > 0 else "-" if delta < 0 else "±"
    if is_rate(kpi_code):
        return f"{sign}{abs(delta) * 100:.1f} pts"
    return sign + kpi_value(kpi_code, abs(delta))
