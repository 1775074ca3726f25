{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='ticket_id',
        on_schema_change='fail',
        tags=['partitioned'],
    )
}}
-- Ticket grain, dated by the local day of creation. Rebuilt for tickets created in the window
-- Dagster passes (widened by the look-back) and for every ticket the lifecycle rebuilt since this
-- model's last build (a load touched it, whatever its age: macros/late_activity.sql), so late
-- replies, solves and reopens land on their creation day on the next daily run.
{%- set loaded_through = previous_build_loaded_through() %}
{%- set touched_from = lifecycle_touched_from(loaded_through) %}
with lifecycle as (
    select * from {{ ref('int_zendesk__ticket_lifecycle') }}
    where {{ rebuilt_with_lifecycle(loaded_through) }}
),

channels as (
    select channel from {{ ref('dim_channel') }}
),

-- team and customer (tier at creation), one row per ticket: the join fct_survey_responses shares.
-- Only the lifecycle's tickets; the bound on created_at is implied by them (created in the window,
-- or touched and created no earlier than the oldest touched one) and, a plain bound, it reaches the
-- raw scan under the view's deduplication (the id list alone would not), so a daily run does not
-- deduplicate all history. A ticket it missed would have a null team and fail the contract's
-- not_null test, not vanish.
team_and_customer as (
    select ticket_id, team, customer_id, customer_tier
    from {{ ref('int_tickets__team_and_customer') }}
    where ticket_id in (select ticket_id from lifecycle)
      and created_at >= {{ earliest(window_start_utc_bound(), touched_from) }}
),

targets as (
    select * from {{ ref('response_level_targets') }}
),

-- The newest moment in the data (int_zendesk__data_horizon, one row): a ticket younger than a
-- KPI's window at this point is immature for it.
horizon as (
    select as_of_at from {{ ref('int_zendesk__data_horizon') }}
),

