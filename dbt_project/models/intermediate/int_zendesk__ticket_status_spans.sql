{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='ticket_id',
        on_schema_change='fail',
        tags=['partitioned'],
    )
}}
-- A ticket's status history as spans: one row per status it held, valid_from (inclusive) to
-- valid_to (exclusive; null while it still holds it), read off its status-change events (field
-- 'status' of Create and Change events). fct_backlog_daily joins these spans to days, so a day's
-- backlog never rescans events. Rebuilt, like the lifecycle, for the tickets created in the window
-- and for every ticket a load touched since this model's last build (macros/late_activity.sql):
-- the same tickets the lifecycle rebuilt, whatever their age.
--
-- Before its first status event a ticket holds that event's previous value. With no previous value
-- (the Create event, which sets the first status) the first span starts with that event's value.
-- A ticket with no status event loaded at all (older than the loaded history, or imported) holds
-- its current status from its creation on: nothing else is known, and no change is invented.
-- Events dated before the ticket's creation are left out, as in the lifecycle.
{%- set loaded_through = previous_build_loaded_through() %}
{%- set touched_from = lifecycle_touched_from(loaded_through) %}
{%- set scan_from = earliest(window_start_utc_bound(), touched_from) %}
with tickets as (
    select ticket_id, created_at, status, raw_loaded_through
    from {{ ref('int_zendesk__ticket_lifecycle') }}
    where {{ rebuilt_with_lifecycle(loaded_through) }}
),

-- the current priority; a plain bound on created_at reaches the raw scan (as in fct_tickets)
priorities as (
    select ticket_id, priority
    from {{ ref('stg_zendesk__tickets') }}
    where created_at >= {{ scan_from }}
      and ticket_id in (select ticket_id from tickets)
),

changes as (
    select
        e.ticket_id,
        e.created_at as changed_at,
        e.previous_value,
        e.new_value,
        -- events of one audit share a time: the event id keeps their order stable on every engine
        row_number() over (partition by e.ticket_id order by e.created_at, e.event_id) as change_number
    from {{ ref('stg_zendesk__ticket_events') }} as e
    inner join tickets as t on t.ticket_id = e.ticket_id
    where e.field_name = 'status'
      and e.created_at >= t.created_at
      and e.created_at >= {{ scan_from }}
),

spans as (
    -- from creation to the first status event (zero length when the Create event sets the status)
    select
        t.ticket_id,
        0 as span_number,
        case
            when f.ticket_id is null then t.status
            else coalesce(f.previous_value, f.new_value)
        end as status,
        t.created_at as valid_from,
        f.changed_at as valid_to
    from tickets as t
    left join changes as f on f.ticket_id = t.ticket_id and f.change_number = 1
    union all
    select
        ticket_id,
        change_number as span_number,
        new_value as status,
        changed_at as valid_from,
        lead(changed_at) over (partition by ticket_id order by change_number) as valid_to
    from changes
)

select
    cast(s.ticket_id as bigint) as ticket_id,
    cast(s.span_number as bigint) as span_number,
    cast(s.status as varchar) as status,
    -- open: the ticket still waits on the support team or the requester (not solved, closed, deleted)
    cast(coalesce(s.status in ('new', 'open', 'pending', 'hold'), false) as boolean) as is_open_status,
    cast(s.valid_from as timestamp) as valid_from,
    cast(s.valid_to as timestamp) as valid_to,
    cast(coalesce(p.priority, 'none') as varchar) as priority,
    -- the newest raw load this row's build had seen (macros/late_activity.sql)
    cast(t.raw_loaded_through as timestamp) as raw_loaded_through
from spans as s
inner join tickets as t on t.ticket_id = s.ticket_id
left join priorities as p on p.ticket_id = s.ticket_id
-- a zero-length span (two status events at one moment, or the Create event) was never held
where s.valid_to is null or s.valid_to > s.valid_from
