{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='ticket_id',
        on_schema_change='fail',
        tags=['partitioned', 'business_hours'],
    )
}}
-- One row per agent reply (a public comment or call by an agent, as the lifecycle counts one): the
-- requester's wait it answered, in calendar and business seconds. The first reply answers the
-- ticket's creation; a later one answers the first requester comment since the previous agent
-- reply (Zendesk's reply time, as its next-reply SLA measures it). An agent reply with no requester
-- comment since the previous one answered nothing: its wait is null. A requester comment is a
-- public comment by a user who is no agent (raw users hold agents and admins only) and was not
-- sent by a trigger. Rebuilt, like the ticket models, for the tickets created in the window or
-- touched since this model's last build; a ticket's replies are replaced whole (unique_key ticket_id).
{%- set loaded_through = previous_build_loaded_through() %}
{%- set touched_from = lifecycle_touched_from(loaded_through) %}
{%- set scan_from = earliest(window_start_utc_bound(), touched_from) %}
with lifecycle as (
    select ticket_id, created_at, has_creation_audit, raw_loaded_through
    from {{ ref('int_zendesk__ticket_lifecycle') }}
    where {{ rebuilt_with_lifecycle(loaded_through) }}
),

users as (
    select user_id, is_bot from {{ ref('stg_zendesk__users') }}
),

comments as (
    select
        e.ticket_id,
        e.event_id,
        e.created_at,
        case
            when u.user_id is not null and not u.is_bot then 'agent'
            when u.user_id is null then 'requester'
        end as author_kind
    from {{ ref('stg_zendesk__ticket_events') }} as e
    inner join lifecycle as l on l.ticket_id = e.ticket_id
    left join users as u on u.user_id = e.author_id
    -- only a ticket whose creation audit was loaded has all its replies, so it alone can be numbered
    where l.has_creation_audit
      and e.created_at >= l.created_at
      and e.created_at >= {{ scan_from }}
      and e.event_type in ('Comment', 'VoiceComment')
      and e.is_public
      and coalesce(e.via_channel, '') not in ('rule', 'answer_bot')
),

-- each comment with the number of agent replies up to and including it
numbered as (
    select
        ticket_id,
        event_id,
        created_at,
        author_kind,
        sum(case when author_kind = 'agent' then 1 else 0 end) over (
            partition by ticket_id order by created_at, event_id rows between unbounded preceding and current row
        ) as agent_replies_through
    from comments
    where author_kind is not null
),

-- the first requester comment after k agent replies starts the wait reply k + 1 answers
waits as (
    select ticket_id, agent_replies_through as replies_before, min(created_at) as wait_started_at
    from numbered
    where author_kind = 'requester'
    group by ticket_id, agent_replies_through
),

replies as (
    select
        n.ticket_id,
        n.event_id as reply_event_id,
        n.agent_replies_through as reply_number,
        n.created_at as replied_at,
        case when n.agent_replies_through = 1 then l.created_at else w.wait_started_at end as wait_started_at
    from numbered as n
    inner join lifecycle as l on l.ticket_id = n.ticket_id
    left join waits as w on w.ticket_id = n.ticket_id and w.replies_before = n.agent_replies_through - 1
    where n.author_kind = 'agent'
),

schedules as (
    select ticket_id, schedule_key
    from {{ ref('int_zendesk__ticket_business_hours') }}
    where ticket_id in (select ticket_id from lifecycle)
),

business as (
    select
        r.reply_event_id,
        sum(
            least({{ epoch_seconds('r.replied_at') }}, i.close_epoch)
            - greatest({{ epoch_seconds('r.wait_started_at') }}, i.open_epoch)
        ) as business_seconds
    from replies as r
    inner join schedules as s on s.ticket_id = r.ticket_id
    inner join {{ ref('int_business_hours__intervals') }} as i
        on i.schedule_key = s.schedule_key
        and i.open_epoch < {{ epoch_seconds('r.replied_at') }}
        and i.close_epoch > {{ epoch_seconds('r.wait_started_at') }}
    group by r.reply_event_id
),

loaded as (
    select max(raw_loaded_through) as raw_loaded_through from lifecycle
)

select
    cast(r.ticket_id as bigint) as ticket_id,
    cast(r.reply_event_id as bigint) as reply_event_id,
    cast(r.reply_number as bigint) as reply_number,
    cast(r.wait_started_at as timestamp) as wait_started_at,
    cast(r.replied_at as timestamp) as replied_at,
    cast(s.schedule_key as varchar) as schedule_key,
    cast({{ seconds_between('r.wait_started_at', 'r.replied_at') }} as bigint) as reply_seconds,
    -- a wait with a schedule and no open time in it is 0; without a schedule or a wait, null
    cast(
        case when r.wait_started_at is not null and s.schedule_key is not null then coalesce(b.business_seconds, 0) end
        as bigint
    ) as business_reply_seconds,
    cast(ld.raw_loaded_through as timestamp) as raw_loaded_through
from replies as r
cross join loaded as ld
left join schedules as s on s.ticket_id = r.ticket_id
left join business as b on b.reply_event_id = r.reply_event_id
