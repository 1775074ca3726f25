{#
  Personal data leaves staging only as a keyed hash. The key comes from CSKPI_PII_HASH_KEY; the
  default is for the embedded sample only and must be replaced for real data.
#}
{% macro pii_key() -%}
    '{{ env_var("CSKPI_PII_HASH_KEY", "sample-only-key-do-not-use-for-real-data") }}'
{%- endmacro %}

{% macro hash_pii(expr) -%}
    {{ return(adapter.dispatch('hash_pii')(expr)) }}
{%- endmacro %}

{% macro default__hash_pii(expr) -%}
    case when {{ expr }} is null then null
         else encode(sha256(convert_to({{ pii_key() }} || '|' || {{ expr }}, 'UTF8')), 'hex') end
{%- endmacro %}

{% macro duckdb__hash_pii(expr) -%}
    case when {{ expr }} is null then null else sha256({{ pii_key() }} || '|' || {{ expr }}) end
{%- endmacro %}

{# Lower-cased, trimmed email; NULL when empty. #}
{% macro normalise_email(expr) -%}
    nullif(lower(trim({{ expr }})), '')
{%- endmacro %}

{#
  Phone numbers to E.164. Mainland numbers arrive as 11 digits (13800138000), with a +86/86
  prefix, or with separators; anything else keeps its digits behind a "+".
#}
{% macro normalise_phone(expr) -%}
    case
        when regexp_replace({{ expr }}, '[^0-9]', '', 'g') = '' then null
        when length(regexp_replace({{ expr }}, '[^0-9]', '', 'g')) = 11
             and regexp_replace({{ expr }}, '[^0-9]', '', 'g') like '1%'
            then '+86' || regexp_replace({{ expr }}, '[^0-9]', '', 'g')
        else '+' || regexp_replace({{ expr }}, '[^0-9]', '', 'g')
    end
{%- endmacro %}