-- The moments, by source precedence. A ticket whose creation audit was loaded has its whole
-- history in the events, which give first assignment, first reply and first solve to the second.
-- Its solve time, when no solve event was loaded but its status says solved or closed, is
-- Zendesk's own first resolution (metric_sets: minutes from creation, so to the minute).
-- A ticket created before the first loaded day (a backfill's edge) has only the later part of its
-- history: its first reply and solve may precede the events loaded, so they come from Zendesk's
-- metrics (reply time and first resolution are measured from creation; initially_assigned_at),
-- and without metrics they stay unknown, never read off a later event. A ticket closed outright,
-- never solved (a close event and no solve event in its whole loaded history), was resolved by
-- that close. Otherwise a close is no solve (it comes days after one), so a ticket with no known
-- solve time has null handle and resolution times: solved_tickets counts it, handled_tickets not.
timings as (
    select
        l.ticket_id,
        case
            when l.has_creation_audit then 'events'
            when m.ticket_id is not null then 'zendesk_metrics'
            else 'unknown'
        end as timing_source,
        case
            when l.has_creation_audit then l.first_assigned_at
            else m.initially_assigned_at
        end as first_assigned_at,
        case
            when l.has_creation_audit then l.first_reply_at
            when m.reply_time_calendar_minutes is not null
                then {{ dbt.dateadd('minute', 'm.reply_time_calendar_minutes', 'l.created_at') }}
        end as first_reply_at,
        case
            when l.has_creation_audit and l.first_solved_at is not null then l.first_solved_at
            when
                (not l.has_creation_audit or l.status in ('solved', 'closed'))
                and m.first_resolution_calendar_minutes is not null
                then {{ dbt.dateadd('minute', 'm.first_resolution_calendar_minutes', 'l.created_at') }}
            -- closed without ever being solved (an agent closes it outright): the close resolved it
            when l.has_creation_audit and l.first_solved_at is null then l.first_closed_at
        end as solved_at
    from lifecycle as l
    left join {{ ref('stg_zendesk__ticket_metrics') }} as m on m.ticket_id = l.ticket_id
),

measured as (
    select
        l.ticket_id, l.created_at, l.status, l.channel, l.group_id, l.assignee_id, l.requester_id,
        l.category, l.response_level, l.is_complaint, l.exclusion_reason, l.public_agent_replies,
        l.agent_reply_sessions,
        l.first_solved_at, l.first_closed_at, l.reopen_count, l.escalated_at, l.talk_seconds, l.calls,
        l.raw_loaded_through, l.first_responder_id, l.assignee_at_solve_id,
        st.timing_source,
        st.first_assigned_at,
        st.first_reply_at,
        st.solved_at,
        bh.schedule_key, bh.business_first_response_seconds, bh.business_resolution_seconds,
        bh.requester_wait_seconds, bh.business_requester_wait_seconds, bh.agent_wait_seconds,
        bh.business_agent_wait_seconds,
        {{ to_local_date('l.created_at') }} as created_date,
        coalesce(ch.channel, 'other') as kpi_channel,
        tc.team,
        tc.customer_id,
        coalesce(tc.customer_tier, 'unknown') as customer_tier,
        {{ seconds_between('l.created_at', 'st.first_reply_at') }} as measured_first_response_seconds,
        tg.first_response_seconds as first_response_target_seconds,
        tg.escalation_seconds as escalation_target_seconds,
        tg.resolution_seconds as resolution_target_seconds,
        {{ seconds_between('coalesce(st.first_assigned_at, l.created_at)', 'st.solved_at') }} as measured_handle_seconds,
        {{ seconds_between('l.created_at', 'st.solved_at') }} as resolution_seconds,
        {{ seconds_between('l.created_at', 'l.escalated_at') }} as escalation_seconds,
        {{ seconds_between('l.created_at', 'h.as_of_at') }} as age_seconds_at_horizon
    from lifecycle as l
    inner join timings as st on st.ticket_id = l.ticket_id
    left join {{ ref('int_zendesk__ticket_business_hours') }} as bh on bh.ticket_id = l.ticket_id
    cross join horizon as h
    left join channels as ch on ch.channel = l.channel
    left join team_and_customer as tc on tc.ticket_id = l.ticket_id
    left join targets as tg on tg.response_level = l.response_level and tg.channel = l.channel
),

-- Quarantine: a well-formed ticket with an impossible duration (solved before it was first
-- assigned; a reply before creation from a source that reports one) is left out of the KPIs that
-- duration feeds and counted per KPI; it still counts in volumes and every other KPI. The run
-- fails only past CSKPI_MAX_REJECT_SHARE (check gx_quarantine_share).
quarantined as (
    select
        m.*,
        coalesce(measured_handle_seconds < 0, false) as is_handle_quarantined,
        coalesce(measured_first_response_seconds < 0, false) as is_first_response_quarantined,
        case when measured_handle_seconds >= 0 then measured_handle_seconds end as handle_seconds,
        case when measured_first_response_seconds >= 0 then measured_first_response_seconds end
            as first_response_seconds
    from measured as m
)

select
    cast(ticket_id as bigint) as ticket_id,
    cast(created_at as timestamp) as created_at,
    cast(created_date as date) as created_date,
    cast(kpi_channel as varchar) as channel,
    cast(team as varchar) as team,
    cast(assignee_id as bigint) as agent_id,
    -- agent attribution (kpi-definitions.md): the lifecycle's rule, read here by fct_agent_daily
    cast(assignee_at_solve_id as bigint) as attributed_agent_id,
    -- a ticket older than the loaded history: its first reply may precede the events loaded
    cast(case when timing_source = 'events' then first_responder_id end as bigint) as first_responder_agent_id,
    cast(customer_id as bigint) as customer_id,
    cast(customer_tier as varchar) as customer_tier,
    cast(response_level as varchar) as response_level,
    cast(category as varchar) as category,
    cast(status as varchar) as status,
    cast(exclusion_reason is not null as boolean) as is_excluded,
    cast(exclusion_reason as varchar) as exclusion_reason,
    cast(is_complaint as boolean) as is_complaint,
    cast(timing_source as varchar) as timing_source,
    cast(first_assigned_at as timestamp) as first_assigned_at,
    cast(first_reply_at as timestamp) as first_reply_at,
    cast(first_solved_at as timestamp) as first_solved_at,
    cast(escalated_at as timestamp) as escalated_at,
    cast(first_response_seconds as bigint) as first_response_seconds,
    cast(first_response_target_seconds as bigint) as first_response_target_seconds,
    cast(first_response_seconds <= first_response_target_seconds as boolean) as is_first_response_within_target,
    cast(solved_at as timestamp) as solved_at,
    -- business time (int_zendesk__ticket_business_hours): the same moments, counted only while the
    -- ticket's schedule is open; null when no schedule applies or the calendar value is quarantined
    cast(schedule_key as varchar) as schedule_key,
    cast(case when first_response_seconds is not null then business_first_response_seconds end as bigint)
        as business_first_response_seconds,
    cast(case when resolution_seconds >= 0 then business_resolution_seconds end as bigint)
        as business_resolution_seconds,
    cast(requester_wait_seconds as bigint) as requester_wait_seconds,
    cast(business_requester_wait_seconds as bigint) as business_requester_wait_seconds,
    cast(agent_wait_seconds as bigint) as agent_wait_seconds,
    cast(business_agent_wait_seconds as bigint) as business_agent_wait_seconds,
    cast(handle_seconds as bigint) as handle_seconds,
    cast(talk_seconds as bigint) as talk_seconds,
    cast(public_agent_replies as bigint) as public_agent_replies,
    cast(reopen_count as bigint) as reopen_count,
    -- Resolved: a solve or close event, the ticket's current status, or a known solve time (a
    -- ticket older than the loaded history, first resolved by Zendesk's metrics, then reopened).
    -- Tickets whose audits predate the history start, imports and follow-ups can be closed with no
    -- solve event loaded.
    cast(
        first_solved_at is not null or first_closed_at is not null or status in ('solved', 'closed')
        or solved_at is not null
        as boolean
    ) as is_solved,
    cast(first_solved_at is not null and reopen_count > 0 as boolean) as is_reopened,
    cast(escalated_at is not null as boolean) as is_escalated,
    -- FCR: solved with exactly one contact, never
    -- reopened, never escalated. It needs the solve event itself, not only a solved or closed
    -- status: without the ticket's status audits a reopen (solved -> open) cannot be seen, so
    -- "never reopened" is unknown and the ticket is not claimed as one-touch. It still counts as
    -- resolved. The same holds for a ticket created before the first loaded day: its earlier
    -- replies and reopens are not in the events loaded.
    cast(
        first_solved_at is not null
        and timing_source = 'events'
        and reopen_count = 0
        and escalated_at is null
        -- one contact: one public agent reply, or in a real-time channel one reply session
        and (
            case
                when channel in ({{ sql_list(var('realtime_channels')) }}) then agent_reply_sessions
                else public_agent_replies
            end
        ) = 1
        as boolean
    ) as is_one_touch_resolved,
    -- with no known solve time (closed by status only) a complaint is not known to be resolved in 24 h
    cast(
        is_complaint and age_seconds_at_horizon >= {{ var('complaint_escalation_hours') * 3600 }}
        and (solved_at is null or resolution_seconds > {{ var('complaint_escalation_hours') * 3600 }})
        as boolean
    ) as is_complaint_unresolved_at_24h,
    cast(
        is_complaint and age_seconds_at_horizon >= {{ var('complaint_escalation_hours') * 3600 }}
        and (solved_at is null or resolution_seconds > {{ var('complaint_escalation_hours') * 3600 }})
        and escalated_at is not null and escalation_seconds <= {{ var('complaint_escalation_hours') * 3600 }}
        as boolean
    ) as is_complaint_escalated_by_24h,
    cast(
        is_complaint
        and (
            (first_reply_at is not null and first_response_seconds <= {{ var('complaint_feedback_hours') * 3600 }})
            or (solved_at is not null and resolution_seconds <= {{ var('complaint_feedback_hours') * 3600 }})
        )
        as boolean
    ) as is_complaint_answered_within_48h,
    cast(is_handle_quarantined as boolean) as is_handle_quarantined,
    cast(is_first_response_quarantined as boolean) as is_first_response_quarantined,
    cast(
        nullif(
            concat_ws(
                ', ',
                case when is_handle_quarantined then 'negative handle time' end,
                case when is_first_response_quarantined then 'negative first response time' end
            ),
            ''
        ) as varchar
    ) as quarantine_reasons,
    -- Maturity (kpi-definitions.md): a KPI's clock has run out for a ticket when the ticket is at
    -- least the KPI's window old at the data's horizon (age_seconds_at_horizon, as for complaints at
    -- 24 h). Until then its outcome is not known: the KPI counts it in neither numerator nor
    -- denominator (the parts count it as immature). Null: the KPI does not apply to the ticket.
    -- FCR's window is the reopen window: a solved ticket can still be reopened until it closes.
    cast(age_seconds_at_horizon >= {{ var('fcr_reopen_window_hours') * 3600 }} as boolean) as is_fcr_mature,
    -- FRT attainment's clock is the ticket's own target: answered (the outcome is known) or older
    -- than its target; an unanswered ticket younger than its target has not missed it yet
    cast(
        case
            when first_response_target_seconds is not null
                then first_reply_at is not null or age_seconds_at_horizon >= first_response_target_seconds
        end
        as boolean
    ) as is_first_response_target_mature,
    cast(
        case when is_complaint then age_seconds_at_horizon >= {{ var('complaint_escalation_hours') * 3600 }} end
        as boolean
    ) as is_complaint_24h_mature,
    cast(
        case when is_complaint then age_seconds_at_horizon >= {{ var('complaint_feedback_hours') * 3600 }} end
        as boolean
    ) as is_complaint_48h_mature,
    -- The response level's escalation (L2, L3) and resolution targets (response_level_targets.csv)
    cast(escalation_target_seconds as bigint) as escalation_target_seconds,
    cast(resolution_target_seconds as bigint) as resolution_target_seconds,
    cast(
        case when escalation_target_seconds is not null then age_seconds_at_horizon >= escalation_target_seconds end
        as boolean
    ) as is_escalation_sla_mature,
    cast(
        case when resolution_target_seconds is not null then age_seconds_at_horizon >= resolution_target_seconds end
        as boolean
    ) as is_resolution_sla_mature,
    -- Needs escalation: an L2/L3 ticket whose escalation time ran out before it was resolved (one
    -- resolved within it needed no hand-over; with no known solve time it is not known resolved).
    cast(
        coalesce(
            age_seconds_at_horizon >= escalation_target_seconds
            and (solved_at is null or resolution_seconds > escalation_target_seconds),
            false
        ) as boolean
    ) as is_escalation_needed,
    cast(
        coalesce(
            age_seconds_at_horizon >= escalation_target_seconds
            and (solved_at is null or resolution_seconds > escalation_target_seconds)
            and escalation_seconds <= escalation_target_seconds,
            false
        ) as boolean
    ) as is_escalated_within_target,
    -- resolved within the level's resolution time; a solve with no known time is not known in time
    cast(
        coalesce(
            age_seconds_at_horizon >= resolution_target_seconds and resolution_seconds <= resolution_target_seconds,
            false
        ) as boolean
    ) as is_resolved_within_target,
    -- the newest raw load this row's build had seen (macros/late_activity.sql)
    cast(raw_loaded_through as timestamp) as raw_loaded_through
from quarantined
