"""The same models on DuckDB and PostgreSQL give the same KPIs.

The DuckDB warehouse's raw schema is copied into a throwaway PostgreSQL database, dbt builds every
model there with the postgres target, and each KPI part and scorecard value is compared.
"""

from __future__ import annotations

import math
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from tests import postgres
from tests.sample_warehouse import run_dbt

pytestmark = pytest.mark.postgres

PG_TYPES = {"BIGINT": "bigint", "INTEGER": "integer", "VARCHAR": "text", "TIMESTAMP": "timestamp", "DATE": "date",
            "JSON": "json", "BOOLEAN": "boolean", "DOUBLE": "double precision"}  # fmt: skip


def copy_raw_schema(duck: duckdb.DuckDBPyConnection, dbname: str, work: Path) -> int:
    listed = duck.execute("select table_name from information_schema.tables where table_schema = 'raw' order by 1")
    tables = [r[0] for r in listed.fetchall()]
    with postgres.connect(dbname) as pg:
        pg.execute("create schema raw")
        for table in tables:
            cols = duck.execute(f"describe raw.{table}").fetchall()
            ddl = ", ".join(f'"{c[0]}" {PG_TYPES[c[1]]}' for c in cols)
            pg.execute(f"create table raw.{table} ({ddl})")
            csv_path = work / f"{table}.csv"
            duck.execute(f"copy raw.{table} to '{csv_path}' (format csv, header true)")
            with pg.cursor().copy(f"copy raw.{table} from stdin with (format csv, header true)") as copy:
                copy.write(csv_path.read_bytes())
        pg.commit()
    return len(tables)


@pytest.fixture(scope="module")
def engines(four_week_warehouse, tmp_path_factory):
    path, _ = four_week_warehouse
    work = tmp_path_factory.mktemp("two_engines")
    with postgres.throwaway_database() as dbname, closing(duckdb.connect(str(path), read_only=True)) as duck:
        assert copy_raw_schema(duck, dbname, work) >= 9
        run_dbt("build", "--target", "postgres", env={"CSKPI_PG_DATABASE": dbname}, target_dir=work / "dbt")
        with postgres.connect(dbname) as pg:
            yield duck, pg


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9))
    return a == b


def _rows(conn, sql: str) -> list[tuple]:
    return [tuple(float(v) if hasattr(v, "as_integer_ratio") and not isinstance(v, int) else v for v in row)
            for row in conn.execute(sql).fetchall()]  # fmt: skip


def assert_identical(engines, table: str, order_by: str, min_rows: int) -> None:
    """Every column of every row of `table` is the same on both engines, rows in `order_by` order."""
    duck, pg = engines
    cols = [r[0] for r in duck.execute(f"describe {table}").fetchall()]
    sql = f"select {', '.join(cols)} from {table} order by {order_by}"
    on_duck, on_pg = _rows(duck, sql), _rows(pg, sql)
    assert len(on_duck) == len(on_pg) > min_rows
    for d_row, p_row in zip(on_duck, on_pg, strict=True):
        for col, d, p in zip(cols, d_row, p_row, strict=True):
            assert _same(d, p), (table, col, d_row[:7], d, p)


def test_fct_kpi_daily_is_identical(engines):
    assert_identical(engines, "marts.fct_kpi_daily", "kpi_date, channel, team, customer_tier", 100)


def test_fct_agent_daily_is_identical(engines):
    # 60 agents over four weeks
    assert_identical(engines, "marts.fct_agent_daily", "kpi_date, team, channel, agent_id nulls first", 1000)


def test_fct_backlog_daily_is_identical(engines):
    order = "backlog_date, status, team, channel, priority, response_level, age_bucket"
    assert_identical(engines, "marts.fct_backlog_daily", order, 100)


def test_scorecard_is_identical(engines):
    duck, pg = engines
    sql = ("select period_type, period_start, kpi_code, numerator, denominator, actual_value, is_target_met, "
           "previous_value from marts.rpt_kpi_scorecard order by period_type, period_start, kpi_code")  # fmt: skip
    on_duck, on_pg = _rows(duck, sql), _rows(pg, sql)
    assert len(on_duck) == len(on_pg) > 13 * 28
    for d_row, p_row in zip(on_duck, on_pg, strict=True):
        assert all(_same(d, p) for d, p in zip(d_row, p_row, strict=True)), (d_row, p_row)


def test_ticket_and_survey_facts_match(engines):
    duck, pg = engines
    # the sample's teams are timed on its schedules (the default Zendesk schedule, two team calendars),
    # so the business-hours sums below compare real values, not nulls
    timed = "select count(distinct schedule_key) from marts.fct_tickets where business_first_response_seconds > 0"
    assert _rows(duck, timed) == _rows(pg, timed) == [(3,)]
    for sql in (
        "select count(*), sum(first_response_seconds), sum(handle_seconds), sum(case when is_one_touch_resolved "
        "then 1 else 0 end) from marts.fct_tickets",
        "select count(*), sum(overall_score), sum(case when nps_category = 'promoter' then 1 else 0 end) "
        "from marts.fct_survey_responses",
        # business hours: local opening times made UTC per day and zone, and the spans joined to them
        "select count(*), sum(open_epoch), sum(close_epoch) from intermediate.int_business_hours__intervals",
        "select count(schedule_key), sum(business_first_response_seconds), sum(business_resolution_seconds), "
        "sum(requester_wait_seconds), sum(business_requester_wait_seconds), sum(agent_wait_seconds), "
        "sum(business_agent_wait_seconds) from marts.fct_tickets",
    ):
        assert _rows(duck, sql) == _rows(pg, sql)


def _all_rows_match(duck, pg, table: str, order: str, at_least: int) -> None:
    cols = [r[0] for r in duck.execute(f"describe {table}").fetchall()]
    sql = f"select {', '.join(cols)} from {table} order by {order}"
    on_duck, on_pg = _rows(duck, sql), _rows(pg, sql)
    assert len(on_duck) == len(on_pg) > at_least, table
    for d_row, p_row in zip(on_duck, on_pg, strict=True):
        for col, d, p in zip(cols, d_row, p_row, strict=True):
            assert _same(d, p), (table, col, d_row[:4], d, p)


def test_sla_outcomes_and_parts_are_identical(engines):
    """Every SLA target of the sample's four weeks (first reply, next replies, requester wait, by
    Zendesk's metric events) and every daily part: the same on both engines, row for row."""
    duck, pg = engines
    _all_rows_match(duck, pg, "marts.fct_ticket_sla", "ticket_id, sla_metric, instance_id, sla_source", 1000)
    _all_rows_match(
        duck, pg, "marts.fct_sla_daily",
        "sla_date, channel, team, priority, response_level, sla_metric, sla_source", 100,
    )  # fmt: skip
