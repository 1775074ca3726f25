{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='response_id',
        on_schema_change='fail',
        tags=['partitioned'],
    )
}}
-- Response grain, dated by the local day of submission. Channel and team come from the linked
-- ticket; with no ticket, the channel and team the response reports (a mapping can fix them for a
-- tool), else channel "other" and team "unassigned".
-- Rebuilt for the responses submitted in the window Dagster passes (widened by the look-back),
-- those loaded since this model's last build whatever their submission day (a response delivered
-- 30 days late), and those whose ticket the lifecycle rebuilt since (a ticket later marked spam,
-- or moved to another team): macros/late_activity.sql.
{%- set loaded_through = previous_build_loaded_through() %}
{%- set touched_from = none %}
{%- if loaded_through %}
    {%- set touched_from = query_timestamp(
        "select min(touched_at) from (select min(submitted_at) as touched_at from " ~ ref('stg_surveys__response_loads')
        ~ " where loaded_at > " ~ loaded_through ~ " union all select min(created_at) as touched_at from "
        ~ ref('int_zendesk__ticket_lifecycle') ~ " where raw_loaded_through > " ~ loaded_through ~ ") as touched"
    ) %}
{%- endif %}
with touched_tickets as (
    select ticket_id from {{ ref('int_zendesk__ticket_lifecycle') }}
    {%- if loaded_through %}
    where raw_loaded_through > {{ loaded_through }}
    {%- else %}
    where 1 = 0
    {%- endif %}
),

responses as (
    select * from {{ ref('int_surveys__responses') }}
    -- implied by the lines below (a response comes after its ticket's creation); a plain bound on
    -- the column lets the filter reach the raw scans
    where submitted_at >= {{ earliest(window_start_utc_bound(), touched_from) }}
      and (
          {{ in_window(to_local_date('submitted_at')) }}
          {%- if loaded_through %}
          or loaded_at > {{ loaded_through }}
          or ticket_id in (select ticket_id from touched_tickets)
          {%- endif %}
      )
),

-- the newest load this build has seen: of the responses, or of the tickets they are about
loaded as (
    select max(newest_load) as raw_loaded_through
    from (
        select max(loaded_at) as newest_load from {{ ref('stg_surveys__response_loads') }}
        {%- if loaded_through %}
        where loaded_at > {{ loaded_through }}
        {%- endif %}
        union all
        select max(raw_loaded_through) as newest_load from {{ ref('int_zendesk__ticket_lifecycle') }}
        {%- if loaded_through %}
        union all
        select {{ loaded_through }} as newest_load
        {%- endif %}
    ) as inputs
),

-- The latest version of each answered ticket, whenever it was created (the lifecycle holds only
-- the tickets of the windows it was built for), with team and tier at creation as fct_tickets has
-- them: int_tickets__team_and_customer, the join both facts share.
tickets as (
    select ticket_id, channel, team, customer_tier, exclusion_reason
    from {{ ref('int_tickets__team_and_customer') }}
    where ticket_id in (select ticket_id from responses)
),

channels as (
    select channel from {{ ref('dim_channel') }}
)

select
    cast(r.response_id as varchar) as response_id,
    cast(r.survey_source as varchar) as survey_source,
    cast(r.submitted_at as timestamp) as submitted_at,
    cast({{ to_local_date('r.submitted_at') }} as date) as submitted_date,
    cast(r.delivered_at as timestamp) as delivered_at,
    cast(r.ticket_id as bigint) as ticket_id,
    cast(coalesce(ch.channel, 'other') as varchar) as channel,
    cast(coalesce(t.team, rt.team, 'unassigned') as varchar) as team,
    cast(coalesce(t.customer_tier, 'unknown') as varchar) as customer_tier,
    cast(r.overall_score as integer) as overall_score,
    cast(r.csat_scale as varchar) as csat_scale,
    cast(r.csat_value as integer) as csat_value,
    cast(r.csat_scale_min as integer) as csat_scale_min,
    cast(r.csat_scale_max as integer) as csat_scale_max,
    cast(r.is_csat_positive as boolean) as is_csat_positive,
    cast(r.speed_score as integer) as speed_score,
    cast(r.accuracy_score as integer) as accuracy_score,
    cast(r.attitude_score as integer) as attitude_score,
    cast(r.resolution_score as integer) as resolution_score,
    cast(r.nps_scale as varchar) as nps_scale,
    cast(r.nps_value as integer) as nps_value,
    cast(r.nps_category as varchar) as nps_category,
    -- a response about an excluded ticket (spam, deleted, test, merged away) counts in no KPI
    cast(t.exclusion_reason is not null as boolean) as is_excluded,
    cast(t.exclusion_reason as varchar) as exclusion_reason,
    -- the newest raw load this row's build had seen (macros/late_activity.sql)
    cast(ld.raw_loaded_through as timestamp) as raw_loaded_through
from responses as r
cross join loaded as ld
left join tickets as t on t.ticket_id = r.ticket_id
left join channels as ch on ch.channel = coalesce(t.channel, r.channel_from_response)
-- a team the response reports counts when it is one of ours; any other name is 'unassigned'
left join {{ ref('dim_team') }} as rt on rt.team = r.team_reported
