{# True when a Zendesk tags JSON array (as text) holds any of `tags`. Portable: plain LIKE on the JSON text. #}
{% macro has_any_tag(tags_json, tags) -%}
    ({%- for tag in tags %}{{ tags_json }} like '%"{{ tag }}"%'{% if not loop.last %} or {% endif %}{% endfor -%})
{%- endmacro %}

{# A list of strings as SQL literals for `in (...)`: sql_list(['a', "o'k"]) -> 'a', 'o''k'. #}
{% macro sql_list(values) -%}
    {%- for v in values %}'{{ v | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor -%}
{%- endmacro %}

{# Why a ticket counts in no KPI (kpi-definitions.md, "Excluded tickets"), or null: spam first (an
   agent deletes spam: it is spam), then deleted, test and merged away. #}
{% macro ticket_exclusion_reason(status, tags_json) -%}
    case
        when {{ has_any_tag(tags_json, var('spam_tags')) }} then 'spam'
        when {{ status }} = 'deleted' then 'deleted'
        when {{ has_any_tag(tags_json, var('test_tags')) }} then 'test'
        when {{ has_any_tag(tags_json, var('merged_tags')) }} then 'merged'
    end
{%- endmacro %}
