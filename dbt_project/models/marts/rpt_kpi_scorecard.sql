{{ config(tags=['report']) }}
-- The guides' measurement table: one row per KPI and period (day, ISO week, month, quarter), with
-- formula, source, target, actual, met / not met, previous period, change and benchmark.
-- Every actual is sum(numerator) / sum(denominator) over fct_kpi_daily, never an average of rates.
-- The FRT mean's target is the period's own: its tickets' response-level targets, weighted
-- (macros/kpi.sql, kpi_parts_target); every other target is kpi_targets.csv's. The SLA KPIs are
-- sums over fct_sla_daily (its own grain: priority, response level, SLA metric) of the same periods.
-- The backlog KPIs (kpi-definitions.md, "Backlog") are not ratios of summed parts: backlog and
-- backlog_beyond_sla are stocks, read off fct_backlog_daily on the period's last day (the last
-- loaded day while the period runs), never summed over days; net_flow is tickets created (the
-- same tickets_created as every other KPI) minus tickets first solved in the period (fct_tickets'
-- solved_at, the solve AHT and the resolution SLA use), numerator minus denominator.
{%- set parts = kpi_ticket_parts() + kpi_survey_parts() %}
{%- set sla_parts = kpi_sla_parts() %}
{%- set grains = [("day", "kpi_date"),
                  ("week", "cast(date_trunc('week', kpi_date) as date)"),
                  ("month", "cast(date_trunc('month', kpi_date) as date)"),
                  ("quarter", "cast(date_trunc('quarter', kpi_date) as date)")] %}
