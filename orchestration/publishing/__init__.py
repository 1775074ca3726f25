"""Publishing audited marts to where BI reads them. Plain Python; the Dagster asset calls it."""

PUBLISHED_MARTS = (
    "fct_kpi_daily",
    "rpt_kpi_scorecard",
    "rpt_kpi_breakdown",
    "fct_tickets",
    "fct_survey_responses",
    # SLA targets per ticket and their daily parts (attainment, breaches by team and channel)
    "fct_ticket_sla",
    "fct_sla_daily",
    "dim_team",
    "dim_channel",
    "dim_date",
    "dim_customer",
    # which sources fed the marts above (sample, account, off); it holds run times, so unlike the
    # others a re-run does not reproduce it row for row
    "rpt_sources",
)
RUN_RECORD_MARTS = ("rpt_sources",)
