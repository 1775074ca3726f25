"""The measured steps, each run in a process of its own so its peak memory can be read.

    python -m bench.steps STEP JSON_ARGS      # prints one JSON line: what the step did and its seconds

Seconds are taken inside the step, around the work only (not the interpreter's start); the parent
reads peak resident memory from the process's rusage.
"""

from __future__ import annotations

import base64
import http.client
import json
import sys
import time
from collections.abc import Callable
from contextlib import closing
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import duckdb

from ingestion import loader, pipeline
from ingestion.clients import open_client
from ingestion.landing import LandingBatch
from ingestion.local_days import day_bounds
from ingestion.sample.server import SAMPLE_CREDENTIALS
from ingestion.settings import load_settings
from ingestion.sources import survey_api, zendesk
from ingestion.streams import SURVEY_API_RESPONSES, ZENDESK_TICKET_EVENTS, ZENDESK_TICKETS, StreamSpec

# The partitioned HTTP streams: what a day's ingestion fetches from the APIs.
DAILY_HTTP_STREAMS: tuple[tuple[StreamSpec, str, Callable], ...] = (
    (ZENDESK_TICKETS, "zendesk", zendesk.fetch_tickets),
    (ZENDESK_TICKET_EVENTS, "zendesk", zendesk.fetch_ticket_events),
    (SURVEY_API_RESPONSES, "survey_api", survey_api.fetch_responses),
)
# How the floor turns each stream's pages into the records the loader counts: tickets and survey
# responses as they come, ticket events as the child events of each audit.
RECORD_SELECTS = {
    "tickets": "select unnest(tickets) as rec from {source}",
    "ticket_events": "select unnest(audit.child_events) as rec from "
    "(select unnest(ticket_events) as audit from {source})",
    "api_responses": "select * from {source}",
}


def _days(args: dict) -> list[date]:
    return list(pipeline.days(date.fromisoformat(args["first"]), date.fromisoformat(args["last"])))


def fetch(args: dict) -> dict:
    """The connectors: every page of the day's partitioned HTTP streams, landed as received."""
    settings = load_settings()
    landing = Path(args["landing"])
    records = pages = 0
    started = time.perf_counter()
    for spec, source, fetch_stream in DAILY_HTTP_STREAMS:
        with open_client(settings, source) as client:
            for day in _days(args):
                batch = LandingBatch(landing, spec.source, spec.stream, day.isoformat())
                result = fetch_stream(client, batch, *day_bounds(settings.reporting_timezone, day))
                records += result.records
                pages += result.pages
    return {"seconds": time.perf_counter() - started, "records": records, "pages": pages}


def bare_fetch(args: dict) -> dict:
    """The floor: the same requests, replayed in order over one keep-alive connection, bodies read."""
    base = urlparse(args["base_url"])
    auth = {
        "/api/": "Basic "
        + base64.b64encode(
            f"{SAMPLE_CREDENTIALS['zendesk']['email']}/token:{SAMPLE_CREDENTIALS['zendesk']['api_token']}".encode()
        ).decode(),
        "/v1/": "Basic " + base64.b64encode(f"{SAMPLE_CREDENTIALS['survey_api']['api_key']}:".encode()).decode(),
        "/crm/": f"Bearer {SAMPLE_CREDENTIALS['hubspot']['access_token']}",
    }
    wanted = [json.loads(line) for line in Path(args["requests"]).read_text().splitlines()]
    wanted = [r for r in wanted if r["path"].startswith(tuple(args["paths"]))]
    conn = http.client.HTTPConnection(base.hostname, base.port)
    received = 0
    started = time.perf_counter()
    for r in wanted:
        header = next(v for prefix, v in auth.items() if r["path"].startswith(prefix))
        conn.request(r["method"], r["path"], body=base64.b64decode(r["body"]) or None,
                     headers={"Authorization": header})  # fmt: skip
        response = conn.getresponse()
        received += len(response.read())
        if response.status != 200:
            raise RuntimeError(f"bare fetch: {r['method']} {r['path']} answered {response.status}")
    seconds = time.perf_counter() - started
    conn.close()
    return {"seconds": seconds, "requests": len(wanted), "bytes": received}


