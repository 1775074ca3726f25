-- Every group id a stored ticket version points to (the loader's typed column, a narrow scan);
-- with var ticket_team_as_of creation, also the groups creation audits set. dim_team gives each a
-- row, so every ticket's team is one, even a group neither the list nor a fetch by id knows.
select distinct group_id from {{ source('zendesk', 'tickets') }} where group_id is not null
{%- if var('ticket_team_as_of') == 'creation' %}
union
select {{ safe_bigint('value') }}
from {{ source('zendesk', 'ticket_events') }}
where event_type = 'Create' and field_name = 'group_id' and {{ safe_bigint('value') }} is not null
{%- endif %}
