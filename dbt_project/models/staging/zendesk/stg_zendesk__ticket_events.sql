-- One row per audit child event. No deduplication here, because raw holds one row per event id
-- already: an event's partition day comes from its creation time, which never changes, and every
-- load replaces its days whole after keeping one row per id (ingestion/loader.py). A page-boundary
-- repeat or a second delivery in a later run therefore replaces the first copy instead of adding
-- one. The unique test on event_id guards that. Without a window over every event, a filter on
-- created_at reaches the raw scan, and builds read narrow typed columns, never the JSON records.
select
    id as event_id,
    audit_id,
    ticket_id,
    created_at,
    updater_id,
    event_type,
    field_name,
    value as new_value,
    previous_value,
    public as is_public,
    author_id,
    via_channel,
    call_duration as call_duration_seconds
from {{ source('zendesk', 'ticket_events') }}
