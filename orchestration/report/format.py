"""KPI values as people read them: seconds or hours, percentages, NPS points, a 1-5 mean."""

from __future__ import annotations


def is_rate(kpi_code: str) -> bool:
    return not (kpi_code.endswith(("_seconds", "_mean")) or kpi_code == "nps")


def kpi_value(kpi_code: str, value: float | None) -> str:
    if value is None:
        return "-"
    if kpi_code.endswith("_seconds"):
        return f"{value:,.0f} s" if abs(value) < 3600 else f"{value / 3600:,.1f} h"
    if kpi_code == "nps":
        return f"{value:.1f}"
    if kpi_code.endswith("_mean"):  # csat_mean and the CSAT dimensions' means, 1-5
        return f"{value:.2f}"
    return f"{value:.1%}"


def kpi_difference(kpi_code: str, delta: float | None) -> str:
    """A signed difference in the KPI's unit: percentage points for rates."""
    if delta is None:
        return "-"
    sign = "+" if delta > 0 else "-" if delta < 0 else "±"
    if is_rate(kpi_code):
        return f"{sign}{abs(delta) * 100:.1f} pts"
    return sign + kpi_value(kpi_code, abs(delta))
