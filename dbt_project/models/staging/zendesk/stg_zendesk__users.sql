-- Agents. A user tagged "bot" (auto-replies, answer bots) is flagged so its replies never count.
select
    id as user_id,
    _record ->> 'role' as role,
    -- staff data: read only by staff.dim_agent (bi_manager), never by a mart
    agent_name,
    cast(_record ->> 'active' as boolean) as is_active,
    cast(_record ->> 'default_group_id' as bigint) as default_group_id,
    coalesce(cast(_record -> 'tags' as varchar) like '%"bot"%', false) as is_bot,
    updated_at
from {{ source('zendesk', 'users') }}
