"""The failed-run alert: a sensor the daemon runs, posting one message per failed run to a webhook."""

from __future__ import annotations

import dagster as dg
import requests

from ingestion.settings import load_settings
from orchestration.cli import run_failures
from orchestration.defs.partitions import PARTITION, RANGE_END, RANGE_START

WEBHOOK_TIMEOUT_SECONDS = 10


def alert_text(run: dg.DagsterRun, events: list[dg.DagsterEvent], dagster_url: str | None) -> str:
    """One message: which job failed for which days, why (the same causes `cskpi run` prints) and
    where to look."""
    tags = run.tags
    if RANGE_START in tags:
        days = tags[RANGE_START] if tags[RANGE_START] == tags[RANGE_END] else f"{tags[RANGE_START]}..{tags[RANGE_END]}"
    else:
        days = tags.get(PARTITION, "no partition")
    causes = run_failures(events)
    if not causes:  # no step or check said why (the run worker died): the run's own failure message
        causes = [next((e.message for e in reversed(events) if e.is_failure and e.message), "no cause recorded")]
    where = f"{dagster_url.rstrip('/')}/runs/{run.run_id}" if dagster_url else f"run {run.run_id} in the Dagster UI"
    return f"cs-kpi-warehouse: {run.job_name} FAILED for {days}: {'; '.join(causes)}. See {where}"


@dg.run_failure_sensor(
    name="run_failure_alert",
    description=(
        "Posts one message for each failed run on this instance (the schedule's, a backfill's, `cskpi run`'s) "
        "to the webhook in CSKPI_ALERT_WEBHOOK_URL: the job, its days, what stopped it and a link to the run "
        "(CSKPI_DAGSTER_URL). Without a webhook each failure is a skipped tick naming the run. Needs the daemon."
    ),
    # `cskpi run` starts its runs outside the code location; they fail on the same instance
    monitor_all_code_locations=True,
    # an alert that has to be switched on is one nobody gets
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> dg.SkipReason | None:
    settings = load_settings()
    run = context.dagster_run
    if not settings.alert_webhook_url:
        return dg.SkipReason(
            f"run {run.run_id} of {run.job_name} failed; no alert sent: CSKPI_ALERT_WEBHOOK_URL is unset"
        )
    events = [entry.dagster_event for entry in context.instance.all_logs(run.run_id) if entry.dagster_event]
    text = alert_text(run, events, settings.dagster_url)
    try:
        response = requests.post(settings.alert_webhook_url, json={"text": text}, timeout=WEBHOOK_TIMEOUT_SECONDS)
    except requests.RequestException as exc:  # the URL holds the webhook's token: never in the message
        raise RuntimeError(
            f"run_failure_alert: the webhook did not answer ({type(exc).__name__}): check CSKPI_ALERT_WEBHOOK_URL"
        ) from None
    if not response.ok:
        raise RuntimeError(
            f"run_failure_alert: the webhook answered HTTP {response.status_code} ({response.text[:200]!r}): "
            "check CSKPI_ALERT_WEBHOOK_URL"
        )
    context.log.info(f"alert sent for run {run.run_id}")
    return None
