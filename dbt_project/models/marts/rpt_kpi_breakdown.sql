{{ config(tags=['report']) }}
-- Every KPI of the scorecard per period (ISO week, month, quarter) and per team, channel and
-- ticket category, with each slice's share of the period's gap to target. Built from the same
-- parts and formulas as fct_kpi_daily and rpt_kpi_scorecard (macros/kpi.sql), so the slices of a
-- period add up to its scorecard row.
--
-- Shortfall: for a KPI sum(numerator) / sum(denominator), the period's distance from target
-- splits exactly over its slices: target - actual = sum over slices of
-- (target - slice actual) * slice denominator / period denominator (the other way round when
-- lower is better). A positive contribution is a slice that pulls the KPI away from its target.
{%- set ticket_parts = kpi_ticket_parts() %}
{%- set survey_parts = kpi_survey_parts() %}
{%- set parts = ticket_parts + survey_parts %}
{%- set grains = ["week", "month", "quarter"] %}
{%- set dimensions = ["team", "channel", "category"] %}
with ticket_days as (
    select
        created_date as kpi_date, team, channel, coalesce(category, 'uncategorised') as category,
        {% for name, agg in ticket_parts %}{{ agg }} as {{ name }},
        {% endfor %}
        {% for name, _ in survey_parts %}0 as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from {{ ref('fct_tickets') }}
    group by created_date, team, channel, coalesce(category, 'uncategorised')
),

-- a response takes the category of its linked ticket
responses as (
    select r.*, case when r.ticket_id is null then 'no linked ticket' else coalesce(t.category, 'uncategorised') end as category
    from {{ ref('fct_survey_responses') }} as r
    left join {{ ref('fct_tickets') }} as t on t.ticket_id = r.ticket_id
),

survey_days as (
    select
        submitted_date as kpi_date, team, channel, category,
        {% for name, _ in ticket_parts %}0 as {{ name }},
        {% endfor %}
        {% for name, agg in survey_parts %}{{ agg }} as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from responses
    group by submitted_date, team, channel, category
),

days as (
    select * from ticket_days
    union all
    select * from survey_days
),

slices as (
    {% for grain in grains %}{% for dim in dimensions %}
    select
        '{{ grain }}' as period_type,
        cast(date_trunc('{{ grain }}', kpi_date) as date) as period_start,
        '{{ dim }}' as dimension,
        {{ dim }} as dimension_value,
        {% for name, _ in parts %}sum({{ name }}) as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from days
    group by cast(date_trunc('{{ grain }}', kpi_date) as date), {{ dim }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}{% if not loop.last %}union all{% endif %}
    {% endfor %}
),

kpis as (
    {{ kpi_rows('slices', ['period_type', 'period_start', 'dimension', 'dimension_value']) }}
),

periods as (
    select
        period_type, period_start, dimension, kpi_code,
        sum(numerator) as period_numerator,
        sum(denominator) as period_denominator
    from kpis
    group by period_type, period_start, dimension, kpi_code
)

select
    cast(k.period_type as varchar) as period_type,
    cast(k.period_start as date) as period_start,
    cast(k.dimension as varchar) as dimension,
    cast(k.dimension_value as varchar) as dimension_value,
    cast(k.kpi_code as varchar) as kpi_code,
    cast(t.kpi_name as varchar) as kpi_name,
    cast(t.better as varchar) as better,
    cast(k.target as double precision) as target_value,
    cast(k.numerator as bigint) as numerator,
    cast(k.denominator as bigint) as denominator,
    cast(k.actual as double precision) as actual_value,
    cast({{ kpi_target_met('k.actual', 'k.target', 't.better') }} as boolean) as is_target_met,
    cast({{ safe_rate('k.denominator', 'p.period_denominator') }} as double precision) as denominator_share,
    -- with the slice's own target (FRT: its tickets' weighted response-level targets), the slices
    -- still add up to the period's shortfall against its weighted target
    cast(case
        when k.target is null or p.period_denominator = 0 then null
        when k.denominator = 0 then 0
        when t.better = 'higher' then (k.target - k.actual) * {{ safe_rate('k.denominator', 'p.period_denominator') }}
        when t.better = 'lower' then (k.actual - k.target) * {{ safe_rate('k.denominator', 'p.period_denominator') }}
    end as double precision) as shortfall_contribution,
    -- as in rpt_kpi_scorecard: a period that starts before the history start is incomplete
    cast(k.period_start >= cast('{{ var("history_start") }}' as date) as boolean) as is_complete
from (
    select kp.*, coalesce(kp.parts_target, tt.target_value) as target
    from kpis as kp
    inner join {{ ref('kpi_targets') }} as tt on tt.kpi_code = kp.kpi_code
) as k
inner join periods as p
    on p.period_type = k.period_type
    and p.period_start = k.period_start
    and p.dimension = k.dimension
    and p.kpi_code = k.kpi_code
inner join {{ ref('kpi_targets') }} as t on t.kpi_code = k.kpi_code
