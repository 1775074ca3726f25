"""Great Expectations suites as Dagster asset checks.

Correctness suites are blocking: when one fails, nothing downstream of its asset runs, publish
included, and the check's metadata says which expectations failed, with example values and the
path of the Data Docs. The volume anomaly check only warns.
"""

import json
from collections.abc import Callable
from datetime import date, timedelta

import dagster as dg
import pandas as pd

from expectations import suites
from expectations.anomaly import TRAILING_DAYS, find_anomalies
from expectations.validate import Outcome, validate
from ingestion.settings import Settings, load_settings
from orchestration.defs.partitions import run_days
from orchestration.defs.pools import DUCKDB_WRITERS
from orchestration.defs.quality import slices

# below this share of tickets agreeing with Zendesk's own metrics, the reconciliation warns
RECONCILIATION_WARN_BELOW = 0.95


def _json_default(value: object) -> object:
    if hasattr(value, "isoformat"):  # datetime, date, pandas Timestamp
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def _json_safe(value: object) -> object:
    """Dagster metadata must be JSON: observed values such as a newest timestamp become ISO text."""
    return json.loads(json.dumps(value, default=_json_default))


def _result(
    outcome: Outcome,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
    extra: dict | None = None,
    description: str | None = None,
) -> dg.AssetCheckResult:
    """The check's result; `extra` metadata is made JSON-safe first (a datetime becomes ISO text)."""
    metadata = {
        "suite": outcome.suite,
        "rows_checked": outcome.rows_checked,
        "expectations": outcome.expectations,
        "failed_expectations": len(outcome.failures),
        "failures": dg.MetadataValue.json(_json_safe(outcome.failures)),
        **{k: v if isinstance(v, dg.MetadataValue) else _json_safe(v) for k, v in (extra or {}).items()},
    }
    if outcome.data_docs:
        metadata["data_docs"] = dg.MetadataValue.path(outcome.data_docs)
    if outcome.offline_results:
        metadata["offline_results"] = dg.MetadataValue.path(outcome.offline_results)
    return dg.AssetCheckResult(passed=outcome.success, severity=severity, metadata=metadata, description=description)


