-- Zendesk's own metrics per ticket (the metric_sets sideload), newest set per ticket. Raw keeps
-- one already (upsert by ticket_id); the window guards against a repeated delivery of equal age.
with ranked as (
    select
        *,
        row_number() over (partition by ticket_id order by updated_at desc, _loaded_at desc) as version_rank
    from {{ source('zendesk', 'ticket_metrics') }}
)

select
    ticket_id,
    id as metric_set_id,
    updated_at,
    reply_time_calendar_minutes,
    reply_time_business_minutes,
    first_resolution_calendar_minutes,
    first_resolution_business_minutes,
    full_resolution_calendar_minutes,
    full_resolution_business_minutes,
    reopens,
    replies,
    assigned_at,
    initially_assigned_at,
    solved_at
from ranked
where version_rank = 1
