{{ config(materialized='table', tags=['report']) }}
-- One row per ticket x SLA metric x instance: its target, and whether and when it was met or
-- breached (kpi-definitions.md, "SLA attainment").
--
-- Where the account has Zendesk SLA policies (or its tickets carry apply_sla events), Zendesk's
-- own ticket metric events are the truth: the newest apply_sla of an instance gives its policy and
-- target; a breach event (not deleted, and not later than the clocks' horizon) is a breach at its
-- time; a clock whose newest activate / pause / fulfill is a fulfill is fulfilled then. Zendesk
-- times the events in the policy's business hours where the target is set in them, so breaches in
-- business hours need no schedule here. The calendar time a clock ran (activate to pause or
-- fulfill, and to the horizon while running) is what `elapsed_seconds` and "at risk" read; a
-- target in business hours has no elapsed time here (the schedule is not modelled), so it is
-- never judged at risk.
-- Where the account has neither, the project's response-level targets are the policy: the first
-- reply and resolution outcomes of fct_tickets (FRT attainment, resolution SLA), read as they are
-- there, never recomputed otherwise.
-- A full rebuild: late events (a fulfil weeks after creation) change old rows.
with events as (
    select * from {{ ref('stg_zendesk__ticket_metric_events') }}
),

horizon as (
    select as_of_at from {{ ref('int_zendesk__data_horizon') }}
),

-- The clocks' horizon: the newest moment a metric event saw happen, or the data's if later. Breach
-- events are left out: they are dated when a target runs out, not when something happened.
sla_horizon as (
    select
        case
            when m.newest_event_at is not null and m.newest_event_at > h.as_of_at then m.newest_event_at
            else h.as_of_at
        end as as_of_at
    from horizon as h
    cross join (select max(event_time) as newest_event_at from events where event_type <> 'breach') as m
),

applied as (
    select
        ticket_id, metric, instance_id, sla_policy_id, sla_policy_title, sla_target_minutes,
        is_sla_in_business_hours, event_time as applied_at,
        row_number() over (
            partition by ticket_id, metric, instance_id order by event_time desc, metric_event_id desc
        ) as apply_rank
    from events
    where event_type = 'apply_sla'
),

breaches as (
    select e.ticket_id, e.metric, e.instance_id, min(e.event_time) as breached_at
    from events as e
    cross join sla_horizon as h
    where e.event_type = 'breach' and not coalesce(e.is_deleted, false) and e.event_time <= h.as_of_at
    group by e.ticket_id, e.metric, e.instance_id
),

clock_events as (
    select
        ticket_id, metric, instance_id, event_type, event_time,
        lead(event_time) over (
            partition by ticket_id, metric, instance_id order by event_time, metric_event_id
        ) as next_event_at,
        row_number() over (
            partition by ticket_id, metric, instance_id order by event_time desc, metric_event_id desc
        ) as newest_rank
    from events
    where event_type in ('activate', 'pause', 'fulfill')
),

clocks as (
    select
        c.ticket_id, c.metric, c.instance_id,
        max(case when c.newest_rank = 1 then c.event_type end) as clock_state,
        max(case when c.newest_rank = 1 then c.event_time end) as clock_state_at,
        sum(
            case
                when c.event_type = 'activate'
                    then {{ seconds_between('c.event_time', 'coalesce(c.next_event_at, h.as_of_at)') }}
                else 0
            end
        ) as running_seconds
    from clock_events as c
    cross join sla_horizon as h
    group by c.ticket_id, c.metric, c.instance_id
),

zendesk_outcomes as (
    select
        a.ticket_id,
        case
            when a.metric = 'reply_time' and a.instance_id = 1 then 'first_reply_time'
            when a.metric = 'reply_time' then 'next_reply_time'
            else a.metric
        end as sla_metric,
        a.instance_id,
        'zendesk_sla' as sla_source,
        a.sla_policy_id as policy_id,
        a.sla_policy_title as policy_title,
        cast(a.sla_target_minutes as bigint) * 60 as target_seconds,
        coalesce(a.is_sla_in_business_hours, false) as is_in_business_hours,
        a.applied_at,
        case when c.clock_state = 'fulfill' then c.clock_state_at end as fulfilled_at,
        b.breached_at,
        case when not coalesce(a.is_sla_in_business_hours, false) then c.running_seconds end as elapsed_seconds,
        coalesce(c.clock_state = 'activate', false) as is_running,
        b.breached_at is not null as is_breached,
        b.breached_at is null and coalesce(c.clock_state = 'fulfill', false) as is_met,
        b.breached_at is null and coalesce(c.clock_state <> 'fulfill', true) as is_open
    from applied as a
    left join clocks as c
        on c.ticket_id = a.ticket_id and c.metric = a.metric and c.instance_id = a.instance_id
    left join breaches as b
        on b.ticket_id = a.ticket_id and b.metric = a.metric and b.instance_id = a.instance_id
    where a.apply_rank = 1
),

-- Does the account use Zendesk SLAs at all? Any policy target or any apply_sla event says so.
account as (
    select
        (select count(*) from {{ ref('stg_zendesk__sla_policies') }}) + (select count(*) from applied)
            as zendesk_sla_rows
),

tickets as (
    select * from {{ ref('fct_tickets') }}
),

data_horizon as (
    select as_of_at from {{ ref('int_zendesk__data_horizon') }}
),

-- No Zendesk SLA: fct_tickets' response-level outcomes. First reply: met = replied within the
-- level's target (is_first_response_within_target), breached = its clock ran out
-- (is_first_response_target_mature) without that, open until then; a ticket quarantined for an
-- impossible first response is in neither (as in FRT attainment). Resolution: met =
-- is_resolved_within_target, breached = is_resolution_sla_mature without it, open until mature.
-- A breach is dated when the target ran out: creation + target.
fallback_outcomes as (
    select
        t.ticket_id,
        'first_reply_time' as sla_metric,
        1 as instance_id,
        'response_level_targets' as sla_source,
        cast(null as bigint) as policy_id,
        cast(null as varchar) as policy_title,
        t.first_response_target_seconds as target_seconds,
        false as is_in_business_hours,
        t.created_at as applied_at,
        t.first_reply_at as fulfilled_at,
        case
            when t.is_first_response_target_mature and not t.is_first_response_quarantined
                and not coalesce(t.is_first_response_within_target, false)
                then {{ dbt.dateadd('second', 't.first_response_target_seconds', 't.created_at') }}
        end as breached_at,
        case
            when t.first_reply_at is not null then t.first_response_seconds
            else {{ seconds_between('t.created_at', 'h.as_of_at') }}
        end as elapsed_seconds,
        t.first_reply_at is null as is_running,
        coalesce(t.is_first_response_target_mature and not t.is_first_response_quarantined
            and not coalesce(t.is_first_response_within_target, false), false) as is_breached,
        coalesce(t.is_first_response_within_target and not t.is_first_response_quarantined, false) as is_met,
        not coalesce(t.is_first_response_target_mature, false) and not t.is_first_response_quarantined as is_open
    from tickets as t
    cross join data_horizon as h
    cross join account as acc
    where acc.zendesk_sla_rows = 0 and t.first_response_target_seconds is not null

    union all

    select
        t.ticket_id,
        'resolution_time' as sla_metric,
        1 as instance_id,
        'response_level_targets' as sla_source,
        cast(null as bigint) as policy_id,
        cast(null as varchar) as policy_title,
        t.resolution_target_seconds as target_seconds,
        false as is_in_business_hours,
        t.created_at as applied_at,
        t.solved_at as fulfilled_at,
        case
            when t.is_resolution_sla_mature and not t.is_resolved_within_target
                then {{ dbt.dateadd('second', 't.resolution_target_seconds', 't.created_at') }}
        end as breached_at,
        case
            when t.solved_at is not null then {{ seconds_between('t.created_at', 't.solved_at') }}
            else {{ seconds_between('t.created_at', 'h.as_of_at') }}
        end as elapsed_seconds,
        t.solved_at is null as is_running,
        coalesce(t.is_resolution_sla_mature and not t.is_resolved_within_target, false) as is_breached,
        coalesce(t.is_resolved_within_target, false) as is_met,
        not coalesce(t.is_resolution_sla_mature, false) as is_open
    from tickets as t
    cross join data_horizon as h
    cross join account as acc
    where acc.zendesk_sla_rows = 0 and t.resolution_target_seconds is not null
),

outcomes as (
    select * from zendesk_outcomes
    union all
    select * from fallback_outcomes
),

priorities as (
    select ticket_id, priority from {{ ref('stg_zendesk__tickets') }}
)

select
    cast(o.ticket_id as bigint) as ticket_id,
    cast(o.sla_metric as varchar) as sla_metric,
    cast(o.instance_id as integer) as instance_id,
    cast(o.sla_source as varchar) as sla_source,
    cast(o.policy_id as bigint) as policy_id,
    cast(o.policy_title as varchar) as policy_title,
    -- the ticket's current priority (as Zendesk's own reporting), 'none' when it has none
    cast(coalesce(p.priority, 'none') as varchar) as priority,
    cast(coalesce(t.response_level, 'none') as varchar) as response_level,
    cast(coalesce(t.channel, 'other') as varchar) as channel,
    cast(coalesce(t.team, 'unassigned') as varchar) as team,
    -- the ticket's local creation day, as every ticket KPI (a ticket not in fct_tickets: its first SLA's day)
    cast(coalesce(t.created_date, {{ to_local_date('o.applied_at') }}) as date) as created_date,
    cast(coalesce(t.is_excluded, false) as boolean) as is_excluded,
    cast(o.target_seconds as bigint) as target_seconds,
    cast(o.is_in_business_hours as boolean) as is_in_business_hours,
    cast(o.applied_at as timestamp) as applied_at,
    -- an open, running calendar-time target: when it runs out if the clock keeps running
    cast(
        case
            when o.is_open and o.is_running and o.elapsed_seconds is not null
                then {{ dbt.dateadd('second', 'o.target_seconds - o.elapsed_seconds', 'h.as_of_at') }}
        end as timestamp
    ) as due_at,
    cast(o.fulfilled_at as timestamp) as fulfilled_at,
    cast(o.breached_at as timestamp) as breached_at,
    cast(o.elapsed_seconds as bigint) as elapsed_seconds,
    cast({{ safe_rate('o.elapsed_seconds', 'o.target_seconds') }} as double precision) as target_used_share,
    cast(o.is_met as boolean) as is_met,
    cast(o.is_breached as boolean) as is_breached,
    cast(o.is_open as boolean) as is_open,
    -- at risk: open, not fulfilled, and more than 80 % of a calendar-time target used
    cast(
        coalesce(o.is_open and o.fulfilled_at is null and o.elapsed_seconds * 10 > o.target_seconds * 8, false)
        as boolean
    ) as is_at_risk,
    cast(h.as_of_at as timestamp) as as_of_at
from outcomes as o
cross join sla_horizon as h
left join tickets as t on t.ticket_id = o.ticket_id
left join priorities as p on p.ticket_id = o.ticket_id
