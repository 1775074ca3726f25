"""The benchmark floor (bench/floor_kpi_daily.sql, one hand-written query from raw) computes exactly
the additive parts of marts.fct_kpi_daily that dbt builds, so timing one against the other is fair."""

from __future__ import annotations

import time
from contextlib import closing

import duckdb

from bench.floor import floor_kpi_daily_sql
from ingestion.settings import PROJECT_ROOT
from tests.sample_warehouse import BUILD_METADATA_COLUMN

KEYS = ("kpi_date", "channel", "team", "customer_tier")


def test_floor_query_equals_fct_kpi_daily(four_week_warehouse):
    path, _ = four_week_warehouse
    sql = floor_kpi_daily_sql(PROJECT_ROOT / "dbt_project" / "seeds")
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        started = time.perf_counter()
        cur = con.execute(sql)
        floor_rows = cur.fetchall()
        seconds = time.perf_counter() - started
        columns = [d[0] for d in cur.description]
        mart_types = dict(con.execute("select column_name, column_type from (describe marts.fct_kpi_daily)").fetchall())
        mart_rows = con.execute(f"select {', '.join(columns)} from marts.fct_kpi_daily").fetchall()
    print(f"floor query: {len(floor_rows)} rows in {seconds * 1000:.0f} ms")

    # the floor has the grain and every part; what it leaves out are the derived rates and the
    # build's own metadata (raw_loaded_through: when the row was last rebuilt) and the completeness
    # flag (a comparison of the day with the history start)
    parts = [c for c, t in mart_types.items() if c not in KEYS and t == "BIGINT"]
    assert columns == [*KEYS, *parts]
    derived = {c: t for c, t in mart_types.items() if c not in columns and c != BUILD_METADATA_COLUMN}
    assert derived.pop("is_complete") == "BOOLEAN"
    assert all(t == "DOUBLE" for t in derived.values())

    assert len(mart_rows) > 100
    floor_sorted, mart_sorted = sorted(floor_rows), sorted(mart_rows)
    if floor_sorted != mart_sorted:
        floor_set, mart_set = set(floor_rows), set(mart_rows)
        only_floor, only_mart = sorted(floor_set - mart_set)[:5], sorted(mart_set - floor_set)[:5]
        lines = [f"floor only: {dict(zip(columns, r, strict=True))}" for r in only_floor]
        lines += [f"mart only:  {dict(zip(columns, r, strict=True))}" for r in only_mart]
        raise AssertionError(
            f"floor ({len(floor_rows)} rows) differs from marts.fct_kpi_daily ({len(mart_rows)} rows):\n"
            + "\n".join(lines)
        )
