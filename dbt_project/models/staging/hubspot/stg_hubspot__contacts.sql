-- Customers. Email and phone come as keyed hashes of their normalised form, computed by the
-- loader (ingestion/pii.py): raw keeps no plain email, phone or name, and the key is in no SQL.
with contacts as (
    select
        id as contact_id,
        email_hash,
        phone_hash,
        _record -> 'properties' ->> 'customer_tier' as customer_tier,
        _record -> 'properties' ->> 'region' as region,
        _record -> 'properties' ->> 'returning_customer' as returning_customer,
        _record -> 'properties' ->> 'zendesk_user_id' as zendesk_user_id,
        _record -> 'properties' ->> 'associatedcompanyid' as company_id,
        _record -> 'properties' ->> 'createdate' as created_at,
        updated_at
    from {{ source('hubspot', 'contacts') }}
)

select
    contact_id,
    email_hash,
    phone_hash,
    coalesce(nullif(lower(trim(customer_tier)), ''), 'unknown') as customer_tier,
    coalesce(nullif(lower(trim(region)), ''), 'unknown') as region,
    lower(returning_customer) = 'true' as is_returning_customer,
    cast(zendesk_user_id as bigint) as zendesk_user_id,
    cast(company_id as bigint) as company_id,
    cast(cast(created_at as timestamp with time zone) as timestamp) as created_at,
    updated_at
from contacts
