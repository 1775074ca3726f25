"""The Dagster definitions load, and what the catalog shows is honest: every asset says what it is
and belongs to a group, every check says what it checks, and the schedule runs the main job for
the day that just ended."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.definitions import defs
from orchestration.defs.partitions import daily_partitions


def test_every_asset_has_a_description_and_a_group():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description, key.to_user_string()
        assert "Raw SQL" not in node.description, key.to_user_string()  # the yml's words, not the code
        assert node.group_name and node.group_name != "default", key.to_user_string()


def test_every_check_has_a_description():
    graph = defs.resolve_asset_graph()
    checks = list(graph.asset_check_keys)
    assert len(checks) > 100  # the loader's accounting, the GX suites and every dbt test
    assert [k.to_user_string() for k in checks if not graph.get_check_spec(k).description] == []
    # a dbt test's check says which test on which column
    unique = dg.AssetCheckKey(dg.AssetKey(["marts", "fct_tickets"]), "unique_fct_tickets_ticket_id")
    assert graph.get_check_spec(unique).description == "dbt test unique of ticket_id"


def test_the_job_says_what_it_does_and_the_schedule_runs_the_day_that_ended():
    job = defs.resolve_job_def("daily_kpi_job")
    assert "publish" in job.description and "Great Expectations" in job.description
    schedule = defs.resolve_schedule_def("daily_kpi_job_schedule")
    assert schedule.job_name == "daily_kpi_job"
    assert schedule.cron_schedule == "0 2 * * *"  # 02:00 every day ...
    assert schedule.execution_timezone == daily_partitions.timezone  # ... in the reporting timezone
    # at 02:00 on 2 March the run is for 1 March, the day that just ended
    tick = datetime(2026, 3, 2, 2, 0, tzinfo=ZoneInfo(daily_partitions.timezone))
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        requests = schedule.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == ["2026-03-01"]
