{{ config(tags=['dimension']) }}
-- Teams are Zendesk groups, deleted ones included (fetched by id when tickets point to them);
-- tickets with no group belong to "unassigned". A group that tickets point to but that is known
-- neither from the list nor by id (a 404) is "deleted group <id>" (macro team_label), so every
-- ticket's team is a row here.
with groups as (
    select
        group_id,
        group_name,
        coalesce(is_deleted, false) as is_deleted,
        count(*) over (partition by group_name) as same_name
    from {{ ref('stg_zendesk__groups') }}
),

referenced as (
    select group_id from {{ ref('stg_zendesk__referenced_groups') }}
)

select
    -- a deleted group whose name a newer group took keeps its id in the label, so teams stay unique
    cast(
        case
            when is_deleted and same_name > 1 then group_name || ' (deleted group ' || cast(group_id as varchar) || ')'
            else group_name
        end as varchar
    ) as team,
    cast(group_id as bigint) as group_id,
    cast(group_name in ({{ sql_list(var('escalation_group_names')) }}) as boolean)
        as is_escalation_team,
    cast(is_deleted as boolean) as is_deleted
from groups
union all
select
    cast({{ team_label('r.group_id', 'null') }} as varchar),
    cast(r.group_id as bigint),
    cast(false as boolean),
    cast(true as boolean)
from referenced as r
where not exists (select 1 from groups as g where g.group_id = r.group_id)
union all
select
    cast('unassigned' as varchar),
    cast(null as bigint),
    cast(false as boolean),
    cast(false as boolean)
