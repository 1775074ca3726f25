{{ config(tags=['dimension']) }}
-- Agents with their names: staff data, in the schema `staff`, which only the bi_manager role reads
-- (docs/bi.md). The marts (fct_agent_daily, fct_tickets) carry agent ids only; join on agent_id.
-- Bots are left out: their replies never count, so no KPI is attributed to them.
select
    cast(u.user_id as bigint) as agent_id,
    cast(coalesce(u.agent_name, 'agent ' || cast(u.user_id as varchar)) as varchar) as agent_name,
    cast(u.role as varchar) as role,
    cast(coalesce(u.is_active, false) as boolean) as is_active,
    cast(g.group_name as varchar) as default_group_name
from {{ ref('stg_zendesk__users') }} as u
left join {{ ref('stg_zendesk__groups') }} as g on g.group_id = u.default_group_id
where not u.is_bot
