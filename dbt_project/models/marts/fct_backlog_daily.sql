{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='backlog_date',
        on_schema_change='fail',
        tags=['partitioned'],
        pre_hook="{{ delete_backlog_rebuilt_days() }}",
    )
}}
-- The backlog: tickets open at the local end of each day (kpi-definitions.md, "Backlog"), one row
-- per day x status x team x channel x priority x response level x age bucket. open_tickets and
-- open_beyond_sla_tickets are additive over every column but the day: a day's backlog is the sum of
-- its rows; a week's backlog is its last day's, never a sum over days.
--
-- Open at the local end of day D: the status the ticket held after its last status event before the
-- next local midnight is new, open, pending or hold (int_zendesk__ticket_status_spans). A span from
-- valid_from to valid_to (half-open) covers the end of D exactly when
--     to_local_date(valid_from) <= D < to_local_date(valid_to)
-- so each open span joins the days of that range of dim_date: days x open spans, no rescan of
-- events. Excluded tickets (fct_tickets.exclusion_reason: spam, deleted, test, merged) never count.
-- Team, channel and response level are fct_tickets' (the current group, the level at creation);
-- priority is the current one. Age is the end of the day minus creation; a ticket is beyond its
-- SLA when that age exceeds the resolution time of its response level and channel
-- (response_level_targets.csv, resolution_seconds: the project's policy, not Zendesk's SLA
-- policies). A level with no resolution time is never counted beyond it.
--
-- Rebuilt for the window's days (widened by the look-back) and, since a ticket a load touched may
-- have changed any day since its creation (a late status event, a new group), for every day from
-- the oldest touched ticket's creation day on. Days run from the first to the last day whose ticket
-- events were loaded (int_zendesk__events_loaded_through): before it the status history is not
-- loaded, after it a day's end is not known yet.
-- The pre-hook clears the rebuilt days first (macros/backlog.sql): a rebuilt day left with no open
-- ticket at all (its last one excluded, or solved earlier by a late load) has no new row to replace
-- its old ones by.
{%- set rebuild_from = backlog_rebuild_from() %}
with loaded_days as (
    select loaded_from_date, loaded_through_date from {{ ref('int_zendesk__events_loaded_through') }}
),

days as (
    select
        d.date_day as backlog_date,
        -- the day's local end, in UTC: the next day's local midnight
        {{ local_day_start_utc("d.date_day + interval '1 day'") }} as day_end_at
    from {{ ref('dim_date') }} as d
    cross join loaded_days as l
    where d.date_day >= {{ rebuild_from }}
      and d.date_day < {{ window_end_date() }}
      and d.date_day >= l.loaded_from_date
      and d.date_day <= l.loaded_through_date
),

-- open spans that reach past the first rebuilt day's start (a day of margin covers any UTC offset)
open_spans as (
    select
        ticket_id,
        status,
        priority,
        {{ to_local_date('valid_from') }} as first_day,
        {{ to_local_date('valid_to') }} as after_last_day
    from {{ ref('int_zendesk__ticket_status_spans') }}
    where is_open_status
      and (valid_to is null or valid_to >= cast({{ rebuild_from }} as timestamp) - interval '1 day')
),

tickets as (
    select ticket_id, created_at, team, channel, response_level, resolution_target_seconds
    from {{ ref('fct_tickets') }}
    where not is_excluded
),

open_days as (
    select
        d.backlog_date,
        s.status,
        t.team,
        t.channel,
        s.priority,
        t.response_level,
        t.resolution_target_seconds,
        {{ seconds_between('t.created_at', 'd.day_end_at') }} as age_seconds
    from open_spans as s
    inner join days as d
        on d.backlog_date >= s.first_day
        and (s.after_last_day is null or d.backlog_date < s.after_last_day)
    inner join tickets as t on t.ticket_id = s.ticket_id
),

bucketed as (
    select
        backlog_date, status, team, channel, priority, response_level,
        -- half-open buckets: a ticket exactly 1 day old is in 1-3d
        case
            when age_seconds < 86400 then '0-1d'
            when age_seconds < 3 * 86400 then '1-3d'
            when age_seconds < 7 * 86400 then '3-7d'
            when age_seconds < 30 * 86400 then '7-30d'
            else '>30d'
        end as age_bucket,
        case when age_seconds > resolution_target_seconds then 1 else 0 end as is_beyond_sla
    from open_days
),

-- the newest load this build has seen
loaded as (
    select max(raw_loaded_through) as raw_loaded_through from {{ ref('fct_tickets') }}
)

select
    cast(b.backlog_date as date) as backlog_date,
    cast(b.status as varchar) as status,
    cast(b.team as varchar) as team,
    cast(b.channel as varchar) as channel,
    cast(b.priority as varchar) as priority,
    cast(b.response_level as varchar) as response_level,
    cast(b.age_bucket as varchar) as age_bucket,
    cast(count(*) as bigint) as open_tickets,
    cast(sum(b.is_beyond_sla) as bigint) as open_beyond_sla_tickets,
    -- the newest raw load this row's build had seen (macros/late_activity.sql)
    cast(max(ld.raw_loaded_through) as timestamp) as raw_loaded_through
from bucketed as b
cross join loaded as ld
group by b.backlog_date, b.status, b.team, b.channel, b.priority, b.response_level, b.age_bucket
