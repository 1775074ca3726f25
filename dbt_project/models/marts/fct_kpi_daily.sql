{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='kpi_date',
        on_schema_change='fail',
        tags=['partitioned'],
    )
}}
-- One row per local day x channel x team x customer tier. The *_sum and count columns are the
-- additive parts; the rate columns are for reading one row only. To re-aggregate, sum the parts.
-- Rebuilt for the days of the window Dagster passes (widened by the look-back) and for every day
-- of a ticket or response the facts rebuilt since this model's last build (late activity at any
-- age: macros/late_activity.sql). A day is always rebuilt whole, from every fact row of that day.
{%- set ticket_parts = kpi_ticket_parts() %}
{%- set survey_parts = kpi_survey_parts() %}
{%- set loaded_through = previous_build_loaded_through() %}
with touched_days as (
    {%- if loaded_through %}
    select created_date as kpi_date from {{ ref('fct_tickets') }} where raw_loaded_through > {{ loaded_through }}
    union
    select submitted_date as kpi_date from {{ ref('fct_survey_responses') }} where raw_loaded_through > {{ loaded_through }}
    {%- else %}
    select created_date as kpi_date from {{ ref('fct_tickets') }} where 1 = 0
    {%- endif %}
),

ticket_days as (
    select
        created_date as kpi_date, channel, team, customer_tier,
        {% for name, agg in ticket_parts %}{{ agg }} as {{ name }},
        {% endfor %}
        {% for name, _ in survey_parts %}0 as {{ name }},
        {% endfor %}
        0 as excluded_survey_responses
    from {{ ref('fct_tickets') }}
    where {{ in_window('created_date') }} or created_date in (select kpi_date from touched_days)
    group by created_date, channel, team, customer_tier
),

-- responses about an excluded ticket count in no survey part, only here
survey_days as (
    select
        submitted_date as kpi_date, channel, team, customer_tier,
        {% for name, _ in ticket_parts %}0 as {{ name }},
        {% endfor %}
        {% for name, agg in survey_parts %}{{ agg }} as {{ name }},
        {% endfor %}
        0 as excluded_survey_responses
    from {{ ref('fct_survey_responses') }}
    where ({{ in_window('submitted_date') }} or submitted_date in (select kpi_date from touched_days))
      and not is_excluded
    group by submitted_date, channel, team, customer_tier
),

excluded_survey_days as (
    select
        submitted_date as kpi_date, channel, team, customer_tier,
        {% for name, _ in ticket_parts + survey_parts %}0 as {{ name }},
        {% endfor %}
        count(*) as excluded_survey_responses
    from {{ ref('fct_survey_responses') }}
    where ({{ in_window('submitted_date') }} or submitted_date in (select kpi_date from touched_days))
      and is_excluded
    group by submitted_date, channel, team, customer_tier
),

both_sources as (
    select * from ticket_days
    union all
    select * from survey_days
    union all
    select * from excluded_survey_days
),

parts as (
    select
        kpi_date, channel, team, customer_tier,
        {% for name, _ in ticket_parts + survey_parts %}cast(sum({{ name }}) as bigint) as {{ name }},
        {% endfor %}
        cast(sum(excluded_survey_responses) as bigint) as excluded_survey_responses
    from both_sources
    group by kpi_date, channel, team, customer_tier
),

-- the newest load this build has seen, through either fact
loaded as (
    select max(newest_load) as raw_loaded_through
    from (
        select max(raw_loaded_through) as newest_load from {{ ref('fct_tickets') }}
        union all
        select max(raw_loaded_through) as newest_load from {{ ref('fct_survey_responses') }}
    ) as inputs
)

select
    cast(kpi_date as date) as kpi_date,
    cast(channel as varchar) as channel,
    cast(team as varchar) as team,
    cast(customer_tier as varchar) as customer_tier,
    {% for name, _ in ticket_parts + survey_parts %}{{ name }},
    {% endfor %}
    excluded_survey_responses,
    {% for code in kpi_formulas() %}cast({{ kpi_value(code) }} as double precision) as {{ code }},
    {% endfor %}
    {% for dim in ["speed", "accuracy", "attitude", "resolution"] %}cast({{ safe_rate(dim ~ "_score_positive_responses", dim ~ "_score_responses") }} as double precision) as {{ dim }}_score_positive_rate,
    cast({{ safe_rate(dim ~ "_score_sum", dim ~ "_score_responses") }} as double precision) as {{ dim }}_score_mean,
    {% endfor %}
    cast({{ safe_rate("talk_seconds_sum", "tickets_with_calls") }} as double precision) as talk_seconds_avg,
    -- a day before the history start (var history_start) holds only what reached it from later
    -- days (tickets created earlier, updated since): shown as incomplete, never as a real low
    cast(kpi_date >= cast('{{ var("history_start") }}' as date) as boolean) as is_complete,
    -- the newest raw load this row's build had seen (macros/late_activity.sql)
    cast(ld.raw_loaded_through as timestamp) as raw_loaded_through
from parts
cross join loaded as ld
