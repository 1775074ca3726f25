-- Each ticket's team and customer, the one join both facts use (fct_tickets, fct_survey_responses),
-- one row per ticket (unique test on ticket_id), from the latest version of every ticket.
--
-- A view: a fact selects only its own tickets from it. fct_tickets adds a plain bound on
-- created_at, which passes stg_zendesk__tickets' deduplication (partitioned by id and created_at)
-- down to the raw scan (checked with EXPLAIN on DuckDB; a `ticket_id in (...)` list alone does not
-- pass the window), so a daily run reads the window's tickets, not all history. Surveys answer
-- tickets of any age, so fct_survey_responses reads all tickets' latest versions once, as before.
--
-- Team: the ticket's current group (kpi-definitions.md), or with var ticket_team_as_of
-- 'creation' the group its creation audit set; a ticket whose creation audit was not loaded
-- (older than the loaded history) keeps its current group. Labels as dim_team (macro team_label).
--
-- Customer: the one contact stg_hubspot__customer_links gives the requester (of several, the
-- latest modified, then the highest contact id), so no ticket fans out. Its tier is the one valid
-- at the ticket's creation (stg_hubspot__contact_tier_history); a ticket created before the
-- contact's earliest known version takes that version's tier. No contact: tier 'unknown'.
{% set team_as_of = var('ticket_team_as_of') %}
{% if team_as_of not in ('current', 'creation') %}
    {{ exceptions.raise_compiler_error("var ticket_team_as_of must be current or creation, not " ~ team_as_of) }}
{% endif %}
with tickets as (
    select
        ticket_id, created_at, group_id, requester_id, channel,
        {{ ticket_exclusion_reason('status', 'tags_json') }} as exclusion_reason
    from {{ ref('stg_zendesk__tickets') }}
),

{% if team_as_of == 'creation' %}
-- the group the creation audit set (its Create event for group_id); no such event: no group then
creation_groups as (
    select
        ticket_id,
        max(case when field_name = 'group_id' then {{ safe_bigint('new_value') }} end) as group_id
    from {{ ref('stg_zendesk__ticket_events') }}
    where event_type = 'Create'
    group by ticket_id
),
{% endif %}

teams as (
    select
        t.ticket_id,
        t.created_at,
        t.requester_id,
        t.channel,
        t.exclusion_reason,
        {% if team_as_of == 'creation' -%}
        case when cg.ticket_id is not null then cg.group_id else t.group_id end as group_id
        {%- else -%}
        t.group_id
        {%- endif %}
    from tickets as t
    {% if team_as_of == 'creation' -%}
    left join creation_groups as cg on cg.ticket_id = t.ticket_id
    {%- endif %}
)

select
    t.ticket_id,
    t.created_at,
    t.group_id,
    {{ team_label('t.group_id', 'd.team') }} as team,
    t.requester_id,
    l.contact_id as customer_id,
    coalesce(h.customer_tier, 'unknown') as customer_tier,
    -- what fct_survey_responses also reads of the answered ticket, so it scans the tickets once
    t.channel,
    t.exclusion_reason
from teams as t
left join {{ ref('dim_team') }} as d on d.group_id = t.group_id
left join {{ ref('stg_hubspot__customer_links') }} as l on l.zendesk_user_id = t.requester_id
left join {{ ref('stg_hubspot__contact_tier_history') }} as h
    on h.contact_id = l.contact_id
    and (t.created_at >= h.valid_from or h.is_earliest_version)
    and (t.created_at < h.valid_to or h.valid_to is null)
