-- Benchmark floor: the additive parts of marts.fct_kpi_daily (local day x channel x team x
-- customer tier) as a full refresh, in one DuckDB statement straight from the raw tables. It
-- follows staging -> int_zendesk__ticket_lifecycle / int_surveys__responses -> fct_tickets /
-- fct_survey_responses -> fct_kpi_daily, with the same dedup, exclusions and KPI parts.
--
-- A Jinja template (bench/floor.py renders it): every setting it reads comes from its one home,
-- as the models read it, so the floor cannot drift from them:
--   var(...)       dbt_project.yml's vars, as dbt renders them (reporting_timezone and history_start
--                  from the environment ingestion/settings.py gives every dbt invocation):
--                  reporting_timezone, complaint_tags, complaint_ticket_types, complaint_categories,
--                  complaint_escalation_hours, complaint_feedback_hours, fcr_reopen_window_hours,
--                  spam_tags, test_tags, merged_tags, escalation_group_names, realtime_channels,
--                  fcr_session_gap_minutes, zendesk_response_level_field, zendesk_category_field
--                  (field ids: the floor does not resolve titles), response_level_order,
--                  response_level_first_set_is_escalation
--   {{ seeds }}    the absolute path of dbt_project/seeds: the channel mapping and the
--                  response-level targets are the CSVs dbt loads
-- The channel taxonomy ('phone' ... 'other') is kpi-definitions.md's fixed list, as in
-- marts/dim_channel.sql: a definition, not a setting.
--
-- Every dedup keeps the rowid of the newest row per key (arg_max), then only those rows:
-- the same rows as dbt's row_number() = 1, cheaper than a window over whole rows. Tickets and
-- events are read from the loader's typed columns, as dbt reads them; where JSON is still parsed
-- (contacts, users, groups), json_extract_string with a list of paths parses `_record` once and
-- gives, path by path, the same text as dbt's `->>`.
with
channel_mapping as (
    select source_system, source_value, channel
    -- the seed's columns given, so nothing is sniffed
    from read_csv(
        '{{ seeds }}/channel_mapping.csv', header = true, auto_detect = false, delim = ',', quote = '"',
        columns = {'source_system': 'varchar', 'source_value': 'varchar', 'channel': 'varchar'}
    )
),

zendesk_channels as (
    select source_value, channel from channel_mapping where source_system = 'zendesk'
),

-- int_surveys__responses' channel_from_response, already put in the taxonomy (dim_channel)
survey_channels as (
    select
        source_value,
        case
            when channel in ('phone', 'chat', 'app', 'wechat', 'social', 'email', 'web_form', 'other') then channel
            else 'other'
        end as channel
    from channel_mapping
    where source_system = 'survey'
),

response_targets as (
    select
        response_level,
        channel,
        cast(first_response_seconds as bigint) as first_response_target_seconds,
        cast(escalation_seconds as bigint) as escalation_target_seconds,
        cast(resolution_seconds as bigint) as resolution_target_seconds
    from read_csv(
        '{{ seeds }}/response_level_targets.csv', header = true, auto_detect = false, delim = ',', quote = '"',
        columns = {
            'response_level': 'varchar', 'channel': 'varchar', 'first_response_seconds': 'varchar',
            'escalation_seconds': 'varchar', 'resolution_seconds': 'varchar'
        }
    )
),

