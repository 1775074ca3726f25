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
-- tickets created in the window Dagster passes (widened by the look-back), like the facts, and
-- for every ticket a load touched since the last build, whatever its age (macros/late_activity.sql).
-- Events dated before their ticket's creation break the contract; they are left out here and
-- listed in int_zendesk__ticket_events_rejected.
{%- set loaded_through = previous_build_loaded_through() %}
{%- set touched_from = none %}
{%- if loaded_through %}
    {#- the oldest touched ticket's creation: how far back this run reads versions and events -#}
    {%- set loads = ref('stg_zendesk__ticket_loads') %}
    {%- set touched_from = query_timestamp(
        "select min(ticket_created_at) from " ~ loads ~ " where stream = 'tickets' and ticket_id in "
        ~ "(select ticket_id from " ~ loads ~ " where loaded_at > " ~ loaded_through ~ ")"
    ) %}
{%- endif %}
{%- set scan_from = earliest(window_start_utc_bound(), touched_from) %}
with touched as (
    {%- if loaded_through %}
    select distinct ticket_id from {{ ref('stg_zendesk__ticket_loads') }} where loaded_at > {{ loaded_through }}
    {%- else %}
    select ticket_id from {{ ref('stg_zendesk__ticket_loads') }} where 1 = 0
    {%- endif %}
),

tickets as (
    select * from {{ ref('stg_zendesk__tickets') }}
    -- implied by the lines below; a plain bound on the column lets the filter reach the raw scan
    where created_at >= {{ scan_from }}
      and (
          {{ in_window(to_local_date('created_at')) }}
          or ticket_id in (select ticket_id from touched)
      )
),

-- Only events from the oldest rebuilt ticket's creation on can belong to the rebuilt tickets:
-- reading no earlier ones keeps a daily run's cost flat as history grows. A day of margin covers
-- any UTC offset.
events as (
    select e.*
    from {{ ref('stg_zendesk__ticket_events') }} as e
    inner join tickets as t on t.ticket_id = e.ticket_id
    where e.created_at >= t.created_at
      and e.created_at >= {{ scan_from }}
),

-- the newest load this build has seen (the next build's starting point)
loaded as (
    select coalesce(max(loaded_at), {{ loaded_through or 'cast(null as timestamp)' }}) as raw_loaded_through
    from {{ ref('stg_zendesk__ticket_loads') }}
    {%- if loaded_through %}
    where loaded_at > {{ loaded_through }}
    {%- endif %}
),

agents as (
    select user_id from {{ ref('stg_zendesk__users') }} where not is_bot
),

-- the configured response-level field: events name it by its id as a string
configured as (
    select response_level_field_id from {{ ref('stg_zendesk__configured_fields') }}
),

escalation_groups as (
    select group_id
    from {{ ref('stg_zendesk__groups') }}
    where group_name in ({{ sql_list(var('escalation_group_names')) }})
),

-- Every per-ticket fact in one pass over the events (conditional aggregates), not one pass each.
-- Joins are on unique keys, so they flag events without repeating them.
flagged as (
    select
        e.*,
        -- a reply is a public comment or call by an agent; auto-replies (triggers, bots) are not
        {{ is_agent_reply('e', 'a.user_id') }} as is_agent_reply,
        coalesce(e.field_name = cf.response_level_field_id, false) as is_response_level,
        -- escalated: raised to a higher response level (in the configured order, not by string
        -- comparison), or handed to an escalation team
        (
            e.event_type = 'Change'
            and (
                (
                    e.field_name = cf.response_level_field_id
                    and {{ is_response_level_raise('e.previous_value', 'e.new_value') }}
                )
                or (e.field_name = 'group_id' and g.group_id is not null)
            )
        ) as is_escalation
    from events as e
    cross join configured as cf
    left join agents as a on a.user_id = e.author_id
    left join escalation_groups as g on e.field_name = 'group_id' and cast(g.group_id as varchar) = e.new_value
),

-- A real-time channel (var realtime_channels) counts a conversation, not a message, as one contact:
-- an agent reply more than fcr_session_gap_minutes after the ticket's previous agent reply starts
-- a new session (kpi-definitions.md, FCR).
agent_replies as (
    select
        ticket_id,
        created_at,
        author_id,
        lag(created_at) over (partition by ticket_id order by created_at) as previous_reply_at,
        row_number() over (partition by ticket_id order by created_at, event_id) as reply_number
    from flagged
    where is_agent_reply
),

-- Agent attribution (kpi-definitions.md, "Agent attribution"): FRT belongs to the author of the
-- first agent reply.
first_responders as (
    select ticket_id, author_id as first_responder_id from agent_replies where reply_number = 1
),

reply_sessions as (
    select
        ticket_id,
        sum(
            case
                when previous_reply_at is null
                    or {{ seconds_between('previous_reply_at', 'created_at') }} > {{ var('fcr_session_gap_minutes') * 60 }}
                    then 1
                else 0
            end
        ) as agent_reply_sessions
    from agent_replies
    group by ticket_id
),

per_ticket as (
    select
        ticket_id,
        min(case when field_name = 'assignee_id' and new_value is not null then created_at end) as first_assigned_at,
        min(case when is_agent_reply then created_at end) as first_reply_at,
        sum(case when is_agent_reply then 1 else 0 end) as public_agent_replies,
        sum(case when event_type = 'VoiceComment' then call_duration_seconds end) as talk_seconds,
        sum(case when event_type = 'VoiceComment' and call_duration_seconds is not null then 1 else 0 end) as calls,
        min(case when field_name = 'status' and new_value = 'solved' then created_at end) as first_solved_at,
        min(case when field_name = 'status' and new_value = 'closed' then created_at end) as first_closed_at,
        sum(
            case
                when field_name = 'status' and previous_value = 'solved' and new_value in ('new', 'open', 'pending', 'hold')
                    then 1
                else 0
            end
        ) as reopen_count,
        min(case when event_type = 'Create' and is_response_level then lower(new_value) end)
            as initial_response_level,
        min(case when is_escalation then created_at end) as escalated_at,
        -- the creation audit was loaded, so the ticket's loaded history starts at its creation
        max(case when event_type = 'Create' then 1 else 0 end) as creation_audits
    from flagged
    group by ticket_id
),

-- The ticket's other parts belong to the assignee in force at its first solve (its first close when
-- never solved): the newest assignee_id change at or before that moment, in the same audit too.
-- Without such a change (or with no solve event: unsolved, or solved by its status only), the
-- ticket's current assignee. A change to no one leaves the ticket unattributed (null).
assignee_changes as (
    select
        f.ticket_id,
        f.new_value,
        row_number() over (partition by f.ticket_id order by f.created_at desc, f.event_id desc) as newest_first
    from flagged as f
    inner join per_ticket as p on p.ticket_id = f.ticket_id
    where f.field_name = 'assignee_id'
      and f.created_at <= coalesce(p.first_solved_at, p.first_closed_at)
),

assignees_at_solve as (
    select ticket_id, {{ safe_bigint('new_value') }} as assignee_id
    from assignee_changes
    where newest_first = 1
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
    -- no level set: the lowest of var response_level_order
    lower(coalesce(p.initial_response_level, t.response_level, '{{ var("response_level_order")[0] }}')) as response_level,
    (
        {{ has_any_tag('t.tags_json', var('complaint_tags')) }}
        {%- if var('complaint_ticket_types') %}
        or coalesce(t.ticket_type in ({{ sql_list(var('complaint_ticket_types')) }}), false)
        {%- endif %}
        {%- if var('complaint_categories') %}
        or coalesce(t.category in ({{ sql_list(var('complaint_categories')) }}), false)
        {%- endif %}
    ) as is_complaint,
    {{ ticket_exclusion_reason('t.status', 't.tags_json') }} as exclusion_reason,
    p.first_assigned_at,
    p.first_reply_at,
    coalesce(p.public_agent_replies, 0) as public_agent_replies,
    p.first_solved_at,
    p.first_closed_at,
    coalesce(p.reopen_count, 0) as reopen_count,
    p.escalated_at,
    p.talk_seconds,
    coalesce(p.calls, 0) as calls,
    -- False for a ticket created before the first loaded day (a backfill's edge): its first
    -- reply, assignment and solve may lie before the events loaded, so they are not read off them.
    coalesce(p.creation_audits, 0) > 0 as has_creation_audit,
    coalesce(rs.agent_reply_sessions, 0) as agent_reply_sessions,
    fr.first_responder_id,
    case when sa.ticket_id is not null then sa.assignee_id else t.assignee_id end as assignee_at_solve_id,
    cast(ld.raw_loaded_through as timestamp) as raw_loaded_through
from tickets as t
cross join loaded as ld
left join per_ticket as p on p.ticket_id = t.ticket_id
left join reply_sessions as rs on rs.ticket_id = t.ticket_id
left join first_responders as fr on fr.ticket_id = t.ticket_id
left join assignees_at_solve as sa on sa.ticket_id = t.ticket_id
