{# True when a Zendesk tags JSON array (as text) holds any of `tags`. Portable: plain LIKE on the JSON text. #}
{% macro has_any_tag(tags_json, tags) -%}
    ({%- for tag in tags %}{{ tags_json }} like '%"{{ tag }}"%'{% if not loop.last %} or {% endif %}{% endfor -%})
{%- endmacro %}
