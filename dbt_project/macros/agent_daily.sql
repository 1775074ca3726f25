{#
  The pre-hook of fct_agent_daily: clear the days it rebuilds first, the window's and every day of a
  fact row rebuilt since its last build (the same days the model reads, touched_days there).
  delete+insert alone replaces only the days the new result holds, so a rebuilt day left with no
  row at all (its only activity a survey about a ticket later found to be spam) would keep its old
  rows, and the agents would no longer sum to fct_kpi_daily.
#}
{% macro delete_agent_daily_rebuilt_days() %}
    {%- if execute and is_incremental() -%}
        {%- set loaded_through = previous_build_loaded_through() -%}
        delete from {{ this }}
        where {{ in_window('kpi_date') }}
           or kpi_date in (
               select created_date from {{ ref('fct_tickets') }} where raw_loaded_through > {{ loaded_through }}
               union
               select submitted_date from {{ ref('fct_survey_responses') }} where raw_loaded_through > {{ loaded_through }}
           )
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
