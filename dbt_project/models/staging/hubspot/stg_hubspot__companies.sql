select
    id as company_id,
    _record -> 'properties' ->> 'name' as company_name,
    _record -> 'properties' ->> 'industry' as industry,
    coalesce(nullif(lower(trim(_record -> 'properties' ->> 'region')), ''), 'unknown') as region,
    updated_at
from {{ source('hubspot', 'companies') }}
