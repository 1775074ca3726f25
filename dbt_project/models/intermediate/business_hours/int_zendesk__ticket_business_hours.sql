{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='ticket_id',
        on_schema_change='fail',
        tags=['partitioned', 'business_hours'],
    )
}}
-- One row per ticket: the schedule it is timed on and its durations in business time (seconds of
-- its spans that fall in the schedule's opening intervals), beside the calendar wait times.
-- Rebuilt for the same tickets as fct_tickets: created in the window, or touched by a load since
-- this model's last build (macros/late_activity.sql).
--
-- Which schedule (kpi-definitions.md, "Business hours"): the Zendesk schedule a trigger set on the
-- ticket (its newest schedule change in the audits: Zendesk times a ticket on its latest schedule
-- only); else its team's calendar (config/business_calendar.yaml); else the account's default
-- Zendesk schedule; else none, and the business durations are null (unknown, not zero).
--
-- Business seconds of a span are sum(least(span end, interval close) - greatest(span start,
-- interval open)) over the schedule's intervals that overlap it: one range join of spans to
-- int_business_hours__intervals, no per-ticket loop.
{%- set loaded_through = previous_build_loaded_through() %}
{%- set touched_from = lifecycle_touched_from(loaded_through) %}
{%- set scan_from = earliest(window_start_utc_bound(), touched_from) %}
with lifecycle as (
    select * from {{ ref('int_zendesk__ticket_lifecycle') }}
    where {{ rebuilt_with_lifecycle(loaded_through) }}
),

teams as (
    select ticket_id, team
    from {{ ref('int_tickets__team_and_customer') }}
    where ticket_id in (select ticket_id from lifecycle)
      and created_at >= {{ scan_from }}
),

events as (
    select e.ticket_id, e.event_id, e.created_at, e.event_type, e.field_name, e.new_value
    from {{ ref('stg_zendesk__ticket_events') }} as e
    inner join lifecycle as l on l.ticket_id = e.ticket_id
    where e.created_at >= l.created_at
      and e.created_at >= {{ scan_from }}
      and e.field_name in ('status', 'schedule_id')
),

-- Zendesk's rule: the schedule a trigger set last (a Change of schedule_id in the audits)
set_schedules as (
    select ticket_id, new_value as schedule_id_text
    from (
        select
            ticket_id,
            new_value,
            row_number() over (partition by ticket_id order by created_at desc, event_id desc) as newest
        from events
        where field_name = 'schedule_id' and new_value is not null
    ) as ranked
    where newest = 1
),

zendesk_schedules as (
    select cast(schedule_id as varchar) as schedule_id_text, is_default from {{ ref('stg_zendesk__schedules') }}
),

team_calendars as (
    select distinct team from {{ ref('stg_calendar__business_days') }}
),

schedules as (
    select
        l.ticket_id,
        case
            when zs.schedule_id_text is not null then 'zendesk:' || zs.schedule_id_text
            when tc.team is not null then 'team:' || tc.team
            when d.schedule_id_text is not null then 'zendesk:' || d.schedule_id_text
        end as schedule_key,
        case
            when zs.schedule_id_text is not null then 'zendesk_ticket'
            when tc.team is not null then 'team_calendar'
            when d.schedule_id_text is not null then 'zendesk_default'
        end as schedule_source
    from lifecycle as l
    left join set_schedules as s on s.ticket_id = l.ticket_id
    left join zendesk_schedules as zs on zs.schedule_id_text = s.schedule_id_text
    left join teams as t on t.ticket_id = l.ticket_id
    left join team_calendars as tc on tc.team = t.team
    left join zendesk_schedules as d on d.is_default
),

-- Status spans, for the wait times as Zendesk's Ticket Metrics define them: requester wait is
-- the time in new, open and on-hold; agent wait the time in pending. A span ends at the next
-- status change; the current one (still running) is not counted: its end is not known yet.
statuses as (
    select
        ticket_id,
        created_at as started_at,
        new_value as status,
        lead(created_at) over (partition by ticket_id order by created_at, event_id) as ended_at
    from events
    where field_name = 'status' and event_type in ('Create', 'Change')
),

-- Every span to time, one row each. First response and resolution are timed from a ticket's own
-- audits only when its creation audit was loaded (as fct_tickets does); older tickets take
-- Zendesk's own business minutes (below).
spans as (
    select ticket_id, 'first_response' as measure, created_at as started_at, first_reply_at as ended_at
    from lifecycle
    where has_creation_audit and first_reply_at is not null
    union all
    select
        ticket_id, 'resolution' as measure, created_at as started_at,
        coalesce(first_solved_at, first_closed_at) as ended_at
    from lifecycle
    where has_creation_audit and coalesce(first_solved_at, first_closed_at) is not null
    union all
    select
        ticket_id,
        case when status = 'pending' then 'agent_wait' else 'requester_wait' end as measure,
        started_at,
        ended_at
    from statuses
    where ended_at is not null and status in ('new', 'open', 'hold', 'pending')
),

-- Spans are keyed by their number within (ticket, measure), not by their start: two status
-- changes in one second start two spans at the same moment (one of them of zero length), and a key
-- on the start would join both to the one span's business seconds and count them twice.
timed as (
    select
        s.ticket_id,
        s.measure,
        row_number() over (partition by s.ticket_id, s.measure order by s.started_at, s.ended_at) as span_number,
        {{ seconds_between('s.started_at', 's.ended_at') }} as calendar_seconds,
        {{ epoch_seconds('s.started_at') }} as start_epoch,
        {{ epoch_seconds('s.ended_at') }} as end_epoch,
        sc.schedule_key
    from spans as s
    inner join schedules as sc on sc.ticket_id = s.ticket_id
    where s.ended_at >= s.started_at
),

business as (
    select
        t.ticket_id,
        t.measure,
        t.span_number,
        sum(least(t.end_epoch, i.close_epoch) - greatest(t.start_epoch, i.open_epoch)) as business_seconds
    from timed as t
    inner join {{ ref('int_business_hours__intervals') }} as i
        on i.schedule_key = t.schedule_key
        and i.open_epoch < t.end_epoch
        and i.close_epoch > t.start_epoch
    group by t.ticket_id, t.measure, t.span_number
),

-- a span with a schedule and no overlap is 0 business seconds; with no schedule it stays null
per_span as (
    select
        t.ticket_id,
        t.measure,
        t.calendar_seconds,
        case when t.schedule_key is not null then coalesce(b.business_seconds, 0) end as business_seconds
    from timed as t
    left join business as b on b.ticket_id = t.ticket_id and b.measure = t.measure and b.span_number = t.span_number
),

per_ticket as (
    select
        ticket_id,
        sum(case when measure = 'first_response' then business_seconds end) as business_first_response_seconds,
        sum(case when measure = 'resolution' then business_seconds end) as business_resolution_seconds,
        sum(case when measure = 'requester_wait' then calendar_seconds end) as requester_wait_seconds,
        sum(case when measure = 'requester_wait' then business_seconds end) as business_requester_wait_seconds,
        sum(case when measure = 'agent_wait' then calendar_seconds end) as agent_wait_seconds,
        sum(case when measure = 'agent_wait' then business_seconds end) as business_agent_wait_seconds
    from per_span
    group by ticket_id
),

-- the newest load this build has seen (the next build's starting point), as the lifecycle's
loaded as (
    select max(raw_loaded_through) as raw_loaded_through from lifecycle
)

select
    cast(l.ticket_id as bigint) as ticket_id,
    cast(l.created_at as timestamp) as created_at,
    cast(sc.schedule_key as varchar) as schedule_key,
    cast(sc.schedule_source as varchar) as schedule_source,
    -- a ticket older than the loaded history: Zendesk's own business minutes (its metric set)
    cast(
        case
            when l.has_creation_audit then p.business_first_response_seconds
            else m.reply_time_business_minutes * 60
        end as bigint
    ) as business_first_response_seconds,
    -- the precedence of fct_tickets.solved_at: the solve event, else Zendesk's first resolution,
    -- else the close of a ticket closed outright
    cast(
        case
            when l.has_creation_audit and l.first_solved_at is not null then p.business_resolution_seconds
            when
                (not l.has_creation_audit or l.status in ('solved', 'closed'))
                and m.first_resolution_business_minutes is not null
                then m.first_resolution_business_minutes * 60
            when l.has_creation_audit and l.first_solved_at is null then p.business_resolution_seconds
        end as bigint
    ) as business_resolution_seconds,
    cast(p.requester_wait_seconds as bigint) as requester_wait_seconds,
    cast(p.business_requester_wait_seconds as bigint) as business_requester_wait_seconds,
    cast(p.agent_wait_seconds as bigint) as agent_wait_seconds,
    cast(p.business_agent_wait_seconds as bigint) as business_agent_wait_seconds,
    cast(ld.raw_loaded_through as timestamp) as raw_loaded_through
from lifecycle as l
cross join loaded as ld
left join schedules as sc on sc.ticket_id = l.ticket_id
left join per_ticket as p on p.ticket_id = l.ticket_id
left join {{ ref('stg_zendesk__ticket_metrics') }} as m on m.ticket_id = l.ticket_id
