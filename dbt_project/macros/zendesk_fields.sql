{#
  The id (as a string) of the ticket field a var names, by id or by title: an id match first,
  then an active field whose title (or raw_title) equals the setting, lowest id first. An all-digit
  setting that matches no loaded field is taken as the id itself, so an id works before the
  ticket_fields stream has loaded. Reads the CTE `fields` (stg_zendesk__ticket_fields).
#}
{% macro configured_field_id(setting) -%}
    {%- set s = (setting | string | trim) -%}
    {%- set q = s | replace("'", "''") -%}
    coalesce(
        (select cast(min(field_id) as varchar) from fields where cast(field_id as varchar) = '{{ q }}'),
        (select cast(min(field_id) as varchar) from fields where is_active and (title = '{{ q }}' or raw_title = '{{ q }}')),
        (select cast(min(field_id) as varchar) from fields where title = '{{ q }}' or raw_title = '{{ q }}'),
        {% if s.isdigit() %}'{{ q }}'{% else %}cast(null as varchar){% endif %}
    )
{%- endmacro %}

{#
  Rank of a response level in the configured order (var response_level_order, lowest first);
  null for a value the order does not list. Levels are the dropdown's tags, compared lower-case.
#}
{% macro response_level_rank(expr) -%}
    case lower({{ expr }})
        {%- for level in var('response_level_order') %} when '{{ level | lower }}' then {{ loop.index }}{% endfor %}
    end
{%- endmacro %}

{#
  True when a response-level change raises the level. A level set for the first time (no previous
  value) is a raise from the lowest level only when var response_level_first_set_is_escalation is
  true; an unlisted value on either side is never a raise.
#}
{% macro is_response_level_raise(previous_value, new_value) -%}
    coalesce(
        case
            when {{ previous_value }} is null then
                {% if var('response_level_first_set_is_escalation') %}{{ response_level_rank(new_value) }} > 1{% else %}false{% endif %}
            else {{ response_level_rank(new_value) }} > {{ response_level_rank(previous_value) }}
        end,
        false
    )
{%- endmacro %}

{#
  A ticket's team: its group's name; "unassigned" only without a group; a group known neither
  from the list nor by id (a 404) is "deleted group <id>", never "unassigned".
#}
{% macro team_label(group_id, team) -%}
    case
        when {{ group_id }} is null then 'unassigned'
        else coalesce({{ team }}, 'deleted group ' || cast({{ group_id }} as varchar))
    end
{%- endmacro %}

{# A reply (kpi-definitions.md): a public comment or call by an agent; trigger auto-replies and answer
   bots are not. `agent_user_id` is the joined non-bot agent's id (null when the author is no agent). #}
{% macro is_agent_reply(event, agent_user_id) -%}
    (
        {{ event }}.event_type in ('Comment', 'VoiceComment')
        and {{ event }}.is_public
        and coalesce({{ event }}.via_channel, '') not in ('rule', 'answer_bot')
        and {{ agent_user_id }} is not null
    )
{%- endmacro %}
