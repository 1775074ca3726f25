{#
  SQL that must mean the same on DuckDB and PostgreSQL. Both engines accept these forms; keeping
  them in macros keeps every model on the one spelling that was checked on both.
#}

{# Local calendar day of a UTC timestamp, in the reporting timezone. #}
{% macro to_local_date(ts) -%}
    cast((({{ ts }}) at time zone 'UTC') at time zone '{{ var("reporting_timezone") }}' as date)
{%- endmacro %}

{# The UTC moment a local calendar day starts (its local midnight), in the reporting timezone: the
   inverse of to_local_date. A day's local end is the next day's start. #}
{% macro local_day_start_utc(date_expr) -%}
    cast((cast({{ date_expr }} as timestamp) at time zone '{{ var("reporting_timezone") }}') at time zone 'UTC' as timestamp)
{%- endmacro %}

{# Seconds since the epoch: durations are differences of these, never dbt.datediff (it counts boundaries). #}
{% macro epoch_seconds(ts) -%}
    extract(epoch from {{ ts }})
{%- endmacro %}

{% macro seconds_between(start_ts, end_ts) -%}
    cast({{ epoch_seconds(end_ts) }} - {{ epoch_seconds(start_ts) }} as bigint)
{%- endmacro %}

{# A rate that is NULL, not an error, when the denominator is 0, and never integer division. #}
{% macro safe_rate(numerator, denominator) -%}
    ({{ numerator }}) * 1.0 / nullif({{ denominator }}, 0)
{%- endmacro %}

{#
  The half-open local-day window [window_start, window_end) that partitioned models rebuild,
  widened backwards by the look-back. Dagster passes window_start/window_end through --vars; a
  plain `dbt build` rebuilds everything.
#}
{% macro window_start_date() -%}
    cast('{{ var("window_start", "1900-01-01") }}' as date)
{%- endmacro %}

{% macro window_end_date() -%}
    cast('{{ var("window_end", "2999-01-01") }}' as date)
{%- endmacro %}

{# A UTC timestamp at or before the window's first local midnight, in any timezone: a lower bound
   for scans of event times, so the filter reaches the raw tables. #}
{% macro window_start_utc_bound() -%}
    (cast({{ window_start_date() }} as timestamp) - interval '1 day')
{%- endmacro %}

{% macro in_window(local_date_expr) -%}
    ({{ local_date_expr }} >= {{ window_start_date() }} and {{ local_date_expr }} < {{ window_end_date() }})
{%- endmacro %}


{#
  Source values that can be empty or malformed (every HubSpot property is a string, a cleared one
  ""): NULL instead of an error, on DuckDB, PostgreSQL and Spark. Never a hard cast of these.
#}
{% macro blank_to_null(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}

{% macro safe_bigint(expr) -%}
    {{ return(adapter.dispatch('safe_bigint')(expr)) }}
{%- endmacro %}

{% macro default__safe_bigint(expr) -%}
    case when trim({{ expr }}) ~ '^[+-]?[0-9]{1,18}$' then cast(trim({{ expr }}) as bigint) end
{%- endmacro %}

{% macro duckdb__safe_bigint(expr) -%}
    try_cast(trim({{ expr }}) as bigint)
{%- endmacro %}

{% macro spark__safe_bigint(expr) -%}
    try_cast(trim({{ expr }}) as bigint)
{%- endmacro %}

{# An ISO-8601 string (any offset) to a UTC timestamp; NULL when empty or unparseable. #}
{% macro safe_utc_timestamp(expr) -%}
    {{ return(adapter.dispatch('safe_utc_timestamp')(expr)) }}
{%- endmacro %}

{% macro default__safe_utc_timestamp(expr) -%}
    case when trim({{ expr }}) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$'
         then cast(cast(trim({{ expr }}) as timestamp with time zone) at time zone 'UTC' as timestamp) end
{%- endmacro %}

{% macro duckdb__safe_utc_timestamp(expr) -%}
    cast(try_cast(trim({{ expr }}) as timestamp with time zone) as timestamp)
{%- endmacro %}

{% macro spark__safe_utc_timestamp(expr) -%}
    try_cast(trim({{ expr }}) as timestamp)
{%- endmacro %}

{# A wall-clock timestamp in `time_zone` (an IANA name; a column or a quoted literal) as a UTC
   timestamp. Both engines read `timestamp AT TIME ZONE zone` as "this wall-clock time there", then
   `AT TIME ZONE 'UTC'` gives the UTC wall clock; a day's DST offset is the one of that moment. #}
{% macro local_to_utc(local_ts, time_zone) -%}
    cast((({{ local_ts }}) at time zone {{ time_zone }}) at time zone 'UTC' as timestamp)
{%- endmacro %}
