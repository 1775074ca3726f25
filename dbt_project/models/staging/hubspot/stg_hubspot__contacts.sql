-- Customers: the newest version of each contact in raw (raw keeps every version), less the
-- archived ones and those merged into another. Email and phone come as keyed hashes of their
-- normalised form, computed by the loader (ingestion/pii.py): raw keeps no plain email, phone or
-- name, and the key is in no SQL.
--
-- Every HubSpot property value is a string or null and a cleared value is "" (CRM v3 reference):
-- nothing here hard-casts one. Tier, region, the returning flag and the Zendesk user id are the
-- portal's custom properties named in dbt_project.yml (vars hubspot_*_property); a portal that
-- lacks one sends no value at all. A missing, cleared or malformed value is 'unknown' (tier,
-- region), not returning, or no link, and flagged in the *_missing columns so it is counted.
with versions as (
    select
        id,
        updated_at,
        archived,
        _record,
        email_hash,
        phone_hash,
        row_number() over (partition by id order by updated_at desc, _loaded_at desc) as version_rank
    from {{ source('hubspot', 'contacts') }}
),

current_versions as (
    select * from versions where version_rank = 1
),

-- A merge keeps the survivor, whose hs_merged_object_ids lists the merged-away ids (";"-separated);
-- a merged-away contact still has its last live version in raw, so it is dropped by that list.
survivors as (
    select ';' || replace({{ hubspot_property('hs_merged_object_ids') }}, ' ', '') || ';' as merged_ids
    from current_versions
    where not archived and {{ blank_to_null(hubspot_property('hs_merged_object_ids')) }} is not null
),

contacts as (
    select
        id as contact_id,
        email_hash,
        phone_hash,
        {{ hubspot_property(var('hubspot_customer_tier_property')) }} as customer_tier,
        {{ hubspot_property(var('hubspot_region_property')) }} as region,
        {{ hubspot_property(var('hubspot_returning_customer_property')) }} as returning_customer,
        {{ hubspot_property(var('hubspot_zendesk_user_id_property')) }} as zendesk_user_id,
        {{ hubspot_property(var('hubspot_external_id_property')) }} as external_id_value,
        _record -> 'properties' ->> 'associatedcompanyid' as company_id,
        coalesce(_record -> 'properties' ->> 'createdate', _record ->> 'createdAt') as created_at,
        updated_at
    from current_versions as c
    where
        not archived
        and not exists (
            select 1 from survivors as s
            where s.merged_ids like '%;' || cast(c.id as varchar) || ';%'
        )
)

select
    contact_id,
    email_hash,
    phone_hash,
    coalesce(lower({{ blank_to_null('customer_tier') }}), 'unknown') as customer_tier,
    coalesce(lower({{ blank_to_null('region') }}), 'unknown') as region,
    coalesce(lower(trim(returning_customer)) = 'true', false) as is_returning_customer,
    {{ safe_bigint('zendesk_user_id') }} as zendesk_user_id,
    {% if var('hubspot_external_id_property') == 'hs_object_id' -%}
    cast(contact_id as varchar) as external_id_value,
    {%- else -%}
    {{ blank_to_null('external_id_value') }} as external_id_value,
    {%- endif %}
    {{ safe_bigint('company_id') }} as company_id,
    {{ safe_utc_timestamp('created_at') }} as created_at,
    updated_at,
    {{ blank_to_null('customer_tier') }} is null as is_tier_missing,
    {{ blank_to_null('region') }} is null as is_region_missing,
    coalesce(lower(trim(returning_customer)) in ('true', 'false'), false) = false as is_returning_flag_missing,
    {{ safe_bigint('zendesk_user_id') }} is null as is_zendesk_user_id_missing
from contacts