with periods as (
    {% for grain, start_expr in grains %}
    select
        '{{ grain }}' as period_type,
        {{ start_expr }} as period_start,
        {% for name, _ in parts %}sum({{ name }}) as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from {{ ref('fct_kpi_daily') }}
    group by {{ start_expr }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

sla_periods as (
    {% for grain, start_expr in grains %}
    select
        '{{ grain }}' as period_type,
        {{ start_expr | replace('kpi_date', 'sla_date') }} as period_start,
        {% for name, agg in sla_parts %}{{ agg }} as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from {{ ref('fct_sla_daily') }}
    group by {{ start_expr | replace('kpi_date', 'sla_date') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- a period's SLA parts beside its other parts; a period with no SLA row has none (0)
all_parts as (
    select
        p.*,
        {% for name, _ in sla_parts %}coalesce(s.{{ name }}, 0) as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from periods as p
    left join sla_periods as s on s.period_type = p.period_type and s.period_start = p.period_start
),

bounds as (
    select
        period_type,
        period_start,
        cast(case period_type
            when 'day' then period_start + interval '1 day'
            when 'week' then period_start + interval '7 days'
            when 'month' then period_start + interval '1 month'
            else period_start + interval '3 months'
        end as date) as period_end,
        tickets_created
    from periods
),

-- the day each period's backlog is read on: its last day, or the last loaded day while it runs;
-- none for a period that ends before the first loaded day (fct_backlog_daily has no day there)
backlog_as_of as (
    select
        b.period_type,
        b.period_start,
        b.tickets_created,
        case
            when l.loaded_through_date >= b.period_start
                and cast(b.period_end - interval '1 day' as date) >= l.loaded_from_date
                then least(cast(b.period_end - interval '1 day' as date), l.loaded_through_date)
        end as as_of_date
    from bounds as b
    cross join {{ ref('int_zendesk__events_loaded_through') }} as l
),

backlog_days as (
    select backlog_date, sum(open_tickets) as open_tickets, sum(open_beyond_sla_tickets) as open_beyond_sla_tickets
    from {{ ref('fct_backlog_daily') }}
    group by backlog_date
),

-- tickets by the local day of their first solve; one with no known solve time has no day
solved_days as (
    select {{ to_local_date('solved_at') }} as solved_date, count(*) as tickets_solved
    from {{ ref('fct_tickets') }}
    where not is_excluded and solved_at is not null
    group by {{ to_local_date('solved_at') }}
),

solved_periods as (
    {% for grain, start_expr in grains %}
    select
        '{{ grain }}' as period_type,
        {{ start_expr | replace('kpi_date', 'solved_date') }} as period_start,
        sum(tickets_solved) as tickets_solved
    from solved_days
    group by {{ start_expr | replace('kpi_date', 'solved_date') }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- a day with no open ticket has no fct_backlog_daily row: its backlog is 0
backlog_kpis as (
    select
        a.period_type,
        a.period_start,
        'backlog' as kpi_code,
        coalesce(d.open_tickets, 0) as numerator,
        coalesce(d.open_tickets, 0) as denominator,
        -- no actual for a period the backlog does not cover (before the first loaded day)
        case when a.as_of_date is not null then coalesce(d.open_tickets, 0) end * 1.0 as actual
    from backlog_as_of as a
    left join backlog_days as d on d.backlog_date = a.as_of_date
    union all
    select
        a.period_type,
        a.period_start,
        'backlog_beyond_sla' as kpi_code,
        coalesce(d.open_beyond_sla_tickets, 0) as numerator,
        coalesce(d.open_tickets, 0) as denominator,
        {{ safe_rate('d.open_beyond_sla_tickets', 'd.open_tickets') }} as actual
    from backlog_as_of as a
    left join backlog_days as d on d.backlog_date = a.as_of_date
    union all
    select
        a.period_type,
        a.period_start,
        'net_flow' as kpi_code,
        a.tickets_created as numerator,
        coalesce(s.tickets_solved, 0) as denominator,
        (a.tickets_created - coalesce(s.tickets_solved, 0)) * 1.0 as actual
    from backlog_as_of as a
    left join solved_periods as s on s.period_type = a.period_type and s.period_start = a.period_start
),

kpis as (
    {{ kpi_rows('periods', ['period_type', 'period_start']) }}
    union all
    {{ kpi_rows('all_parts', ['period_type', 'period_start'], kpi_sla_formulas()) }}
    union all
    select
        period_type,
        period_start,
        kpi_code,
        cast(numerator as bigint) as numerator,
        cast(denominator as bigint) as denominator,
        actual,
        cast(null as double precision) as parts_target,
        cast(null as bigint) as immature_tickets
    from backlog_kpis
),

compared as (
    select
        k.*,
        lag(k.actual) over (partition by k.kpi_code, k.period_type order by k.period_start) as previous_actual
    from kpis as k
)

select
    cast(c.period_type as varchar) as period_type,
    cast(c.period_start as date) as period_start,
    cast(case c.period_type
        when 'day' then c.period_start + interval '1 day'
        when 'week' then c.period_start + interval '7 days'
        when 'month' then c.period_start + interval '1 month'
        else c.period_start + interval '3 months'
    end as date) as period_end,
    cast(c.kpi_code as varchar) as kpi_code,
    cast(t.kpi_name as varchar) as kpi_name,
    cast(t.formula as varchar) as formula,
    cast(t.data_source as varchar) as data_source,
    cast(t.better as varchar) as better,
    cast(coalesce(c.parts_target, t.target_value) as double precision) as target_value,
    cast(c.numerator as bigint) as numerator,
    cast(c.denominator as bigint) as denominator,
    cast(c.actual as double precision) as actual_value,
    cast({{ kpi_target_met('c.actual', 'coalesce(c.parts_target, t.target_value)', 't.better') }} as boolean)
        as is_target_met,
    cast(c.previous_actual as double precision) as previous_value,
    cast(c.actual - c.previous_actual as double precision) as change_value,
    cast(b.benchmark_value as double precision) as benchmark_value,
    -- tickets whose clock for this KPI has not run out (kpi_immature_parts); null: a KPI with no clock
    cast(c.immature_tickets as bigint) as immature_tickets,
    -- A period is complete when history covers all of it: it starts on or after the history start
    -- (var history_start). Days before it, and the first week, month or quarter that history
    -- covers only in part, are incomplete; reports show them as such.
    cast(c.period_start >= cast('{{ var("history_start") }}' as date) as boolean) as is_complete
from compared as c
inner join {{ ref('kpi_targets') }} as t on t.kpi_code = c.kpi_code
left join {{ ref('industry_benchmarks') }} as b on b.kpi_code = c.kpi_code
