select
    id as group_id,
    _record ->> 'name' as group_name,
    cast(_record ->> 'deleted' as boolean) as is_deleted,
    updated_at
from {{ source('zendesk', 'groups') }}
