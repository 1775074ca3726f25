-- One row per audit child event. The time-based export repeats events at page boundaries and the
-- same audit can land in two runs, so keep one row per event id. An event's time never changes;
-- partitioning by it as well lets a filter on created_at reach the raw scan, so a daily run
-- deduplicates its window, not the whole history.
with events as (
    select
        *,
        row_number() over (partition by id, created_at order by _loaded_at desc) as copy_rank
    from {{ source('zendesk', 'ticket_events') }}
)

select
    id as event_id,
    audit_id,
    ticket_id,
    created_at,
    updater_id,
    event_type,
    _record ->> 'field_name' as field_name,
    _record ->> 'value' as new_value,
    _record ->> 'previous_value' as previous_value,
    cast(_record ->> 'public' as boolean) as is_public,
    cast(_record ->> 'author_id' as bigint) as author_id,
    _record -> 'via' ->> 'channel' as via_channel,
    cast(_record -> 'data' ->> 'call_duration' as integer) as call_duration_seconds
from events
where copy_rank = 1
