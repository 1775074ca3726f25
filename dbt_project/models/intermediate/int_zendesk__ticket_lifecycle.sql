{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='ticket_id',
        on_schema_change='fail',
        tags=['partitioned'],
    )
}}
-- One row per ticket: the moments and facts every ticket KPI is computed from. Rebuilt for the
-- tickets created in the window Dagster passes (widened by the look-back), like the facts.
-- Events dated before their ticket's creation break the contract; they are left out here and
-- listed in int_zendesk__ticket_events_rejected.
with tickets as (
    select * from {{ ref('stg_zendesk__tickets') }}
    where {{ in_window(to_local_date('created_at')) }}
),

-- Only events from the window's first day on can belong to its tickets: reading no earlier ones
-- keeps a daily run's cost flat as history grows. A day of margin covers any UTC offset.
events as (
    select e.*
    from {{ ref('stg_zendesk__ticket_events') }} as e
    inner join tickets as t on t.ticket_id = e.ticket_id
    where e.created_at >= t.created_at
      and e.created_at >= {{ window_start_utc_bound() }}
),

agents as (
    select user_id from {{ ref('stg_zendesk__users') }} where not is_bot
),

escalation_groups as (
    select group_id
    from {{ ref('stg_zendesk__groups') }}
    where group_name in ({% for g in var('escalation_group_names') %}'{{ g }}'{% if not loop.last %}, {% endif %}{% endfor %})
),

first_assignment as (
    select ticket_id, min(created_at) as first_assigned_at
    from events
    where field_name = 'assignee_id' and new_value is not null
    group by ticket_id
),

-- A reply is a public comment or call by an agent; auto-replies (triggers, bots) are not.
agent_replies as (
    select
        e.ticket_id,
        min(e.created_at) as first_reply_at,
        count(*) as public_agent_replies
    from events as e
    inner join agents as a on a.user_id = e.author_id
    where e.event_type in ('Comment', 'VoiceComment')
      and e.is_public
      and coalesce(e.via_channel, '') not in ('rule', 'answer_bot')
    group by e.ticket_id
),

calls as (
    select ticket_id, sum(call_duration_seconds) as talk_seconds, count(*) as calls
    from events
    where event_type = 'VoiceComment' and call_duration_seconds is not null
    group by ticket_id
),

status_changes as (
    select
        ticket_id,
        min(case when new_value = 'solved' then created_at end) as first_solved_at,
        min(case when new_value = 'closed' then created_at end) as first_closed_at,
        sum(case when previous_value = 'solved' and new_value in ('new', 'open', 'pending', 'hold') then 1 else 0 end)
            as reopen_count
    from events
    where field_name = 'status'
    group by ticket_id
),

initial_level as (
    select ticket_id, min(new_value) as initial_response_level
    from events
    where event_type = 'Create' and field_name = 'response_level'
    group by ticket_id
),

-- Escalated: raised to a higher response level, or handed to an escalation team.
escalations as (
    select ticket_id, created_at
    from events
    where event_type = 'Change' and field_name = 'response_level' and new_value > previous_value
    union all
    select e.ticket_id, e.created_at
    from events as e
    inner join escalation_groups as g on cast(g.group_id as varchar) = e.new_value
    where e.event_type = 'Change' and e.field_name = 'group_id'
),

first_escalation as (
    select ticket_id, min(created_at) as escalated_at from escalations group by ticket_id
)

select
    t.ticket_id,
    t.created_at,
    t.status,
    t.channel,
    t.group_id,
    t.assignee_id,
    t.requester_id,
    t.category,
    lower(coalesce(il.initial_response_level, t.response_level, 'l1')) as response_level,
    {{ has_any_tag('t.tags_json', var('complaint_tags')) }} as is_complaint,
    case
        when t.status = 'deleted' or {{ has_any_tag('t.tags_json', var('spam_tags')) }} then 'spam'
        when {{ has_any_tag('t.tags_json', var('test_tags')) }} then 'test'
        when {{ has_any_tag('t.tags_json', var('merged_tags')) }} then 'merged'
    end as exclusion_reason,
    fa.first_assigned_at,
    ar.first_reply_at,
    coalesce(ar.public_agent_replies, 0) as public_agent_replies,
    sc.first_solved_at,
    sc.first_closed_at,
    coalesce(sc.reopen_count, 0) as reopen_count,
    fe.escalated_at,
    c.talk_seconds,
    coalesce(c.calls, 0) as calls
from tickets as t
left join first_assignment as fa on fa.ticket_id = t.ticket_id
left join agent_replies as ar on ar.ticket_id = t.ticket_id
left join calls as c on c.ticket_id = t.ticket_id
left join status_changes as sc on sc.ticket_id = t.ticket_id
left join initial_level as il on il.ticket_id = t.ticket_id
left join first_escalation as fe on fe.ticket_id = t.ticket_id
