-- Companies: the newest version of each in raw, less the archived ones.
with versions as (
    select
        id,
        updated_at,
        archived,
        _record,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc) as version_rank
    from {{ source('hubspot', 'companies') }}
)

select
    id as company_id,
    {{ hubspot_property('name') }} as company_name,
    {{ hubspot_property('industry') }} as industry,
    coalesce(lower({{ blank_to_null(hubspot_property('region')) }}), 'unknown') as region,
    updated_at
from versions
where version_rank = 1 and not archived
