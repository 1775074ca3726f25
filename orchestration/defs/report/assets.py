"""The service-level report: built after publish, from the published copy, so only from audited data."""

# No `from __future__ import annotations` here: Dagster reads the config class from the annotation.
import dagster as dg
from pydantic import Field

from ingestion.settings import load_settings
from orchestration.report_builder.build import write_report
from orchestration.report_builder.i18n import check_language
from orchestration.report_builder.period import PERIOD_FORMATS, parse_period


class ReportConfig(dg.Config):
    period: str = Field(
        default="",
        description=f"The period to report: {PERIOD_FORMATS}. Empty: the last full month of published data "
        "(the month so far before one is complete).",
    )
    language: str = Field(
        default="",
        description="The report's language: en or zh-CN. Empty: CSKPI_REPORT_LANGUAGE (default en).",
    )
    edition: str = Field(
        default="default",
        description="default, or manager: adds the agent league table, which names agents (staff data), "
        "written to its own file (service-level-report-<period>.manager.html).",
    )


@dg.asset(
    key=["report", "service_level_report"],
    deps=[dg.AssetKey(["serving", "published_marts"])],
    group_name="report",
    kinds={"html"},
    description="The managers' service-level report of a week, month or quarter (default: the last full month): "
    "summary, scorecard, trends, comparisons, complaints, root causes and the improvement plan, as one "
    "self-contained HTML file read from the published marts.",
)
def service_level_report(context: dg.AssetExecutionContext, config: ReportConfig) -> dg.MaterializeResult:
    settings = load_settings()
    period = parse_period(config.period) if config.period else None
    language = check_language(config.language, "the report's language") if config.language else settings.report_language
    written = write_report(
        settings.snapshot_path, settings.reports_dir, settings.improvement_plan_path, period, language,
        edition=config.edition, staff_snapshot=settings.staff_snapshot_path,
    )  # fmt: skip
    context.log.info(f"service-level report of {written.period.label}: {written.path}; {written.sources_line}")
    if written.missed_without_action:
        unplanned = ", ".join(written.missed_without_action)
        context.log.warning(f"KPIs not met with no action in {settings.improvement_plan_path}: {unplanned}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(written.path)),
            "period": written.period.key,
            "language": language,
            "edition": config.edition,
            "kpis_met": written.kpis_met,
            "kpis_not_met": written.kpis_missed,
            "not_met_without_action": dg.MetadataValue.json(written.missed_without_action),
            "sources": written.sources_line,
        }
    )
