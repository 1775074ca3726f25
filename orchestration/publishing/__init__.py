"""Publishing audited marts to where BI reads them. Plain Python; the Dagster asset calls it."""

PUBLISHED_MARTS = (
    "fct_kpi_daily",
    "fct_agent_daily",
    "fct_backlog_daily",
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
# Staff data (agent names), schema staff: published only to PostgreSQL, for the bi_manager role. The
# DuckDB snapshot and Parquet files have no roles, so they leave it out (docs/bi.md).
STAFF_TABLES = ("dim_agent",)