def _landed(landing: Path, spec: StreamSpec, day: date) -> list[Path]:
    return sorted((landing / spec.source / spec.stream / day.isoformat()).glob("*/page-*.json"))


def load(args: dict) -> dict:
    """The loader: each stream and day bulk-loaded into raw, one transaction each, as the pipeline does."""
    settings = load_settings()
    landing = Path(args["landing"])
    records = 0
    with closing(loader.connect(Path(args["warehouse"]))) as con:
        started = time.perf_counter()
        for spec, _, _ in DAILY_HTTP_STREAMS:
            for day in _days(args):
                files = _landed(landing, spec, day)
                result = loader.load(con, spec, files, run_id="bench", batch_id="bench", landing_dir=None,
                                     pages=len(files), window=pipeline.day_window(settings, day))  # fmt: skip
                records += result.records_fetched
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "records": records}


def read_json(args: dict) -> dict:
    """The floor: DuckDB's read_json over the same files, each stream's records into a table."""
    landing = Path(args["landing"])
    records = 0
    with closing(duckdb.connect(args["warehouse"])) as con:
        started = time.perf_counter()
        for spec, _, _ in DAILY_HTTP_STREAMS:
            files = [str(f) for day in _days(args) for f in _landed(landing, spec, day)]
            select = RECORD_SELECTS[spec.stream].format(source=f"read_json({files})")
            con.execute(f"create or replace table floor_{spec.stream} as {select}")
            records += con.execute(f"select count(*) from floor_{spec.stream}").fetchone()[0]
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "records": records}


def floor_kpi_daily(args: dict) -> dict:
    """The floor of the dbt build: one hand-written DuckDB query computing fct_kpi_daily from raw."""
    from bench.floor import floor_kpi_daily_sql
    from ingestion.settings import PROJECT_ROOT

    sql = floor_kpi_daily_sql(PROJECT_ROOT / "dbt_project" / "seeds")
    with closing(duckdb.connect(args["warehouse"], read_only=True)) as con:
        started = time.perf_counter()
        con.execute(f"create temp table floor_kpi_daily as {sql}")
        rows = con.execute("select count(*) from floor_kpi_daily").fetchone()[0]
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": rows}


def survey_drops(args: dict) -> dict:
    """Write each survey tool's exports of the days into the drop folder, once, before anything is timed.

    The pipeline otherwise draws them from the sample in-process on every run."""
    from ingestion.sample.exports import write_sample_exports
    from ingestion.sample.source import SampleSource
    from ingestion.sources.survey_csv import load_mappings

    started = time.perf_counter()
    source, drop_dir = SampleSource.from_env(), Path(args["drop_dir"])
    mappings = load_mappings(load_settings().survey_mapping_dir)
    first, last = date.fromisoformat(args["first"]), date.fromisoformat(args["last"])
    files = write_sample_exports(source, mappings, drop_dir, first, last)
    return {"seconds": time.perf_counter() - started, "files": len(files)}


def raw_counts(args: dict) -> dict:
    """Row counts of the raw tables a size is made of, and of fct_tickets."""
    tables = ("raw.zendesk__tickets", "raw.zendesk__ticket_events", "raw.surveys__api_responses",
              "raw.surveys__csv_responses", "raw.hubspot__contacts", "marts.fct_tickets")  # fmt: skip
    with closing(duckdb.connect(args["warehouse"], read_only=True)) as con:
        return {t.split(".")[1]: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


def dagster_step_seconds(args: dict) -> dict:
    """Seconds per Dagster step of a run (from the instance in DAGSTER_HOME), slowest first."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        stats = instance.get_run_step_stats(args["run_id"])
    seconds = {s.step_key: round((s.end_time or 0) - (s.start_time or 0), 1) for s in stats}
    return dict(sorted(seconds.items(), key=lambda kv: -kv[1]))


STEPS: dict[str, Callable[[dict], dict]] = {
    "raw_counts": raw_counts,
    "dagster_step_seconds": dagster_step_seconds,
    "survey_drops": survey_drops,
    "fetch": fetch,
    "bare_fetch": bare_fetch,
    "load": load,
    "read_json": read_json,
    "floor_kpi_daily": floor_kpi_daily,
}

if __name__ == "__main__":
    step, raw_args = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "{}"
    print(json.dumps(STEPS[step](json.loads(raw_args))), flush=True)
