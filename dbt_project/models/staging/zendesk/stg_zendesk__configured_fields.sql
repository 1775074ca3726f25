-- The ids, as strings, of the two custom fields the KPIs read, each configured once by its title
-- or its id (vars zendesk_response_level_field, zendesk_category_field). Tickets carry the field
-- in custom_fields by id; a change event names it by the id as a string. One row.
with fields as (
    select field_id, title, raw_title, is_active from {{ ref('stg_zendesk__ticket_fields') }}
)

select
    {{ configured_field_id(var('zendesk_response_level_field')) }} as response_level_field_id,
    {{ configured_field_id(var('zendesk_category_field')) }} as category_field_id
