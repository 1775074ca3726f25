"""The benchmark floor of the dbt build: one hand-written DuckDB query for fct_kpi_daily's parts."""

from __future__ import annotations

from pathlib import Path

FLOOR_KPI_DAILY_SQL = Path(__file__).resolve().parent / "floor_kpi_daily.sql"


def floor_kpi_daily_sql(seeds_dir: Path) -> str:
    """The floor query, reading the seed CSVs (channel mapping, response-level targets) from seeds_dir."""
    return FLOOR_KPI_DAILY_SQL.read_text(encoding="utf-8").replace("{seeds}", Path(seeds_dir).resolve().as_posix())
