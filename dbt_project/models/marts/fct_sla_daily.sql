{{ config(materialized='table', tags=['report']) }}
-- SLA outcomes as additive parts: one row per local day (the ticket's creation day, as every
-- ticket KPI) x channel x team x priority x response level x SLA metric x source. Attainment over
-- any slice is sum(sla_met) / sum(sla_measured); excluded tickets count in no part.
select
    created_date as sla_date,
    channel,
    team,
    priority,
    response_level,
    sla_metric,
    sla_source,
    {% for name, agg in kpi_sla_row_parts() %}cast({{ agg }} as bigint) as {{ name }}{% if not loop.last %},
    {% endif %}{% endfor %}
from {{ ref('fct_ticket_sla') }}
where not is_excluded
group by created_date, channel, team, priority, response_level, sla_metric, sla_source
