-- Ticket fields (system and custom) as the account defines them: the configured response-level
-- and category fields are found here by title (stg_zendesk__configured_fields).
select
    id as field_id,
    _record ->> 'type' as field_type,
    _record ->> 'title' as title,
    _record ->> 'raw_title' as raw_title,
    coalesce(cast(_record ->> 'active' as boolean), true) as is_active,
    -- dropdown (tagger, multiselect) options: [{id, name, raw_name, value}], `value` being the tag
    -- that tickets and events carry
    cast(_record -> 'custom_field_options' as varchar) as options_json,
    updated_at
from {{ source('zendesk', 'ticket_fields') }}
