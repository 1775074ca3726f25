{# A HubSpot property of the raw record: always a string or null (CRM v3), "" when cleared. #}
{% macro hubspot_property(name) -%}
    _record -> 'properties' ->> '{{ name | replace("'", "''") }}'
{%- endmacro %}
