-- One row per ticket metric event. Raw holds one row per event id already (events never change:
-- keyed by id and time, added once), so there is no deduplication here, and a filter on
-- event_time reaches the raw scan. Builds read the typed columns, never the JSON records.
select
    id as metric_event_id,
    ticket_id,
    metric,
    instance_id,
    event_type,
    event_time,
    is_deleted,
    sla_target_minutes,
    sla_business_hours as is_sla_in_business_hours,
    sla_policy_id,
    sla_policy_title,
    status_calendar_minutes,
    status_business_minutes
from {{ source('zendesk', 'ticket_metric_events') }}
