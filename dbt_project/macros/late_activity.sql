{#
  Late activity at any age. An incremental fact rebuilds its window's days (widened by the
  look-back) and every row whose inputs were loaded since its own last build: what the run's loads
  touched, however old (a ticket solved after 40 days, a survey delivered 30 days late). Each row
  of a fact carries raw_loaded_through, the newest raw load its build had seen, so the previous
  build's is the largest in the table. Loads and builds never overlap: every writer of the
  warehouse shares one pool (orchestration/defs/pools.py).
#}

{# The previous build's raw_loaded_through as a timestamp literal; none on a full build. A literal,
   not a subquery, so that `loaded_at > ...` reaches the raw scans' zone maps. #}
{% macro previous_build_loaded_through() %}
    {%- if not (execute and is_incremental()) -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set value = query_timestamp("select max(raw_loaded_through) from " ~ this) -%}
    {{- return(value if value is not none else "cast('1900-01-01' as timestamp)") -}}
{% endmacro %}

{# The single timestamp a query returns, as a literal; none when it is null. #}
{% macro query_timestamp(sql) %}
    {%- set value = run_query(sql).columns[0].values()[0] -%}
    {{- return(none if value is none else "cast('" ~ value ~ "' as timestamp)") -}}
{% endmacro %}

{# The earlier of a bound and an optional literal. #}
{% macro earliest(bound, other) -%}
    {%- if other is none -%}{{ bound }}{%- else -%}least({{ bound }}, {{ other }}){%- endif -%}
{%- endmacro %}

{# How far back a model that follows the lifecycle reads: the oldest creation among the tickets the
   lifecycle rebuilt since `loaded_through` (the model's own previous build); none on a full build.
   The models that call it ref the lifecycle themselves, so dbt sees the dependency at parse time. #}
{% macro lifecycle_touched_from(loaded_through) %}
    {%- if not loaded_through -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(query_timestamp(
        "select min(created_at) from " ~ ref('int_zendesk__ticket_lifecycle')
        ~ " where raw_loaded_through > " ~ loaded_through
    )) -}}
{% endmacro %}

{# Which lifecycle rows a model that follows it rebuilds: the tickets created in the window, and
   every ticket the lifecycle rebuilt since `loaded_through`, whatever its age. #}
{% macro rebuilt_with_lifecycle(loaded_through) -%}
    ({{ in_window(to_local_date('created_at')) }}
    {%- if loaded_through %} or raw_loaded_through > {{ loaded_through }}{% endif %})
{%- endmacro %}