-- stg_zendesk__tickets: the newest version of each ticket (by updated_at, then load time).
tickets as (
    select
        t.id as ticket_id,
        t.created_at,
        t.status,
        -- the mapped channel: response targets are looked up by it (an unknown value is "other")
        coalesce(zc.channel, 'other') as channel,
        t.group_id,
        t.requester_id,
        lower(t.custom_fields ->> '{{ var("zendesk_response_level_field") }}') as response_level,
        t.custom_fields ->> '{{ var("zendesk_category_field") }}' as category,
        t.type as ticket_type,
        -- tags are matched with LIKE on the JSON text, as macros/tags.sql does
        cast(t.tags as varchar) as tags_json,
        -- excluded: spam, deleted, test, merged (macros/tags.sql's ticket_exclusion_reason is not null)
        coalesce(
            t.status = 'deleted'
            or {{ has_any_tag('cast(t.tags as varchar)', var('spam_tags') + var('test_tags') + var('merged_tags')) }},
            false
        ) as is_excluded_ticket
    from raw.zendesk__tickets as t
    left join zendesk_channels as zc on zc.source_value = t.via_channel
    where t.rowid in (select arg_max(rowid, (updated_at, _loaded_at)) from raw.zendesk__tickets group by id)
),

-- stg_zendesk__ticket_events: raw holds one row per event id already (see that model). Not
-- materialized: it streams into the one aggregation below.
events as (
    select
        ticket_id,
        created_at,
        event_type,
        field_name,
        value as new_value,
        previous_value,
        public as is_public,
        author_id,
        via_channel,
        call_duration as call_duration_seconds
    from raw.zendesk__ticket_events
),

-- int_zendesk__ticket_lifecycle's event facts, in one pass over the events grouped by ticket.
event_facts as (
    select
        ticket_id,
        -- for the horizon: every deduplicated event counts, also one of an unknown ticket or
        -- dated before its ticket
        max(created_at) as newest_event_at,
        min(created_at) filter (is_assignment) as first_assigned_at,
        min(created_at) filter (is_agent_reply) as first_reply_at,
        count(*) filter (is_agent_reply) as public_agent_replies,
        -- the lifecycle's reply sessions: replies more than fcr_session_gap_minutes apart
        list(created_at order by created_at) filter (is_agent_reply) as agent_reply_times,
        sum(call_duration_seconds) filter (is_call) as talk_seconds,
        min(created_at) filter (is_status_change and new_value = 'solved') as first_solved_at,
        min(created_at) filter (is_status_change and new_value = 'closed') as first_closed_at,
        count(*) filter (
            is_status_change and previous_value = 'solved' and new_value in ('new', 'open', 'pending', 'hold')
        ) as reopen_count,
        min(lower(new_value)) filter (is_initial_level) as initial_response_level,
        min(created_at) filter (is_escalation) as escalated_at,
        -- the creation audit was loaded: the ticket's history is read from its creation on
        coalesce(bool_or(is_creation_audit), false) as has_creation_audit
    from (
        select
            e.ticket_id,
            e.created_at,
            e.new_value,
            e.previous_value,
            e.call_duration_seconds,
            -- every other fact uses only the events of a known ticket dated at or after its
            -- creation (the rest are int_zendesk__ticket_events_rejected); NULL: unknown ticket
            e.created_at >= t.created_at as is_kept,
            is_kept and e.field_name = 'assignee_id' and e.new_value is not null as is_assignment,
            is_kept and e.event_type = 'Create' as is_creation_audit,
            -- a reply: a public comment or call by a user not tagged "bot", not sent by a
            -- trigger or an answer bot. users is a snapshot with one row per id, so this
            -- semi-join is dbt's inner join with the agents.
            is_kept
            and e.event_type in ('Comment', 'VoiceComment')
            and e.is_public
            and coalesce(e.via_channel, '') not in ('rule', 'answer_bot')
            and e.author_id in (
                select id from raw.zendesk__users
                where not coalesce(cast(_record -> 'tags' as varchar) like '%"bot"%', false)
            ) as is_agent_reply,
            is_kept and e.event_type = 'VoiceComment' as is_call,
            -- a status change of any event type, Create included
            is_kept and e.field_name = 'status' as is_status_change,
            is_kept and e.event_type = 'Create' and e.field_name = '{{ var("zendesk_response_level_field") }}' as is_initial_level,
            -- escalated: the response level raised in response_level_order (a first setting, with no
            -- previous value, only when response_level_first_set_is_escalation, from the lowest
            -- level), or a hand-over to an escalation group
            is_kept
            and e.event_type = 'Change'
            and (
                (
                    e.field_name = '{{ var("zendesk_response_level_field") }}'
                    and coalesce(
                        list_position([{{ levels }}], lower(e.new_value))
                        > {% if var('response_level_first_set_is_escalation') %}coalesce({% endif -%}
                        list_position([{{ levels }}], lower(e.previous_value))
                        {%- if var('response_level_first_set_is_escalation') %}, case when e.previous_value is null then 1 end){% endif %},
                        false
                    )
                )
                or (
                    e.field_name = 'group_id'
                    and e.new_value in (
                        select cast(id as varchar) from raw.zendesk__groups
                        where _record ->> 'name' in ({{ sql_list(var('escalation_group_names')) }})
                    )
                )
            ) as is_escalation
        from events as e
        left join tickets as t on t.ticket_id = e.ticket_id
    )
    group by ticket_id
),

-- Complaints are judged at the newest event in the data, not at the wall clock, so rebuilds
-- are identical.
horizon as (
    select max(newest_event_at) as as_of_at from event_facts
),

-- stg_hubspot__contacts / stg_hubspot__customer_links: each contact's newest version, archived
-- and merged-away ones left out; one contact per Zendesk user, the latest modified, then the
-- highest id (the default link mode: the contact's zendesk_user_id property).
contact_versions as (
    select
        id,
        arg_max(archived, (updated_at, _loaded_at)) as archived,
        arg_max(_record, (updated_at, _loaded_at)) as rec,
        max(updated_at) as updated_at
    from raw.hubspot__contacts
    group by id
),

merged_away as (
    select distinct try_cast(trim(m) as bigint) as id
    from (select unnest(string_split(rec ->> '$.properties.hs_merged_object_ids', ';')) as m
          from contact_versions where not archived)
),

customer_links as (
    select zendesk_user_id, arg_max(id, (updated_at, id)) as contact_id
    from (
        select id, updated_at, try_cast(trim(rec ->> '$.properties.zendesk_user_id') as bigint) as zendesk_user_id
        from contact_versions
        where not archived and id not in (select id from merged_away where id is not null)
    )
    where zendesk_user_id is not null
    group by zendesk_user_id
),

-- stg_hubspot__contact_tier_history: the tier of each live version (one per id and updated_at),
-- valid until the next version; the earliest also covers the time before it. A ticket takes its
-- contact's tier at its creation.
tier_history as (
    select
        id as contact_id,
        customer_tier,
        updated_at as valid_from,
        lead(updated_at) over (partition by id order by updated_at) as valid_to,
        row_number() over (partition by id order by updated_at) = 1 as is_earliest_version
    from (
        select
            id,
            updated_at,
            arg_max(
                coalesce(lower(nullif(trim(_record ->> '$.properties.customer_tier'), '')), 'unknown'), _loaded_at
            ) as customer_tier
        from raw.hubspot__contacts
        where not archived
        group by id, updated_at
    )
),

customers as (
    select t.ticket_id, th.customer_tier
    from tickets as t
    inner join customer_links as cl on cl.zendesk_user_id = t.requester_id
    inner join tier_history as th
        on th.contact_id = cl.contact_id
        and (t.created_at >= th.valid_from or th.is_earliest_version)
        and (th.valid_to is null or t.created_at < th.valid_to)
),

-- stg_zendesk__ticket_metrics: Zendesk's newest metric set per ticket.
ticket_metrics as (
    select
        ticket_id,
        arg_max(first_resolution_calendar_minutes, updated_at) as first_resolution_minutes,
        arg_max(reply_time_calendar_minutes, updated_at) as reply_minutes,
        arg_max(initially_assigned_at, updated_at) as initially_assigned_at,
        arg_max(reply_time_business_minutes, updated_at) as reply_business_minutes,
        arg_max(first_resolution_business_minutes, updated_at) as first_resolution_business_minutes
    from raw.zendesk__ticket_metrics
    group by ticket_id
),

-- dim_team: a team is the ticket's current group (a snapshot, one row per id).
teams as (
    select id as group_id, _record ->> 'name' as team from raw.zendesk__groups
),

-- Each ticket's slice, shared by the ticket facts and the surveys linked to the ticket.
ticket_slices as (
    select
        t.*,
        case
            when t.channel in ('phone', 'chat', 'app', 'wechat', 'social', 'email', 'web_form', 'other') then t.channel
            else 'other'
        end as kpi_channel,
        -- no group: unassigned; a group known neither from the list nor by id: its id
        case when t.group_id is null then 'unassigned' else coalesce(tm.team, 'deleted group ' || t.group_id) end
            as team,
        coalesce(cu.customer_tier, 'unknown') as customer_tier
    from tickets as t
    left join teams as tm on tm.group_id = t.group_id
    left join customers as cu on cu.ticket_id = t.ticket_id
),

-- int_business_hours__intervals: every schedule's opening intervals in UTC epoch seconds. Zendesk
-- schedules: weekly intervals (minutes since Sunday midnight) on each local day less holidays, the
-- Rails time zone name made IANA by the seed; team calendars: raw.calendar__business_days.
zendesk_time_zones as (
    select zendesk_time_zone, iana_time_zone
    from read_csv(
        '{{ seeds }}/zendesk_time_zones.csv', header = true, auto_detect = false, delim = ',', quote = '"',
        columns = {'zendesk_time_zone': 'varchar', 'iana_time_zone': 'varchar'}
    )
),

local_openings as (
    select
        'zendesk:' || s.id as schedule_key,
        coalesce(tz.iana_time_zone, case when s.time_zone like '%/%' then s.time_zone end) as time_zone,
        cast(d.day_ts as date) as local_date,
        i.start_time - (i.start_time // 1440) * 1440 as open_minute,
        i.end_time - (i.start_time // 1440) * 1440 as close_minute
    from raw.zendesk__schedules as s
    left join zendesk_time_zones as tz on tz.zendesk_time_zone = s.time_zone
    inner join raw.zendesk__schedule_intervals as i on i.schedule_id = s.id
    inner join generate_series(
        cast('{{ var("history_start") }}' as timestamp) - interval '366 days',
        -- var calendar_end's default, as the interval model and dim_date read it
        cast('2027-12-31' as timestamp),
        interval '1 day'
    ) as d (day_ts) on dayofweek(d.day_ts) = i.start_time // 1440
    where not exists (
        select 1 from raw.zendesk__schedule_holidays as h
        where h.schedule_id = s.id and cast(d.day_ts as date) between h.start_date and h.end_date
    )
    union all
    select 'team:' || team, time_zone, local_date, open_minute, close_minute from raw.calendar__business_days
),

business_intervals as (
    select
        schedule_key,
        epoch(timezone(time_zone, cast(local_date as timestamp) + to_minutes(open_minute))) as open_epoch,
        epoch(timezone(time_zone, cast(local_date as timestamp) + to_minutes(close_minute))) as close_epoch
    from local_openings
),

-- int_zendesk__ticket_business_hours' schedule: the one a trigger set last, else the team's
-- calendar, else the default (lowest id) Zendesk schedule
ticket_schedules as (
    select
        t.ticket_id,
        case
            when zs.id is not null then 'zendesk:' || zs.id
            when t.team in (select team from raw.calendar__business_days) then 'team:' || t.team
            else (select 'zendesk:' || min(id) from raw.zendesk__schedules)
        end as schedule_key
    from ticket_slices as t
    left join (
        select ticket_id, arg_max(value, (created_at, id)) as schedule_id
        from raw.zendesk__ticket_events
        where field_name = 'schedule_id' and value is not null
        group by ticket_id
    ) as ss on ss.ticket_id = t.ticket_id
    left join raw.zendesk__schedules as zs on cast(zs.id as varchar) = ss.schedule_id
),

-- fct_tickets: the moments and durations behind the ticket parts. Durations are differences of
-- epoch seconds cast to bigint, as macros/portable.sql's seconds_between.
ticket_facts as (
    select
        cast((t.created_at at time zone 'UTC') at time zone '{{ var("reporting_timezone") }}' as date) as kpi_date,
        t.kpi_channel as channel,
        t.team,
        t.customer_tier,
        t.is_excluded_ticket as is_excluded,
        -- a complaint tag, type or category (int_zendesk__ticket_lifecycle's is_complaint)
        (
            {{ has_any_tag('t.tags_json', var('complaint_tags')) }}
            {%- if var('complaint_ticket_types') %}
            or coalesce(t.ticket_type in ({{ sql_list(var('complaint_ticket_types')) }}), false)
            {%- endif %}
            {%- if var('complaint_categories') %}
            or coalesce(t.category in ({{ sql_list(var('complaint_categories')) }}), false)
            {%- endif %}
        ) as is_complaint,
        ef.first_solved_at,
        -- fct_tickets' timing_source: a ticket without its creation audit takes its moments from
        -- Zendesk's metrics (the events miss its early history). The aliases differ from event_facts'
        -- columns: DuckDB resolves a name to a column of the FROM before an alias of the same select.
        coalesce(ef.has_creation_audit, false) as is_timed_by_events,
        case when is_timed_by_events then ef.first_assigned_at else tm.initially_assigned_at end as timed_first_assigned_at,
        case
            when is_timed_by_events then ef.first_reply_at else t.created_at + to_minutes(tm.reply_minutes)
        end as timed_first_reply_at,
        -- the solve time: the first solve event, else (solved or closed by status, or not timed by
        -- the events) Zendesk's first resolution
        case
            when is_timed_by_events and ef.first_solved_at is not null then ef.first_solved_at
            when (not is_timed_by_events or t.status in ('solved', 'closed')) and tm.first_resolution_minutes is not null
                then t.created_at + to_minutes(tm.first_resolution_minutes)
            -- closed outright, never solved: the close resolved it
            when is_timed_by_events and ef.first_solved_at is null then ef.first_closed_at
        end as solved_at,
        ef.first_closed_at,
        ef.escalated_at,
        ef.talk_seconds,
        coalesce(ef.public_agent_replies, 0) as public_agent_replies,
        coalesce(len(list_filter(
            generate_series(1, len(ef.agent_reply_times)),
            lambda i: i = 1 or epoch(ef.agent_reply_times[i]) - epoch(ef.agent_reply_times[i - 1]) > {{ var('fcr_session_gap_minutes') * 60 }}
        )), 0) as agent_reply_sessions,
        coalesce(ef.reopen_count, 0) as reopen_count,
        t.status,
        tg.first_response_target_seconds,
        tg.escalation_target_seconds,
        tg.resolution_target_seconds,
        cast(epoch(timed_first_reply_at) - epoch(t.created_at) as bigint) as measured_first_response_seconds,
        -- AHT: from the first assignment (or creation) to the solve (DuckDB reads solved_at, the alias above)
        cast(epoch(solved_at) - epoch(coalesce(timed_first_assigned_at, t.created_at)) as bigint)
            as measured_handle_seconds,
        cast(epoch(solved_at) - epoch(t.created_at) as bigint) as resolution_seconds,
        cast(epoch(ef.escalated_at) - epoch(t.created_at) as bigint) as escalation_seconds,
        cast(epoch(h.as_of_at) - epoch(t.created_at) as bigint) as age_seconds_at_horizon,
        ts.schedule_key,
        tm.reply_business_minutes,
        tm.first_resolution_business_minutes,
        t.created_at
    from ticket_slices as t
    cross join horizon as h
    left join ticket_schedules as ts on ts.ticket_id = t.ticket_id
    left join event_facts as ef on ef.ticket_id = t.ticket_id
    left join ticket_metrics as tm on tm.ticket_id = t.ticket_id
    -- the target of the response level at creation (a later raise is an escalation), by the
    -- mapped channel
    left join response_targets as tg
        on tg.response_level = lower(coalesce(ef.initial_response_level, t.response_level, '{{ var("response_level_order")[0] | lower }}'))
        and tg.channel = t.channel
),

-- Business seconds of a span: its overlaps with the schedule's intervals, summed (no schedule: null).
-- Tickets timed by Zendesk's metrics take its business minutes, as their calendar moments do.
ticket_business as (
    select
        f.*,
        case
            when f.measured_first_response_seconds is null or f.measured_first_response_seconds < 0 then null
            when not f.is_timed_by_events then f.reply_business_minutes * 60
            when f.schedule_key is null then null
            else coalesce((
                select sum(least(epoch(f.timed_first_reply_at), i.close_epoch) - greatest(epoch(f.created_at), i.open_epoch))
                from business_intervals as i
                where i.schedule_key = f.schedule_key
                  and i.open_epoch < epoch(f.timed_first_reply_at) and i.close_epoch > epoch(f.created_at)
            ), 0)
        end as business_first_response_seconds,
        -- the precedence of solved_at: the solve event, else Zendesk's first resolution, else the close
        case
            when f.resolution_seconds is null or f.resolution_seconds < 0 then null
            when f.is_timed_by_events and f.first_solved_at is not null then
                case when f.schedule_key is not null then coalesce((
                select sum(least(epoch(f.first_solved_at), i.close_epoch) - greatest(epoch(f.created_at), i.open_epoch))
                from business_intervals as i
                where i.schedule_key = f.schedule_key
                  and i.open_epoch < epoch(f.first_solved_at) and i.close_epoch > epoch(f.created_at)
            ), 0) end
            when (not f.is_timed_by_events or f.status in ('solved', 'closed'))
                and f.first_resolution_business_minutes is not null
                then f.first_resolution_business_minutes * 60
            when f.is_timed_by_events and f.first_closed_at is not null and f.schedule_key is not null
                then coalesce((
                select sum(least(epoch(f.first_closed_at), i.close_epoch) - greatest(epoch(f.created_at), i.open_epoch))
                from business_intervals as i
                where i.schedule_key = f.schedule_key
                  and i.open_epoch < epoch(f.first_closed_at) and i.close_epoch > epoch(f.created_at)
            ), 0)
        end as business_resolution_seconds
    from ticket_facts as f
),

-- Quarantine: a negative duration is left out of its KPI and counted.
ticket_durations as (
    select
        *,
        case when measured_first_response_seconds >= 0 then measured_first_response_seconds end
            as first_response_seconds,
        case when measured_handle_seconds >= 0 then measured_handle_seconds end as handle_seconds,
        coalesce(measured_first_response_seconds < 0, false) as is_first_response_quarantined,
        coalesce(measured_handle_seconds < 0, false) as is_handle_quarantined
    from ticket_business
),

-- kpi_ticket_parts(); count(x) counts the tickets where x is not null.
ticket_days as (
    select
        kpi_date, channel, team, customer_tier,
        count(*) filter (not is_excluded) as tickets_created,
        count(*) filter (is_excluded) as excluded_tickets,
        count(first_response_seconds) filter (not is_excluded) as tickets_with_first_reply,
        sum(first_response_seconds) filter (not is_excluded) as first_response_seconds_sum,
        -- answered, or older than the target (an unanswered younger ticket has not missed it yet)
        count(first_response_target_seconds) filter (
            not is_excluded and not is_first_response_quarantined
            and (first_response_seconds is not null or age_seconds_at_horizon >= first_response_target_seconds)
        ) as tickets_with_response_target,
        -- a target with no reply is missed
        count(*) filter (not is_excluded and first_response_seconds <= first_response_target_seconds)
            as tickets_responded_within_target,
        -- solved or closed by an event or by the current status
        count(*) filter (
            not is_excluded
            and (
                first_solved_at is not null or first_closed_at is not null or status in ('solved', 'closed')
                or solved_at is not null
            )
        ) as solved_tickets,
        count(handle_seconds) filter (not is_excluded) as handled_tickets,
        sum(handle_seconds) filter (not is_excluded) as handle_seconds_sum,
        count(talk_seconds) filter (not is_excluded) as tickets_with_calls,
        sum(talk_seconds) filter (not is_excluded) as talk_seconds_sum,
        -- FCR: solved with exactly one contact (a reply; in a real-time channel a reply session),
        -- never reopened, never escalated
        count(*) filter (
            not is_excluded
            and is_fcr_mature
            and first_solved_at is not null
            and is_timed_by_events
            and reopen_count = 0
            and escalated_at is null
            and (
                case when channel in ({{ sql_list(var('realtime_channels')) }}) then agent_reply_sessions
                else public_agent_replies end
            ) = 1
        ) as one_touch_resolved_tickets,
        count(*) filter (not is_excluded and first_solved_at is not null and reopen_count > 0) as reopened_tickets,
        count(escalated_at) filter (not is_excluded) as escalated_tickets,
        count(*) filter (not is_excluded and is_complaint) as complaint_tickets,
        count(*) filter (not is_excluded and is_unresolved_at_24h) as complaints_unresolved_at_24h,
        count(*) filter (not is_excluded and is_unresolved_at_24h and escalation_seconds <= {{ escalation_seconds }})
            as complaints_escalated_by_24h,
        -- a public reply or a solve within 48 h of creation, of complaints 48 h old at the horizon
        count(*) filter (
            not is_excluded and is_complaint and age_seconds_at_horizon >= {{ feedback_seconds }}
            and (first_response_seconds <= {{ feedback_seconds }} or resolution_seconds <= {{ feedback_seconds }})
        ) as complaints_answered_within_48h,
        count(*) filter (not is_excluded and is_handle_quarantined) as quarantined_handle_tickets,
        count(*) filter (not is_excluded and is_first_response_quarantined) as quarantined_first_response_tickets,
        -- the FRT mean's weighted target: replied tickets with a response-level target, and their targets
        count(first_response_target_seconds) filter (not is_excluded and first_response_seconds is not null)
            as tickets_with_first_reply_and_target,
        sum(first_response_target_seconds) filter (not is_excluded and first_response_seconds is not null)
            as first_response_target_seconds_sum,
        -- maturity: a KPI counts a ticket once the ticket is its window old at the horizon
        count(*) filter (not is_excluded and is_fcr_mature) as fcr_tickets,
        count(*) filter (not is_excluded and not is_fcr_mature) as fcr_immature_tickets,
        count(*) filter (not is_excluded and is_complaint and age_seconds_at_horizon < {{ escalation_seconds }})
            as complaints_immature_at_24h,
        count(*) filter (not is_excluded and is_complaint and age_seconds_at_horizon >= {{ feedback_seconds }})
            as complaints_due_feedback,
        count(*) filter (not is_excluded and is_complaint and age_seconds_at_horizon < {{ feedback_seconds }})
            as complaints_immature_at_48h,
        -- escalation SLA: L2/L3 (an escalation time) past it and not resolved within it
        count(*) filter (not is_excluded and is_escalation_needed) as tickets_needing_escalation,
        count(*) filter (not is_excluded and is_escalation_needed and escalation_seconds <= escalation_target_seconds)
            as tickets_escalated_within_target,
        count(*) filter (not is_excluded and age_seconds_at_horizon < escalation_target_seconds)
            as escalation_immature_tickets,
        -- resolution SLA: past the level's resolution time, resolved within it (a known solve time)
        count(*) filter (not is_excluded and age_seconds_at_horizon >= resolution_target_seconds)
            as tickets_due_resolution,
        count(*) filter (
            not is_excluded and age_seconds_at_horizon >= resolution_target_seconds
            and resolution_seconds <= resolution_target_seconds
        ) as tickets_resolved_within_target,
        count(*) filter (not is_excluded and age_seconds_at_horizon < resolution_target_seconds)
            as resolution_immature_tickets,
        count(*) filter (
            not is_excluded and not is_first_response_quarantined and first_response_seconds is null
            and age_seconds_at_horizon < first_response_target_seconds
        ) as frt_immature_tickets,
        count(business_first_response_seconds) filter (not is_excluded) as tickets_with_business_first_reply,
        sum(business_first_response_seconds) filter (not is_excluded) as business_first_response_seconds_sum,
        count(business_resolution_seconds) filter (not is_excluded) as tickets_with_business_resolution,
        sum(business_resolution_seconds) filter (not is_excluded) as business_resolution_seconds_sum
    from (
        select
            *,
            age_seconds_at_horizon >= {{ reopen_seconds }} as is_fcr_mature,
            age_seconds_at_horizon >= escalation_target_seconds
            and (solved_at is null or resolution_seconds > escalation_target_seconds) as is_escalation_needed,
            -- 24 h old at the horizon and not solved within 24 h (a close does not count)
            is_complaint
            and age_seconds_at_horizon >= {{ escalation_seconds }}
            and (solved_at is null or resolution_seconds > {{ escalation_seconds }}) as is_unresolved_at_24h
        from ticket_durations
    )
    group by all
),

-- stg_zendesk__csat_survey_responses: the newest version of each response, rated ones
zendesk_surveys as (
    select submitted_at, ticket_id, rating
    from raw.zendesk__csat_survey_responses
    where rowid in (
        select arg_max(rowid, (updated_at, _loaded_at)) from raw.zendesk__csat_survey_responses group by id
    )
    and rating is not null
),

-- stg_surveys__* and int_surveys__responses: the newest version of each response, its NPS
-- answer as a category on either scale.
survey_responses as (
    select
        submitted_at, ticket_id, channel as channel_reported,
        case when csat_scale = 'five_point' then csat_value end as overall_score, speed_score, accuracy_score,
        attitude_score, resolution_score,
        case
            when cast(nps_answer as integer) >= 9 then 'promoter'
            when cast(nps_answer as integer) >= 7 then 'passive'
            when cast(nps_answer as integer) >= 0 then 'detractor'
        end as nps_category,
        is_csat_positive
    from raw.surveys__api_responses
    -- the newest version of each response; one whose survey type feeds no KPI counts nowhere
    where rowid in (
        select arg_max(rowid, (updated_at, _loaded_at)) from raw.surveys__api_responses group by id
    ) and has_kpi_answer
    union all
    select
        submitted_at, ticket_id, channel as channel_reported,
        case when csat_scale = 'five_point' then csat_value end, speed_score, accuracy_score, attitude_score,
        resolution_score,
        case nps_scale
            when 'three_option' then
                case nps_answer when 'willing' then 'promoter' when 'unsure' then 'passive' when 'unwilling' then 'detractor' end
            when 'zero_to_ten' then
                case
                    when cast(nps_answer as integer) >= 9 then 'promoter'
                    when cast(nps_answer as integer) >= 7 then 'passive'
                    when cast(nps_answer as integer) >= 0 then 'detractor'
                end
        end as nps_category,
        is_csat_positive
    from raw.surveys__csv_responses
    -- a response seen at two times (an export dated by its file's day, dropped again) keeps its newest;
    -- one that answered no KPI question counts nowhere
    where rowid in (
        select arg_max(rowid, (submitted_at, _loaded_at)) from raw.surveys__csv_responses group by survey_tool, id
    ) and has_kpi_answer
    union all
    -- Zendesk's CSAT survey responses: the newest version of each, rated only (1-5)
    select submitted_at, ticket_id, null, rating, null, null, null, null, null, rating >= 4
    from zendesk_surveys
    union all
    -- Zendesk's satisfaction ratings: the newest version of each, answered (good / bad) only, and
    -- none for a ticket rated on the newer CSAT
    select
        updated_at, ticket_id, null, null, null, null, null, null, null, score = 'good'
    from raw.zendesk__satisfaction_ratings as r
    where rowid in (
        select arg_max(rowid, (updated_at, _loaded_at)) from raw.zendesk__satisfaction_ratings group by id
    )
    and score in ('good', 'bad')
    and not exists (select 1 from zendesk_surveys as s where s.ticket_id = r.ticket_id)
),

-- fct_survey_responses dated by submission. The slice is the linked ticket's; with no ticket, the
-- channel the response reports (unmapped or none: "other"), team "unassigned", tier "unknown".
survey_slices as (
    select
        r.*,
        cast((r.submitted_at at time zone 'UTC') at time zone '{{ var("reporting_timezone") }}' as date) as kpi_date,
        coalesce(t.kpi_channel, sc.channel, 'other') as channel,
        coalesce(t.team, 'unassigned') as team,
        coalesce(t.customer_tier, 'unknown') as customer_tier,
        coalesce(t.is_excluded_ticket, false) as is_about_excluded_ticket
    from survey_responses as r
    left join ticket_slices as t on t.ticket_id = r.ticket_id
    left join survey_channels as sc on sc.source_value = r.channel_reported
),

-- kpi_survey_parts(); a response about an excluded ticket counts in no survey part, only in
-- excluded_survey_days
survey_days as (
    select
        kpi_date,
        channel,
        team,
        customer_tier,
        count(*) as survey_responses,
        count(is_csat_positive) as csat_responses,
        count(*) filter (is_csat_positive) as csat_positive_responses,
        count(overall_score) as csat_scored_responses,
        sum(overall_score) as csat_score_sum,
        count(speed_score) as speed_score_responses,
        count(*) filter (speed_score >= 4) as speed_score_positive_responses,
        sum(speed_score) as speed_score_sum,
        count(accuracy_score) as accuracy_score_responses,
        count(*) filter (accuracy_score >= 4) as accuracy_score_positive_responses,
        sum(accuracy_score) as accuracy_score_sum,
        count(attitude_score) as attitude_score_responses,
        count(*) filter (attitude_score >= 4) as attitude_score_positive_responses,
        sum(attitude_score) as attitude_score_sum,
        count(resolution_score) as resolution_score_responses,
        count(*) filter (resolution_score >= 4) as resolution_score_positive_responses,
        sum(resolution_score) as resolution_score_sum,
        count(nps_category) as nps_responses,
        count(*) filter (nps_category = 'promoter') as nps_promoters,
        count(*) filter (nps_category = 'passive') as nps_passives,
        count(*) filter (nps_category = 'detractor') as nps_detractors
    from survey_slices
    where not is_about_excluded_ticket
    group by all
),

excluded_survey_days as (
    select kpi_date, channel, team, customer_tier, count(*) as excluded_survey_responses
    from survey_slices
    where is_about_excluded_ticket
    group by all
)

-- One row per slice with tickets or surveys; the other side's parts are 0 (a sum over no rows
-- is NULL, hence the coalesce), in the column order of fct_kpi_daily.
select
    kpi_date,
    channel,
    team,
    customer_tier,
    cast(coalesce(sum(columns(* exclude (kpi_date, channel, team, customer_tier))), 0) as bigint)
from (
    select * from ticket_days
    union all by name
    select * from survey_days
    union all by name
    select * from excluded_survey_days
)
group by all
