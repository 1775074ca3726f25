"""SLA outcomes from Zendesk's own SLA policies and ticket metric events: the contract fixtures
(tests/fixtures/zendesk/, in the references' shapes) through the real connectors, loader and dbt,
built once for the module.

Worked by hand from incremental_ticket_metric_events.json (policy 25 of sla_policies.json, both
tickets priority high, created 2026-03-10, 09:12 and 09:40 Shanghai):
- the clocks' horizon is the newest metric event that is no breach: the 03:05Z fulfils (ticket
  events end at 02:10Z, earlier);
- 35436: first reply (60 min) fulfilled 01:28Z, 16 min after 01:12Z: met. Agent work time (60 min)
  ran 01:12Z-01:28Z, then paused: 960 s used, open, 27 % used: not at risk. Next reply (instance
  2, 100 min = 6000 s) active since 01:40Z: 85 min = 5100 s at 03:05Z, 85 % used: open and at
  risk, due at 03:05Z + 900 s = 03:20Z. Requester wait (240 business minutes) still running: open,
  no calendar time (business hours), never judged at risk;
- 35437: first reply fulfilled 02:10Z (1800 s): met, its breach at 02:40Z being deleted. Agent work
  time breached at 02:40Z (not deleted), fulfilled 03:05Z: breached. Requester wait fulfilled at
  the 03:05Z solve: met.
So 2026-03-10 has 3 met and 1 breached of 4 measured (75 %), 3 open, 1 of them at risk.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import datetime

import duckdb
import pytest

from ingestion.settings import load_settings
from tests.conftest import pointed_at, use_small_sample
from tests.test_zendesk_contract import DAY, FixtureServer, _build, _load_the_account


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The contract account's day loaded and built once (every model and dbt test)."""
    work = tmp_path_factory.mktemp("sla")
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_small_sample(work, monkeypatch)
        server = FixtureServer()
        try:
            settings = pointed_at(load_settings(), server)
            _load_the_account(settings, DAY, "contract")
        finally:
            server.stop()
        _build(settings, work / "dbt")
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        yield con


def _at(clock: str) -> datetime:
    return datetime.fromisoformat(f"2026-03-10 {clock}")


def test_each_ticket_metric_has_its_target_and_outcome(warehouse):
    rows = warehouse.execute(
        "select ticket_id, sla_metric, instance_id, sla_source, policy_id, priority, target_seconds, "
        "is_in_business_hours, applied_at, fulfilled_at, breached_at, elapsed_seconds, is_met, is_breached, "
        "is_open, is_at_risk from marts.fct_ticket_sla order by ticket_id, sla_metric, instance_id"
    ).fetchall()
    zendesk = ("zendesk_sla", 25, "high")
    assert rows == [
        (35436, "agent_work_time", 1, *zendesk, 3600, False, _at("01:12"), None, None, 960, False, False, True,
         False),
        (35436, "first_reply_time", 1, *zendesk, 3600, False, _at("01:12"), _at("01:28"), None, 960, True, False,
         False, False),
        (35436, "next_reply_time", 2, *zendesk, 6000, False, _at("01:40"), None, None, 5100, False, False, True,
         True),
        (35436, "requester_wait_time", 1, *zendesk, 14400, True, _at("01:12"), None, None, None, False, False,
         True, False),
        (35437, "agent_work_time", 1, *zendesk, 3600, False, _at("01:40"), _at("03:05"), _at("02:40"), 5100,
         False, True, False, False),
        (35437, "first_reply_time", 1, *zendesk, 3600, False, _at("01:40"), _at("02:10"), None, 1800, True,
         False, False, False),
        (35437, "requester_wait_time", 1, *zendesk, 14400, True, _at("01:40"), _at("03:05"), None, None, True,
         False, False, False),
    ]  # fmt: skip


def test_an_open_running_target_has_its_due_time_and_share_used(warehouse):
    # 35436's next reply: 5100 of 6000 s used at the 03:05Z horizon: due 900 s later, 85 % used
    row = warehouse.execute(
        "select due_at, target_used_share, as_of_at from marts.fct_ticket_sla where ticket_id = 35436 "
        "and sla_metric = 'next_reply_time'"
    ).fetchone()
    assert row == (_at("03:20"), 0.85, _at("03:05"))
    # a paused clock (35436's agent work time) has no due time: nobody knows when it resumes
    paused = warehouse.execute(
        "select due_at from marts.fct_ticket_sla where ticket_id = 35436 and sla_metric = 'agent_work_time'"
    ).fetchone()
    assert paused == (None,)


def test_daily_parts_by_team_and_channel(warehouse):
    rows = warehouse.execute(
        "select channel, team, sla_metric, sla_instances, sla_measured, sla_met, sla_breached, sla_open, sla_at_risk "
        "from marts.fct_sla_daily where sla_date = ? order by 1, 2, 3",
        [DAY],
    ).fetchall()
    assert rows == [
        ("email", "Printer Escalations", "agent_work_time", 1, 1, 0, 1, 0, 0),
        ("email", "Printer Escalations", "first_reply_time", 1, 1, 1, 0, 0, 0),
        ("email", "Printer Escalations", "requester_wait_time", 1, 1, 1, 0, 0, 0),
        ("web_form", "First Level Support", "agent_work_time", 1, 0, 0, 0, 1, 0),
        ("web_form", "First Level Support", "first_reply_time", 1, 1, 1, 0, 0, 0),
        ("web_form", "First Level Support", "next_reply_time", 1, 0, 0, 0, 1, 1),
        ("web_form", "First Level Support", "requester_wait_time", 1, 0, 0, 0, 1, 0),
    ]


def test_the_scorecard_has_sla_attainment_per_metric(warehouse):
    rows = warehouse.execute(
        "select kpi_code, numerator, denominator, actual_value, target_value, is_target_met, immature_tickets "
        "from marts.rpt_kpi_scorecard where period_type = 'day' and period_start = ? and kpi_code like 'sla%' "
        "order by kpi_code",
        [DAY],
    ).fetchall()
    assert rows == [
        ("sla_agent_work_attainment", 0, 1, 0.0, 0.9, False, 1),
        ("sla_at_risk_rate", 1, 3, 1 / 3, None, None, None),
        ("sla_attainment", 3, 4, 0.75, 0.9, False, 3),
        ("sla_first_reply_attainment", 2, 2, 1.0, 0.9, True, 0),
        ("sla_next_reply_attainment", 0, 0, None, 0.9, None, 1),
        ("sla_periodic_update_attainment", 0, 0, None, 0.9, None, 0),
        ("sla_requester_wait_attainment", 1, 1, 1.0, 0.9, True, 1),
        ("sla_resolution_attainment", 0, 0, None, 0.9, None, 0),
    ]
