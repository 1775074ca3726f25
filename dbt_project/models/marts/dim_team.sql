{{ config(tags=['dimension']) }}
-- Teams are Zendesk groups; tickets with no group belong to "unassigned".
select
    cast(group_name as varchar) as team,
    cast(group_id as bigint) as group_id,
    cast(group_name in ({% for g in var('escalation_group_names') %}'{{ g }}'{% if not loop.last %}, {% endif %}{% endfor %}) as boolean)
        as is_escalation_team,
    cast(is_deleted as boolean) as is_deleted
from {{ ref('stg_zendesk__groups') }}
union all
select
    cast('unassigned' as varchar),
    cast(null as bigint),
    cast(false as boolean),
    cast(false as boolean)
