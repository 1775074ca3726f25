-- The latest version of every ticket: a ticket appears once per partition day it was updated in.
-- A ticket's creation time never changes; partitioning by it as well lets a filter on created_at
-- reach the raw scan instead of deduplicating every version in history. The loader has typed every
-- field read here, so the deduplication sorts narrow rows, never the JSON records.
with versions as (
    select
        id,
        created_at,
        updated_at,
        status,
        priority,
        type,
        via_channel,
        group_id,
        assignee_id,
        requester_id,
        custom_fields,
        tags,
        _partition_date,
        row_number() over (partition by id, created_at order by updated_at desc, _loaded_at desc) as version_rank
    from {{ source('zendesk', 'tickets') }}
),

channels as (
    select source_value, channel from {{ ref('channel_mapping') }} where source_system = 'zendesk'
),

-- custom_fields is {"<field id>": value}; the configured fields' ids are resolved once (one row)
configured as (
    select response_level_field_id, category_field_id from {{ ref('stg_zendesk__configured_fields') }}
)

select
    id as ticket_id,
    created_at,
    updated_at,
    status,
    priority,
    type as ticket_type,
    versions.via_channel,
    -- an unknown source value maps to "other", never dropped
    coalesce(channels.channel, 'other') as channel,
    group_id,
    assignee_id,
    requester_id,
    -- a dropdown's value is its option tag; the level is that tag, lower-case (response_level_order)
    lower(custom_fields ->> configured.response_level_field_id) as response_level,
    custom_fields ->> configured.category_field_id as category,
    cast(tags as varchar) as tags_json,
    _partition_date as loaded_partition_date
from versions
left join channels on channels.source_value = versions.via_channel
cross join configured
where versions.version_rank = 1
