{#
  The KPI contract of kpi-definitions.md, written once. Every KPI is stored as additive parts
  (counts and sums of seconds); a rate over any slice is sum(numerator) / sum(denominator).
  fct_kpi_daily and rpt_kpi_scorecard both read these, so they cannot disagree.
#}

{# (part column, aggregate over fct_tickets rows). The quarantined_* counts are the tickets left out
   of a KPI for an impossible value (fct_tickets.quarantine_reasons): AHT's handled_tickets and
   FRT's tickets_with_first_reply / tickets_with_response_target do not count them.
   Maturity: a KPI with a clock (FCR's reopen window, the complaint 24 h and 48 h limits, the
   escalation and resolution targets) counts a ticket only once its clock has run out
   (fct_tickets.is_*_mature); the younger ones are its *_immature_* part, in neither its
   numerator nor its denominator. #}
{% macro kpi_ticket_parts() %}
    {{ return([
        ("tickets_created", "sum(case when not is_excluded then 1 else 0 end)"),
        ("excluded_tickets", "sum(case when is_excluded then 1 else 0 end)"),
        ("tickets_with_first_reply", "sum(case when not is_excluded and first_response_seconds is not null then 1 else 0 end)"),
        ("first_response_seconds_sum", "sum(case when not is_excluded then coalesce(first_response_seconds, 0) else 0 end)"),
        ("tickets_with_response_target", "sum(case when not is_excluded and first_response_target_seconds is not null and not is_first_response_quarantined and is_first_response_target_mature then 1 else 0 end)"),
        ("tickets_responded_within_target", "sum(case when not is_excluded and is_first_response_within_target then 1 else 0 end)"),
        ("solved_tickets", "sum(case when not is_excluded and is_solved then 1 else 0 end)"),
        ("handled_tickets", "sum(case when not is_excluded and handle_seconds is not null then 1 else 0 end)"),
        ("handle_seconds_sum", "sum(case when not is_excluded then coalesce(handle_seconds, 0) else 0 end)"),
        ("tickets_with_calls", "sum(case when not is_excluded and talk_seconds is not null then 1 else 0 end)"),
        ("talk_seconds_sum", "sum(case when not is_excluded then coalesce(talk_seconds, 0) else 0 end)"),
        ("one_touch_resolved_tickets", "sum(case when not is_excluded and is_one_touch_resolved and is_fcr_mature then 1 else 0 end)"),
        ("reopened_tickets", "sum(case when not is_excluded and is_reopened and is_solved then 1 else 0 end)"),
        ("escalated_tickets", "sum(case when not is_excluded and is_escalated then 1 else 0 end)"),
        ("complaint_tickets", "sum(case when not is_excluded and is_complaint then 1 else 0 end)"),
        ("complaints_unresolved_at_24h", "sum(case when not is_excluded and is_complaint_unresolved_at_24h then 1 else 0 end)"),
        ("complaints_escalated_by_24h", "sum(case when not is_excluded and is_complaint_escalated_by_24h then 1 else 0 end)"),
        ("complaints_answered_within_48h", "sum(case when not is_excluded and is_complaint_answered_within_48h and is_complaint_48h_mature then 1 else 0 end)"),
        ("quarantined_handle_tickets", "sum(case when not is_excluded and is_handle_quarantined then 1 else 0 end)"),
        ("quarantined_first_response_tickets", "sum(case when not is_excluded and is_first_response_quarantined then 1 else 0 end)"),
        ("tickets_with_first_reply_and_target", "sum(case when not is_excluded and first_response_seconds is not null and first_response_target_seconds is not null then 1 else 0 end)"),
        ("first_response_target_seconds_sum", "sum(case when not is_excluded and first_response_seconds is not null then coalesce(first_response_target_seconds, 0) else 0 end)"),
        ("fcr_tickets", "sum(case when not is_excluded and is_fcr_mature then 1 else 0 end)"),
        ("fcr_immature_tickets", "sum(case when not is_excluded and not is_fcr_mature then 1 else 0 end)"),
        ("complaints_immature_at_24h", "sum(case when not is_excluded and not is_complaint_24h_mature then 1 else 0 end)"),
        ("complaints_due_feedback", "sum(case when not is_excluded and is_complaint_48h_mature then 1 else 0 end)"),
        ("complaints_immature_at_48h", "sum(case when not is_excluded and not is_complaint_48h_mature then 1 else 0 end)"),
        ("tickets_needing_escalation", "sum(case when not is_excluded and is_escalation_needed then 1 else 0 end)"),
        ("tickets_escalated_within_target", "sum(case when not is_excluded and is_escalated_within_target then 1 else 0 end)"),
        ("escalation_immature_tickets", "sum(case when not is_excluded and not is_escalation_sla_mature then 1 else 0 end)"),
        ("tickets_due_resolution", "sum(case when not is_excluded and is_resolution_sla_mature then 1 else 0 end)"),
        ("tickets_resolved_within_target", "sum(case when not is_excluded and is_resolved_within_target then 1 else 0 end)"),
        ("resolution_immature_tickets", "sum(case when not is_excluded and not is_resolution_sla_mature then 1 else 0 end)"),
        ("frt_immature_tickets", "sum(case when not is_excluded and not is_first_response_quarantined and not is_first_response_target_mature then 1 else 0 end)"),
        ("tickets_with_business_first_reply", "sum(case when not is_excluded and business_first_response_seconds is not null then 1 else 0 end)"),
        ("business_first_response_seconds_sum", "sum(case when not is_excluded then coalesce(business_first_response_seconds, 0) else 0 end)"),
        ("tickets_with_business_resolution", "sum(case when not is_excluded and business_resolution_seconds is not null then 1 else 0 end)"),
        ("business_resolution_seconds_sum", "sum(case when not is_excluded then coalesce(business_resolution_seconds, 0) else 0 end)"),
    ]) }}
{% endmacro %}

{# (part column, aggregate over fct_survey_responses rows). CSAT's rate counts every scale (a
   5-point 4-5, a Zendesk "good"); its mean, 5-point scores only. #}
{% macro kpi_survey_parts() %}
    {% set parts = [
        ("survey_responses", "count(*)"),
        ("csat_responses", "sum(case when is_csat_positive is not null then 1 else 0 end)"),
        ("csat_positive_responses", "sum(case when is_csat_positive then 1 else 0 end)"),
        ("csat_scored_responses", "sum(case when overall_score is not null then 1 else 0 end)"),
        ("csat_score_sum", "sum(coalesce(overall_score, 0))"),
    ] %}
    {% for dim in ["speed", "accuracy", "attitude", "resolution"] %}
        {% do parts.append((dim ~ "_score_responses", "sum(case when " ~ dim ~ "_score is not null then 1 else 0 end)")) %}
        {% do parts.append((dim ~ "_score_positive_responses", "sum(case when " ~ dim ~ "_score >= 4 then 1 else 0 end)")) %}
        {% do parts.append((dim ~ "_score_sum", "sum(coalesce(" ~ dim ~ "_score, 0))")) %}
    {% endfor %}
    {% do parts.extend([
        ("nps_responses", "sum(case when nps_category is not null then 1 else 0 end)"),
        ("nps_promoters", "sum(case when nps_category = 'promoter' then 1 else 0 end)"),
        ("nps_passives", "sum(case when nps_category = 'passive' then 1 else 0 end)"),
        ("nps_detractors", "sum(case when nps_category = 'detractor' then 1 else 0 end)"),
    ]) %}
    {{ return(parts) }}
{% endmacro %}

{# KPI code -> (numerator, denominator, scale): actual = scale * numerator / denominator. #}
{% macro kpi_formulas() %}
    {{ return({
        "frt_seconds": ("first_response_seconds_sum", "tickets_with_first_reply", 1),
        "frt_business_seconds": ("business_first_response_seconds_sum", "tickets_with_business_first_reply", 1),
        "frt_attainment": ("tickets_responded_within_target", "tickets_with_response_target", 1),
        "aht_seconds": ("handle_seconds_sum", "handled_tickets", 1),
        "fcr_rate": ("one_touch_resolved_tickets", "fcr_tickets", 1),
        "resolution_rate": ("solved_tickets", "tickets_created", 1),
        "reopen_rate": ("reopened_tickets", "solved_tickets", 1),
        "escalation_rate": ("escalated_tickets", "tickets_created", 1),
        "complaint_rate": ("complaint_tickets", "tickets_created", 1),
        "complaint_escalation_compliance": ("complaints_escalated_by_24h", "complaints_unresolved_at_24h", 1),
        "complaint_feedback_48h": ("complaints_answered_within_48h", "complaints_due_feedback", 1),
        "escalation_sla_attainment": ("tickets_escalated_within_target", "tickets_needing_escalation", 1),
        "resolution_sla_attainment": ("tickets_resolved_within_target", "tickets_due_resolution", 1),
        "csat_rate": ("csat_positive_responses", "csat_responses", 1),
        "csat_mean": ("csat_score_sum", "csat_scored_responses", 1),
        "nps": ("nps_promoters - nps_detractors", "nps_responses", 100),
    }) }}
{% endmacro %}

{# The CSAT dimensions (kpi-definitions.md, "CSAT mean and dimensions") as scorecard KPIs: for each
   of speed, accuracy, attitude and resolution, the share of answers scoring 4-5 and the mean.
   fct_kpi_daily has them already as <dim>_score_positive_rate and <dim>_score_mean. #}
{% macro kpi_dimension_formulas() %}
    {% set formulas = {} %}
    {% for dim in ["speed", "accuracy", "attitude", "resolution"] %}
        {% do formulas.update({
            "csat_" ~ dim ~ "_rate": (dim ~ "_score_positive_responses", dim ~ "_score_responses", 1),
            "csat_" ~ dim ~ "_mean": (dim ~ "_score_sum", dim ~ "_score_responses", 1),
        }) %}
    {% endfor %}
    {{ return(formulas) }}
{% endmacro %}

{# Every KPI of the scorecard and the breakdown: the contract's KPIs, then the CSAT dimensions. #}
{% macro kpi_scorecard_formulas() %}
    {% set formulas = kpi_formulas().copy() %}
    {% do formulas.update(kpi_dimension_formulas()) %}
    {{ return(formulas) }}
{% endmacro %}

{# KPI code -> its part counting the tickets whose clock has not run out (immature: in neither
   numerator nor denominator). KPIs without a clock have none. #}
{% macro kpi_immature_parts() %}
    {% set parts = {
        "frt_attainment": "frt_immature_tickets",
        "fcr_rate": "fcr_immature_tickets",
        "complaint_escalation_compliance": "complaints_immature_at_24h",
        "complaint_feedback_48h": "complaints_immature_at_48h",
        "escalation_sla_attainment": "escalation_immature_tickets",
        "resolution_sla_attainment": "resolution_immature_tickets",
        "sla_attainment": "sla_open",
    } %}
    {% for metric, short in kpi_sla_metrics() %}
        {% do parts.update({"sla_" ~ short ~ "_attainment": "sla_" ~ short ~ "_open"}) %}
    {% endfor %}
    {{ return(parts) }}
{% endmacro %}

{# The KPI's value from (summed) parts; `p` prefixes the part columns, e.g. "sum_". #}
{% macro kpi_value(code, wrap=none) -%}
    {%- set f = kpi_scorecard_formulas()[code] -%}
    {%- set num = f[0] if wrap is none else wrap(f[0]) -%}
    {%- set den = f[1] if wrap is none else wrap(f[1]) -%}
    {%- if f[2] != 1 %}{{ f[2] }} * {% endif -%}{{ safe_rate(num, den) }}
{%- endmacro %}

{# A KPI's target computed from the same parts, where the seed's single value would be wrong: the
   FRT mean is held to the response-level targets (response_level_targets.csv: by level and
   channel) of the tickets it measures, weighted by their count. Null: the seed's target holds. #}
{% macro kpi_parts_target(code) -%}
    {%- if code == 'frt_seconds' -%}
        {{ safe_rate('first_response_target_seconds_sum', 'tickets_with_first_reply_and_target') }}
    {%- else -%}
        cast(null as double precision)
    {%- endif -%}
{%- endmacro %}

{# One row per KPI (of `formulas`, by default the scorecard's) and row of `relation` (summed parts):
   its keys, kpi_code, numerator, denominator, actual, parts target and immature tickets. The
   scorecard and the breakdown both unfold their parts with it. #}
{% macro kpi_rows(relation, keys, formulas=none) -%}
    {% set formulas = kpi_scorecard_formulas() if formulas is none else formulas %}
    {% for code, f in formulas.items() %}
    select
        {% for key in keys %}{{ key }},
        {% endfor %}'{{ code }}' as kpi_code,
        cast({{ f[0] }} as bigint) as numerator,
        cast({{ f[1] }} as bigint) as denominator,
        {% if f[2] != 1 %}{{ f[2] }} * {% endif %}{{ safe_rate(f[0], f[1]) }} as actual,
        {{ kpi_parts_target(code) }} as parts_target,
        cast({{ kpi_immature_parts().get(code, 'null') }} as bigint) as immature_tickets
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
{%- endmacro %}

{# Whether `actual` meets `target` in the KPI's direction; null without a target or an actual. #}
{% macro kpi_target_met(actual, target, better) -%}
    case
        when {{ actual }} is null or {{ target }} is null then null
        when {{ better }} = 'higher' then {{ actual }} >= {{ target }}
        when {{ better }} = 'lower' then {{ actual }} <= {{ target }}
    end
{%- endmacro %}


{# SLA outcomes (fct_ticket_sla rows) as fct_sla_daily's parts (kpi-definitions.md, "SLA
   attainment"): measured = met + breached; open ones (neither yet) are immature, in neither
   numerator nor denominator; at risk: open, more than 80 % of a calendar-time target used. #}
{% macro kpi_sla_row_parts() %}
    {{ return([
        ("sla_instances", "count(*)"),
        ("sla_measured", "sum(case when is_met or is_breached then 1 else 0 end)"),
        ("sla_met", "sum(case when is_met then 1 else 0 end)"),
        ("sla_breached", "sum(case when is_breached then 1 else 0 end)"),
        ("sla_open", "sum(case when is_open then 1 else 0 end)"),
        ("sla_at_risk", "sum(case when is_at_risk then 1 else 0 end)"),
    ]) }}
{% endmacro %}

{# The SLA metrics with a KPI of their own: (fct_ticket_sla.sla_metric, the name in its KPI code).
   pausable_update_time counts in sla_attainment only. #}
{% macro kpi_sla_metrics() %}
    {{ return([
        ("first_reply_time", "first_reply"),
        ("next_reply_time", "next_reply"),
        ("periodic_update_time", "periodic_update"),
        ("requester_wait_time", "requester_wait"),
        ("agent_work_time", "agent_work"),
        ("resolution_time", "resolution"),
    ]) }}
{% endmacro %}

{# The scorecard's SLA parts, aggregated over fct_sla_daily rows: every metric, then each one's own. #}
{% macro kpi_sla_parts() %}
    {% set parts = [
        ("sla_measured", "sum(sla_measured)"),
        ("sla_met", "sum(sla_met)"),
        ("sla_open", "sum(sla_open)"),
        ("sla_at_risk", "sum(sla_at_risk)"),
    ] %}
    {% for metric, short in kpi_sla_metrics() %}
        {% for part in ["measured", "met", "open"] %}
            {% do parts.append(("sla_" ~ short ~ "_" ~ part,
                "sum(case when sla_metric = '" ~ metric ~ "' then sla_" ~ part ~ " else 0 end)")) %}
        {% endfor %}
    {% endfor %}
    {{ return(parts) }}
{% endmacro %}

{# SLA KPI code -> (numerator, denominator, scale), over kpi_sla_parts: attainment over every
   metric and per metric, and the share of open SLAs at risk. #}
{% macro kpi_sla_formulas() %}
    {% set formulas = {"sla_attainment": ("sla_met", "sla_measured", 1)} %}
    {% for metric, short in kpi_sla_metrics() %}
        {% do formulas.update({"sla_" ~ short ~ "_attainment": ("sla_" ~ short ~ "_met", "sla_" ~ short ~ "_measured", 1)}) %}
    {% endfor %}
    {% do formulas.update({"sla_at_risk_rate": ("sla_at_risk", "sla_open", 1)}) %}
    {{ return(formulas) }}
{% endmacro %}
