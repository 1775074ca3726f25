{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='kpi_date',
        on_schema_change='fail',
        tags=['partitioned'],
        pre_hook="{{ delete_agent_daily_rebuilt_days() }}",
    )
}}
-- One row per local day x team x channel x agent (Zendesk user id; null: no agent), with the agent's
-- KPI parts, additive as in fct_kpi_daily and dated by the same day (ticket parts by the ticket's
-- creation day, survey parts by submission day), so that summed over agents they give
-- fct_kpi_daily's day x team x channel totals exactly. Attribution (kpi-definitions.md, "Agent
-- attribution"): FRT parts go to the first responder (an unanswered ticket to its attributed agent,
-- who owns the miss); every other ticket part, and the CSAT and NPS of a ticket's survey responses,
-- to the assignee at the first solve (fct_tickets.attributed_agent_id). Replies go to their author,
-- on the ticket's day. No names here: they are staff data, in staff.dim_agent (docs/bi.md).
-- Rebuilt like fct_kpi_daily: the window's days and every day of a fact row rebuilt since.
{%- set all_parts = {"agent_replies": "count(*)"} %}
{%- for name, agg in kpi_ticket_parts() + kpi_survey_parts() %}{% do all_parts.update({name: agg}) %}{% endfor %}
{%- set owner_parts = [
    "tickets_created", "excluded_tickets", "solved_tickets", "handled_tickets", "handle_seconds_sum",
    "quarantined_handle_tickets", "tickets_with_calls", "talk_seconds_sum", "one_touch_resolved_tickets",
    "fcr_tickets", "fcr_immature_tickets", "reopened_tickets", "escalated_tickets", "tickets_due_resolution",
    "tickets_resolved_within_target", "resolution_immature_tickets",
] %}
{%- set responder_parts = [
    "tickets_with_first_reply", "first_response_seconds_sum", "tickets_with_response_target",
    "tickets_responded_within_target", "frt_immature_tickets", "quarantined_first_response_tickets",
    "tickets_with_first_reply_and_target", "first_response_target_seconds_sum",
] %}
{%- set survey_parts = [
    "csat_responses", "csat_positive_responses", "csat_scored_responses", "csat_score_sum",
    "nps_responses", "nps_promoters", "nps_passives", "nps_detractors",
] %}
{%- set every_part = owner_parts + responder_parts + survey_parts + ["agent_replies"] %}
{%- set rates = [
    "frt_seconds", "frt_attainment", "aht_seconds", "fcr_rate", "resolution_rate", "reopen_rate",
    "resolution_sla_attainment", "csat_rate", "csat_mean", "nps",
] %}
{%- set loaded_through = previous_build_loaded_through() %}
{%- set touched_from = none %}
{%- if loaded_through %}
    {#- the first touched day (by a ticket or a response): every ticket of it is rebuilt, touched or
        not, so its replies are read from that day's start -#}
    {%- set touched_day = query_timestamp(
        "select min(touched) from (select min(created_date) as touched from " ~ ref('fct_tickets')
        ~ " where raw_loaded_through > " ~ loaded_through ~ " union all select min(submitted_date) from "
        ~ ref('fct_survey_responses') ~ " where raw_loaded_through > " ~ loaded_through ~ ") as days"
    ) %}
    {%- set touched_from = none if touched_day is none else "(" ~ touched_day ~ " - interval '1 day')" %}
{%- endif %}


with touched_days as (
    {%- if loaded_through %}
    select created_date as kpi_date from {{ ref('fct_tickets') }} where raw_loaded_through > {{ loaded_through }}
    union
    select submitted_date as kpi_date from {{ ref('fct_survey_responses') }} where raw_loaded_through > {{ loaded_through }}
    {%- else %}
    select created_date as kpi_date from {{ ref('fct_tickets') }} where 1 = 0
    {%- endif %}
),

tickets as (
    select *
    from {{ ref('fct_tickets') }}
    where {{ in_window('created_date') }} or created_date in (select kpi_date from touched_days)
),

owner_days as (
    select
        created_date as kpi_date, team, channel, attributed_agent_id as agent_id,
        {% for name in every_part %}{{ all_parts[name] if name in owner_parts else '0' }} as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from tickets
    group by created_date, team, channel, attributed_agent_id
),

-- an unanswered ticket's FRT attainment miss goes to the agent it is attributed to
responder_days as (
    select
        created_date as kpi_date, team, channel, coalesce(first_responder_agent_id, attributed_agent_id) as agent_id,
        {% for name in every_part %}{{ all_parts[name] if name in responder_parts else '0' }} as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from tickets
    group by created_date, team, channel, coalesce(first_responder_agent_id, attributed_agent_id)
),

-- a response is its ticket's, whatever day that ticket was created; none: no agent. Responses about
-- an excluded ticket count in no KPI (fct_kpi_daily counts them apart).
survey_rows as (
    select r.*, t.attributed_agent_id
    from {{ ref('fct_survey_responses') }} as r
    left join {{ ref('fct_tickets') }} as t on t.ticket_id = r.ticket_id
    where ({{ in_window('r.submitted_date') }} or r.submitted_date in (select kpi_date from touched_days))
      and not r.is_excluded
),

survey_days as (
    select
        submitted_date as kpi_date, team, channel, attributed_agent_id as agent_id,
        {% for name in every_part %}{{ all_parts[name] if name in survey_parts else '0' }} as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from survey_rows
    group by submitted_date, team, channel, attributed_agent_id
),

agents as (
    select user_id from {{ ref('stg_zendesk__users') }} where not is_bot
),

-- Each agent's own replies (the lifecycle's reply rule), on the ticket's day and in its team and
-- channel, so that they sum to fct_tickets.public_agent_replies. Only events from the oldest
-- rebuilt ticket's creation on can belong to the rebuilt tickets (a day of margin: any UTC offset).
replies as (
    select t.created_date, t.team, t.channel, e.author_id
    from {{ ref('stg_zendesk__ticket_events') }} as e
    inner join tickets as t on t.ticket_id = e.ticket_id
    left join agents as a on a.user_id = e.author_id
    where e.created_at >= t.created_at
      and e.created_at >= {{ earliest(window_start_utc_bound(), touched_from) }}
      and not t.is_excluded
      and {{ is_agent_reply('e', 'a.user_id') }}
),

reply_days as (
    select
        created_date as kpi_date, team, channel, author_id as agent_id,
        {% for name in every_part %}{{ all_parts[name] if name in ["agent_replies"] else '0' }} as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from replies
    group by created_date, team, channel, author_id
),

attributed as (
    select * from owner_days
    union all
    select * from responder_days
    union all
    select * from survey_days
    union all
    select * from reply_days
),

parts as (
    select
        kpi_date, team, channel, agent_id,
        {% for name in every_part %}cast(sum({{ name }}) as bigint) as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from attributed
    group by kpi_date, team, channel, agent_id
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
    cast(team as varchar) as team,
    cast(channel as varchar) as channel,
    cast(agent_id as bigint) as agent_id,
    {% for name in every_part %}{{ name }},
    {% endfor %}
    {% for code in rates %}cast({{ kpi_value(code) }} as double precision) as {{ code }},
    {% endfor %}
    cast(kpi_date >= cast('{{ var("history_start") }}' as date) as boolean) as is_complete,
    cast(ld.raw_loaded_through as timestamp) as raw_loaded_through
from parts
cross join loaded as ld
