{{ config(tags=['dimension']) }}
-- Customers with hashed keys only: no email, phone or name leaves staging.
select
    cast(contact_id as bigint) as customer_id,
    cast(email_hash as varchar) as email_hash,
    cast(phone_hash as varchar) as phone_hash,
    cast(customer_tier as varchar) as customer_tier,
    cast(region as varchar) as region,
    cast(is_returning_customer as boolean) as is_returning_customer,
    cast(company_id as bigint) as company_id
from {{ ref('stg_hubspot__contacts') }}
