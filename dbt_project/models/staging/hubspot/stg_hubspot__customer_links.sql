-- Which contact each Zendesk requester is: one row per requester, so a join never fans a ticket
-- out. How they are linked is var hubspot_customer_link (dbt_project.yml). Several contacts for
-- one requester (duplicates in the CRM): the latest modified wins, then the highest contact id.
-- depends_on: {{ source('zendesk', 'requesters') }}
-- (the manifest is parsed with the default link, so the requesters load is named here for every mode)
{% set link = var('hubspot_customer_link') %}
with candidates as (
    {% if link == 'contact_property' %}
    select zendesk_user_id, contact_id, updated_at
    from {{ ref('stg_hubspot__contacts') }}
    where zendesk_user_id is not null
    {% else %}
    -- the requesters (end users) the tickets point to, landed by id (raw.zendesk__requesters),
    -- matched on external_id or the email hash. Zendesk treats an external_id as case
    -- insensitive ("ian1" and "IAN1" are the same value, Users reference), so it is compared so.
    select r.id as zendesk_user_id, c.contact_id, c.updated_at
    from {{ source('zendesk', 'requesters') }} as r
    inner join {{ ref('stg_hubspot__contacts') }} as c
        {% if link == 'external_id' -%}
        on lower(c.external_id_value) = lower({{ blank_to_null('r.external_id') }})
        {%- elif link == 'email' -%}
        on c.email_hash = r.email_hash
        {%- else -%}
        {{ exceptions.raise_compiler_error("var hubspot_customer_link must be contact_property, external_id or email, not " ~ link) }}
        {%- endif %}
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (partition by zendesk_user_id order by updated_at desc, contact_id desc) as link_rank,
        count(*) over (partition by zendesk_user_id) as candidate_contacts
    from candidates
)

select zendesk_user_id, contact_id, candidate_contacts
from ranked
where link_rank = 1
