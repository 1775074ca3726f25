-- The account's SLA targets: one row per policy, priority and metric (a policy without targets
-- measures nothing and is left out). Raw is replaced on every load, one row per key.
select
    policy_id,
    title as policy_title,
    policy_position,
    priority,
    metric,
    target_minutes,
    coalesce(business_hours, false) as is_in_business_hours,
    updated_at
from {{ source('zendesk', 'sla_policies') }}
where metric is not null
