{#
  The days fct_backlog_daily rebuilds (macros/late_activity.sql): the window's, and every day from
  the oldest touched ticket's creation day on (a ticket a load touched may have changed any day of
  its life). The model and its pre-hook both read it, so they cannot disagree.
#}
{% macro backlog_rebuild_from() %}
    {%- set loaded_through = previous_build_loaded_through() -%}
    {%- if loaded_through -%}
        {%- set touched_from = query_timestamp(
            "select cast(min(created_date) as timestamp) from " ~ ref('fct_tickets')
            ~ " where raw_loaded_through > " ~ loaded_through
        ) -%}
        {%- if touched_from -%}
            {{- return("least(" ~ window_start_date() ~ ", cast(" ~ touched_from ~ " as date))") -}}
        {%- endif -%}
    {%- endif -%}
    {{- return(window_start_date()) -}}
{% endmacro %}

{# The pre-hook: clear the rebuilt days first. delete+insert alone replaces only the days the new
   result holds, so a day left with no open ticket at all would keep its old rows. #}
{% macro delete_backlog_rebuilt_days() %}
    {%- if execute and is_incremental() -%}
        delete from {{ this }}
        where backlog_date >= {{ backlog_rebuild_from() }} and backlog_date < {{ window_end_date() }}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