def _mart_suite(table: str, day_column: str | None, build: Callable[[list[str]], list]) -> dg.AssetChecksDefinition:
    schema, name = table.split(".")

    @dg.asset_check(
        asset=dg.AssetKey([schema, name]),
        name=f"gx_{name}",
        description=f"Great Expectations suite of {table} over the days the run built or loaded.",
        blocking=True,
        pool=DUCKDB_WRITERS,
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        settings = load_settings()
        suite = build
        if (source := FED_BY_ONE_SOURCE.get(table)) and settings.source_off(source):
            suite = suites.no_personal_data  # empty is right while its one source is off: no row count
        return _result(validate_mart(settings, table, day_column, suite, run_days(context)))

    return _check


def validate_mart(
    settings: Settings,
    table: str,
    day_column: str | None,
    build: Callable[[list[str]], list],
    days: tuple[date, date] | None,
) -> Outcome:
    """A mart's suite on the slice of `days` (the whole table without a day column or days)."""
    df = slices.table_slice(settings, table, day_column, days)
    return validate(table.split(".")[1], df, build(slices.text_columns(settings, table)), settings.gx_dir)


@dg.asset_check(
    asset=dg.AssetKey(["staging", "stg_zendesk__tickets"]),
    name="gx_ticket_freshness",
    description="The newest ticket update is within 36 h of the end of the last partition the run built. "
    "Warns only: a quiet weekend has no updates, so stale data is flagged, not blocked.",
    blocking=False,
    pool=DUCKDB_WRITERS,
)
def ticket_freshness(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    settings = load_settings()
    floor = slices.freshness_floor(settings, run_days(context))
    newest = slices.newest_ticket_update(settings)
    outcome = validate("ticket_freshness", newest, suites.ticket_freshness(floor), settings.gx_dir)
    at = newest["updated_at"].iloc[0] if len(newest) else None
    newest_text = "none" if at is None or pd.isna(at) else str(at)
    return _result(
        outcome,
        severity=dg.AssetCheckSeverity.WARN,
        extra={"newest_update_utc": newest_text, "oldest_acceptable_utc": floor},
        description=None
        if outcome.success
        else f"stale tickets: the newest ticket update is {newest_text} UTC, older than {floor} UTC "
        "(36 h before the end of the run's last day)",
    )


@dg.asset_check(
    # on the cross-record rejects, so that it runs after they are built for the run's window
    asset=dg.AssetKey(["intermediate", "int_zendesk__ticket_events_rejected"]),
    name="gx_reject_share",
    description="Each stream of the run rejected at most CSKPI_MAX_REJECT_SHARE of what it received "
    "(streams under CSKPI_REJECT_SHARE_MIN_RECORDS records are reported, not judged, unless they "
    "rejected everything).",
    blocking=True,
    pool=DUCKDB_WRITERS,
)
def reject_share(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    settings = load_settings()
    shares = slices.reject_shares(settings, context.run.run_id, run_days(context))
    judged = slices.streams_to_judge(shares, settings.reject_share_min_records)
    outcome = validate("reject_share", judged, suites.reject_share(settings.max_reject_share), settings.gx_dir)
    result = _result(outcome)
    result.metadata["judged_streams"] = len(judged)
    result.metadata["min_records_to_judge"] = settings.reject_share_min_records
    result.metadata["reject_shares"] = dg.MetadataValue.json(shares.to_dict(orient="records"))
    return result


@dg.asset_check(
    asset=dg.AssetKey(["marts", "fct_kpi_daily"]),
    name="gx_quarantine_share",
    description="Per KPI, the tickets quarantined for an impossible value (a negative handle or first response "
    "time) are at most CSKPI_MAX_REJECT_SHARE of the tickets it measured, over the days the run rebuilt "
    "(KPIs under CSKPI_REJECT_SHARE_MIN_RECORDS tickets are reported, not judged).",
    blocking=True,
    pool=DUCKDB_WRITERS,
)
def quarantine_share(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    settings = load_settings()
    days = slices.rebuilt_days(settings, run_days(context))
    shares = slices.quarantine_shares(settings, days)
    judged = shares[shares["received"] >= settings.reject_share_min_records]
    outcome = validate("quarantine_share", judged, suites.quarantine_share(settings.max_reject_share), settings.gx_dir)
    result = _result(outcome)
    result.metadata["days"] = f"{days[0].isoformat()} .. {days[1].isoformat()}" if days else "all"
    result.metadata["judged_kpis"] = len(judged)
    result.metadata["min_records_to_judge"] = settings.reject_share_min_records
    result.metadata["quarantine_shares"] = dg.MetadataValue.json(_json_safe(shares.to_dict(orient="records")))
    return result


@dg.asset_check(
    asset=dg.AssetKey(["marts", "fct_kpi_daily"]),
    name="volume_anomaly",
    description="Ticket and complaint counts of each day the run built against the trailing 28 days. Warns only.",
    blocking=False,
    pool=DUCKDB_WRITERS,
)
def volume_anomaly(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    settings = load_settings()
    days = run_days(context)
    if days is None:
        return dg.AssetCheckResult(passed=True, metadata={"skipped": "not a partitioned run"})
    first, last = days
    volumes = slices.daily_volumes(settings, first - timedelta(days=TRAILING_DAYS), last)
    built_days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    found = find_anomalies(volumes, built_days, ("tickets_created", "complaint_tickets"))
    return dg.AssetCheckResult(
        passed=not found,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "days_checked": len(built_days),
            "anomalies": len(found),
            "flagged": dg.MetadataValue.json(
                [
                    {
                        "day": a.day.isoformat(),
                        "measure": a.measure,
                        "value": a.value,
                        "trailing_mean": a.trailing_mean,
                        "trailing_stdev": a.trailing_stdev,
                        "z_score": a.z_score,
                    }
                    for a in found
                ]
            ),
        },
    )


@dg.asset_check(
    asset=dg.AssetKey(["marts", "fct_tickets"]),
    name="zendesk_metric_reconciliation",
    description="This project's first reply and first resolution times per ticket against Zendesk's own "
    "calendar metrics (metric_sets), over the tickets the run built. Reports the agreement share; never blocks.",
    blocking=False,
    pool=DUCKDB_WRITERS,
)
def zendesk_metric_reconciliation(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    measures = slices.metric_reconciliation(load_settings(), run_days(context))
    shares = [m["agreement_share"] for m in measures if m["agreement_share"] is not None]
    metadata: dict = {"measures": dg.MetadataValue.json(measures)}
    for m in measures:
        metadata[f"{m['measure']}_agreement_share"] = m["agreement_share"] if m["agreement_share"] is not None else -1
        metadata[f"{m['measure']}_tickets_compared"] = m["tickets_compared"]
    return dg.AssetCheckResult(
        # disagreement is information (definitions differ at the edges), so it only warns
        passed=all(share >= RECONCILIATION_WARN_BELOW for share in shares),
        severity=dg.AssetCheckSeverity.WARN,
        metadata=metadata,
    )


# Dimensions that only one source fills (ingestion.settings.SOURCE_NAMES): while that source is off
# they are rightly empty, so their suite drops the "has rows" rule.
FED_BY_ONE_SOURCE = {"marts.dim_customer": "hubspot", "marts.dim_team": "zendesk"}

# (table, the column of its day or None to check it whole, the suite): one blocking check each
MART_SUITES: tuple[tuple[str, str | None, Callable[[list[str]], list]], ...] = (
    ("marts.fct_kpi_daily", "kpi_date", suites.fct_kpi_daily),
    ("marts.fct_tickets", "created_date", suites.fct_tickets),
    ("marts.fct_survey_responses", "submitted_date", suites.fct_survey_responses),
    ("marts.rpt_kpi_scorecard", None, suites.published_table),
    ("marts.rpt_kpi_breakdown", None, suites.published_table),
    ("marts.dim_customer", None, suites.published_table),
    ("marts.dim_team", None, suites.published_table),
    ("staging.stg_zendesk__tickets", "loaded_partition_date", suites.stg_zendesk__tickets),
)

quality_checks = [
    *(_mart_suite(*suite) for suite in MART_SUITES),
    ticket_freshness,
    reject_share,
    quarantine_share,
    volume_anomaly,
    zendesk_metric_reconciliation,
]
