"""Re-aggregation: KPIs of a week or a month summed from fct_kpi_daily's parts equal the same KPIs
computed straight from fct_tickets and fct_survey_responses."""

from __future__ import annotations

from contextlib import closing

import duckdb
import pytest

# Each KPI computed directly from the facts, independently of the macros that build the marts.
DIRECT_TICKETS = """
select
    {period} as period_start,
    sum(case when not is_excluded and first_response_seconds is not null then first_response_seconds end) * 1.0
        / nullif(sum(case when not is_excluded and first_response_seconds is not null then 1 else 0 end), 0)
        as frt_seconds,
    avg(case when not is_excluded and first_response_target_seconds is not null
             then case when is_first_response_within_target then 1.0 else 0.0 end end) as frt_attainment,
    avg(case when not is_excluded and handle_seconds is not null then handle_seconds * 1.0 end) as aht_seconds,
    -- FCR and 48 h feedback count only the tickets whose clock has run out (the is_*_mature flags)
    avg(case when not is_excluded and is_fcr_mature then case when is_one_touch_resolved then 1.0 else 0.0 end end)
        as fcr_rate,
    avg(case when not is_excluded then case when is_solved then 1.0 else 0.0 end end) as resolution_rate,
    avg(case when not is_excluded and is_solved then case when is_reopened then 1.0 else 0.0 end end) as reopen_rate,
    avg(case when not is_excluded then case when is_escalated then 1.0 else 0.0 end end) as escalation_rate,
    avg(case when not is_excluded then case when is_complaint then 1.0 else 0.0 end end) as complaint_rate,
    avg(case when not is_excluded and is_complaint_unresolved_at_24h
             then case when is_complaint_escalated_by_24h then 1.0 else 0.0 end end) as complaint_escalation_compliance,
    avg(case when not is_excluded and is_complaint_48h_mature
             then case when is_complaint_answered_within_48h then 1.0 else 0.0 end end) as complaint_feedback_48h,
    avg(case when not is_excluded and is_escalation_needed
             then case when is_escalated_within_target then 1.0 else 0.0 end end) as escalation_sla_attainment,
    avg(case when not is_excluded and is_resolution_sla_mature
             then case when is_resolved_within_target then 1.0 else 0.0 end end) as resolution_sla_attainment
from marts.fct_tickets
group by 1
"""
DIRECT_SURVEYS = """
select
    {period} as period_start,
    -- CSAT: positive answers on any scale (5-point 4-5, Zendesk "good"); the mean over 5-point scores
    avg(case when is_csat_positive then 1.0 when not is_csat_positive then 0.0 end) as csat_rate,
    avg(overall_score * 1.0) as csat_mean,
    100.0 * (count(*) filter (where nps_category = 'promoter') - count(*) filter (where nps_category = 'detractor'))
        / nullif(count(nps_category), 0) as nps
from marts.fct_survey_responses
group by 1
"""
PERIODS = {"week": "date_trunc('week', {col})::date", "month": "date_trunc('month', {col})::date"}


@pytest.mark.parametrize("period_type", ["week", "month"])
def test_scorecard_periods_equal_kpis_computed_from_the_facts(four_week_warehouse, period_type):
    path, _ = four_week_warehouse
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        scorecard = {
            (start, code): value
            for start, code, value in con.execute(
                "select period_start, kpi_code, actual_value from marts.rpt_kpi_scorecard where period_type = ?",
                [period_type],
            ).fetchall()
        }
        compared = 0
        for sql, col in ((DIRECT_TICKETS, "created_date"), (DIRECT_SURVEYS, "submitted_date")):
            cur = con.execute(sql.format(period=PERIODS[period_type].format(col=col)))
            names = [d[0] for d in cur.description][1:]
            for start, *values in cur.fetchall():
                for code, direct in zip(names, values, strict=True):
                    if direct is None:  # nothing to measure in the period, e.g. no complaint unresolved at 24 h
                        assert scorecard[(start, code)] is None, (start, code)
                    else:
                        assert scorecard[(start, code)] == pytest.approx(direct, rel=1e-9, abs=1e-12), (start, code)
                    compared += 1
    assert compared >= 15 * (4 if period_type == "week" else 2)


def test_summing_parts_is_not_averaging_rates(four_week_warehouse):
    """The trap BI users fall into: the mean of daily FCR rates differs from FCR over the week."""
    path, _ = four_week_warehouse
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        right, wrong = con.execute(
            "select sum(one_touch_resolved_tickets) * 1.0 / sum(fcr_tickets), avg(fcr_rate) "
            "from marts.fct_kpi_daily where kpi_date between '2026-03-09' and '2026-03-15'"
        ).fetchone()
        week = con.execute(
            "select actual_value from marts.rpt_kpi_scorecard where period_type = 'week' "
            "and period_start = '2026-03-09' and kpi_code = 'fcr_rate'"
        ).fetchone()[0]
    assert week == pytest.approx(right)
    assert abs(wrong - right) > 1e-6
