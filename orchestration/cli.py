"""`cskpi`: run the main job over a range of days in one run, and the demo on the sample.

cskpi run --start 2026-03-01 --end 2026-03-31   # one run, every day in the range
cskpi report [--period 2026-03] [--language zh-CN] [--edition manager]  # the service-level report
cskpi demo [--days N]                           # the sample: the previous month to yesterday, or N days
cskpi dbt build --full-refresh                  # dbt on the project, with the settings it reads from the env

`run` loads the configured sources; one that is not configured is off. `demo` sets CSKPI_SOURCES=sample.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import tenacity

from orchestration.report_builder.format import kpi_label, kpi_value

if TYPE_CHECKING:
    from ingestion.settings import Settings
    from orchestration.run_log import RunLog


def _is_locked(exc: BaseException) -> bool:
    """DuckDB's answer while another process writes the file; any other IO error will not pass."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


# DuckDB lets no other process open a file while one writes it. The summary after a run reads
# outside the writer pool, so it waits (up to 30 min) for another run's write to finish; a missing
# or unreadable warehouse fails at once.
_wait_for_warehouse = tenacity.retry(
    retry=tenacity.retry_if_exception(_is_locked),
    wait=tenacity.wait_fixed(2),
    stop=tenacity.stop_after_delay(1800),
    before_sleep=lambda state: print("warehouse busy (another run is writing); waiting ...", flush=True),
    reraise=True,
)


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day like 2026-03-01") from None


def refuse_bad_settings() -> None:
    """Stop before a run starts on settings that cannot be right, with one line saying what to set.

    Today: a real account with no PII hash key (ingestion.pii), which would hash its customers'
    emails and phones with the public sample key; and a survey mapping that cannot be read, which
    would fail the run's survey step after every other source had loaded.
    """
    from ingestion.errors import ConfigError, SurveyMappingError
    from ingestion.pii import pii_hashing
    from ingestion.settings import load_settings
    from ingestion.sources.survey_csv import load_mappings

    settings = load_settings()
    try:
        pii_hashing(settings)
        if settings.source_mode("survey_csv") != "off":
            load_mappings(settings.survey_mapping_dir)
    except (ConfigError, SurveyMappingError) as exc:
        raise SystemExit(f"cskpi: {exc}") from None


def refuse_bad_range(first: date, last: date, history_start: date) -> None:
    """Stop on a range no run can build, with one line saying what to do instead. The last day a run
    can build is yesterday in the reporting timezone: today's partition exists once the day ends."""
    from ingestion.settings import load_settings

    settings = load_settings()
    yesterday = datetime.now(settings.tz).date() - timedelta(days=1)
    if last < first:
        raise SystemExit(f"cskpi: --end {last} is before --start {first}: swap them")
    if first < history_start:
        raise SystemExit(
            f"cskpi: --start {first} is before the history start {history_start}: "
            "set CSKPI_HISTORY_START to that day or earlier, or start later"
        )
    if last > yesterday:
        raise SystemExit(
            f"cskpi: --end {last} has not ended yet in {settings.reporting_timezone} "
            f"(the last full day is {yesterday}): end on {yesterday} or earlier"
        )


def run_failures(events: list) -> list[str]:
    """What stopped a run, from its own events (DagsterEvents: an in-process result's, or the event
    log's for the failure alert): the errors of its failed steps (run_log.error_cause: a source's
    message, not the library's under it), steps that failed alike counted together, then each failed
    blocking check. Steps skipped because an upstream step failed are not causes and are not listed."""
    import dagster as dg

    from orchestration.run_log import error_cause

    steps_by_cause: dict[str, list[str]] = {}
    for event in events:
        if not event.is_step_failure or event.step_failure_data is None or event.step_failure_data.error is None:
            continue
        steps_by_cause.setdefault(error_cause(event.step_failure_data.error), []).append(event.step_key)
    causes = []
    for message, steps in steps_by_cause.items():
        also = f" and {len(steps) - 1} more" if len(steps) > 1 else ""
        causes.append(f"step {steps[0]}{also} failed: {message}")
    evaluations = [e.event_specific_data for e in events if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION]
    for evaluation in evaluations:
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            causes.append(f"check {evaluation.check_name} of {evaluation.asset_key.to_user_string()} failed")
    return causes


PID_TAG, HOST_TAG = "cskpi/pid", "cskpi/host"


def _cli_process_alive(pid: int) -> bool:
    """Whether pid is a live cskpi process (a pid reused by another program does not count)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"cskpi" in cmdline or b"orchestration.cli" in cmdline


def release_abandoned_slots(instance) -> list[str]:
    """Free the DuckDB writer pool's slots of runs that can no longer free them; one line for each.

    Dagster frees a step's slot when the step ends. A CLI run killed mid-step (SIGKILL, a closed
    terminal, a timeout) never ends, and its slot would block every later run forever. A run that has
    finished, or a CLI run on this host whose process is gone, is marked failed and its slots freed. A
    run of the daemon or the UI is left to Dagster's run monitoring (docs/deploy.md).
    """
    from orchestration.defs.pools import DUCKDB_WRITERS

    storage = instance.event_log_storage
    info = storage.get_concurrency_info(DUCKDB_WRITERS)
    lines = []
    for run_id in sorted({c.run_id for c in info.claimed_slots} | {p.run_id for p in info.pending_steps}):
        run = instance.get_run_by_id(run_id)
        if run is not None and not run.is_finished:
            pid, host = run.tags.get(PID_TAG), run.tags.get(HOST_TAG)
            if pid is None or host != socket.gethostname() or _cli_process_alive(int(pid)):
                continue  # still running, or not ours to judge
            instance.report_run_failed(run, f"its process (pid {pid}) ended without finishing the run")
            lines.append(
                f"run {run_id} was killed mid-step (its process, pid {pid}, is gone): marked failed, and its "
                f"{DUCKDB_WRITERS} slot freed"
            )
        storage.free_concurrency_slots_for_run(run_id)
    return lines


def run_range(first: date, last: date, log: RunLog) -> tuple[bool, str, list[str]]:
    """Materialise every asset for the days [first, last] in one Dagster run; (success, run id,
    what stopped it). The terminal gets each step's progress; the log file everything."""
    import dagster as dg

    from orchestration.definitions import defs

    job = defs.resolve_job_def("daily_kpi_job")
    with dg.DagsterInstance.get() as instance:
        for line in release_abandoned_slots(instance):
            print(line, flush=True)
        result = job.execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": first.isoformat(),
                "dagster/asset_partition_range_end": last.isoformat(),
                # whose process runs it, so a later run can tell a run killed mid-step (release_abandoned_slots)
                PID_TAG: str(os.getpid()),
                HOST_TAG: socket.gethostname(),
            },
            raise_on_error=False,
            run_config=log.run_config(),
        )
    return result.success, result.run_id, run_failures(result.all_events)


@_wait_for_warehouse
def warehouse_summary(run_id: str) -> tuple[list[dict], list[tuple]]:
    """(per-stream counts of the run's loads, row counts of raw and staging tables)."""
    from ingestion.loader import ledger_summary
    from ingestion.settings import load_settings

    settings = load_settings()
    if not settings.warehouse_path.exists():
        raise SystemExit(
            f"cskpi: no warehouse at {settings.warehouse_path}: the run wrote none (see its log above), "
            "or CSKPI_WAREHOUSE_PATH points elsewhere"
        )
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True, config=settings.duckdb_config)) as con:
        streams = ledger_summary(con, run_id)
        tables = con.execute(
            # tables only: counting a staging view deduplicates all history, minutes on a large warehouse
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('raw', 'intermediate', 'marts') and table_type = 'BASE TABLE' "
            "and table_name <> '_ingest_ledger' order by 1"
        ).fetchall()
        counts = [(t, con.execute(f"select count(*) from {t}").fetchone()[0]) for (t,) in tables]
    return streams, counts


def print_summary(run_id: str) -> None:
    streams, counts = warehouse_summary(run_id)
    # fetched = loaded + rejected + duplicates + outside; "unaccounted" is what breaks that (should be 0)
    heads = ("fetched", "loaded", "rejected", "duplicates", "outside", "unaccounted")
    print(f"\n{'stream':<34}" + "".join(f"{h:>12}" for h in heads))
    for s in streams:
        parts = s["loaded"] + s["rejected"] + s["duplicates_dropped"] + s["outside_window"]
        row = (
            s["fetched"],
            s["loaded"],
            s["rejected"],
            s["duplicates_dropped"],
            s["outside_window"],
            s["fetched"] - parts,
        )
        print(f"{s['stream']:<34}" + "".join(f"{v:>12}" for v in row))
    print("\nwarehouse tables (rows):")
    for table, n in counts:
        print(f"  {table:<40}{n:>10}")


@_wait_for_warehouse
def _scorecard_rows(week_start: date) -> list[tuple]:
    from ingestion.settings import load_settings

    settings = load_settings()
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True, config=settings.duckdb_config)) as con:
        return con.execute(
            "select kpi_code, kpi_name, better, target_value, actual_value, is_target_met, previous_value "
            "from marts.rpt_kpi_scorecard where period_type = 'week' and period_start = ? order by kpi_code",
            [week_start],
        ).fetchall()


def print_scorecard(week_start: date) -> None:
    """The scorecard of one ISO week: KPI, target, actual, met / not met, previous week."""
    rows = _scorecard_rows(week_start)
    print(f"\nscorecard, week of {week_start} (ISO week {week_start.isocalendar().week}):")
    print(f"  {'KPI':<36}{'target':>12}{'actual':>12}  {'status':<9}{'previous':>12}")
    for code, name, better, target, actual, met, previous in rows:
        goal = "-" if target is None else ("<= " if better == "lower" else ">= ") + kpi_value(code, target)
        status = "tracked" if met is None else ("met" if met else "NOT MET")
        name = kpi_label(code, name)  # durations in the report's unit, named in the label
        print(f"  {name:<36}{goal:>12}{kpi_value(code, actual):>12}  {status:<9}{kpi_value(code, previous):>12}")


def redact_dsn(dsn: str) -> str:
    """A PostgreSQL DSN (URL or key=value form) fit to print: its password replaced by ***."""
    url = re.sub(r"^(postgres(?:ql)?://[^:/@]*):[^@]*@", r"\1:***@", dsn)
    return re.sub(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", url)


def print_published(settings, ok: bool, failures: list[str] | None = None) -> None:
    """Where BI users find the audited marts, and the Great Expectations Data Docs. A failed run
    says what stopped it (its own events) and that what BI reads is an earlier run's."""
    failures = failures or []
    if not ok:
        cause = failures[0] if failures else "the run failed (see its log above)"
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        print(f"NOT PUBLISHED: {cause}{more}; the served marts are unchanged")
        for other in failures[1:]:
            print(f"  also: {other}")
    snapshot = settings.snapshot_path
    served = "published" if ok else "served, unchanged from an earlier run,"
    if snapshot.exists():
        print(f"{served} DuckDB snapshot (for BI): {snapshot}")
        print(f"{served} Parquet: {settings.serving_dir / 'parquet'}")
    if settings.serving_postgres_dsn:
        print(f"{served} PostgreSQL: schema marts at {redact_dsn(settings.serving_postgres_dsn)} (role bi_reader)")
        print(f"BI connection files: {settings.serving_dir / 'bi'} (.pbids for Power BI, .tds for Tableau)")
    else:
        print("PostgreSQL serving: set SERVING_POSTGRES_DSN to publish the marts there too (docs/bi.md)")
    docs = settings.gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    if docs.exists():
        print(f"data quality Data Docs: {docs} (needs a network for its styles)")
    offline = settings.gx_dir / "offline_results" / "index.html"
    if offline.exists():
        print(f"data quality results, readable offline: {offline}")


REPORT_ASSET = ("report", "service_level_report")


def print_report(run_id: str) -> None:
    """Where the run wrote the service-level report, if it wrote one."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(list(REPORT_ASSET)))
    if event is None or event.run_id != run_id or event.asset_materialization is None:
        print("service-level report: not written by this run")
        return
    metadata = event.asset_materialization.metadata
    print(f"service-level report ({metadata['period'].value}): {metadata['path'].value}")
    if "sources" in metadata:
        print(metadata["sources"].value)


def _cmd_report(args: argparse.Namespace, log: RunLog) -> int:
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.report_builder.period import parse_period

    if args.period:
        try:
            parse_period(args.period)
        except ValueError as exc:
            raise SystemExit(f"cskpi: {exc}") from None
    config = {
        "ops": {
            "__".join(REPORT_ASSET): {
                "config": {"period": args.period or "", "language": args.language, "edition": args.edition}
            }
        },
        # the terminal gets only the verdict below; the log file everything
        **log.run_config(terminal_level="CRITICAL"),
    }
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=instance, asset_selection=[dg.AssetKey(list(REPORT_ASSET))], run_config=config,
            raise_on_error=False,
        )  # fmt: skip
    if not result.success:
        causes = run_failures(result.all_events)
        detail = causes[0].split(" failed: ", 1)[-1] if causes else "the report's step failed"
        print(f"cskpi: service-level report FAILED: {detail} (full log: {log.path})", file=sys.stderr)
        return 1
    print_report(result.run_id)
    return 0


def print_sources(settings: Settings) -> None:
    """Each source's mode before a run starts: an off source is the one line to act on."""
    from ingestion.settings import SOURCE_NAMES

    print("sources: " + ", ".join(f"{s} ({settings.source_mode(s)})" for s in SOURCE_NAMES))
    for source in SOURCE_NAMES:
        if off := settings.source_off(source):
            print(f"  {off}")


def _cmd_run(args: argparse.Namespace, log: RunLog) -> int:
    from ingestion.settings import load_settings

    # before loading Dagster and the definitions: a config error or a bad range answers at once
    refuse_bad_settings()
    refuse_bad_range(args.start, args.end, load_settings().history_start)
    print_sources(load_settings())
    started = time.monotonic()
    ok, run_id, failures = run_range(args.start, args.end, log)
    print_summary(run_id)
    print(f"\nrun {run_id} {'succeeded' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
    print_published(load_settings(), ok, failures)
    if ok:
        print_report(run_id)
    print(f"full log (tracebacks included): {log.path}")
    return 0 if ok else 1


def _cmd_demo(args: argparse.Namespace, log: RunLog) -> int:
    from ingestion.settings import SOURCES_SAMPLE, load_settings

    # The demo is the one run that serves unconfigured sources from the sample; the Dagster run
    # below reads the same environment.
    os.environ["CSKPI_SOURCES"] = SOURCES_SAMPLE
    settings = load_settings()
    today = datetime.now(settings.tz).date()
    # Pin the sample's clock to the start of today, so a second demo run today sees the same data.
    os.environ.setdefault(
        "CSKPI_SAMPLE_NOW", datetime(today.year, today.month, today.day, tzinfo=settings.tz).isoformat()
    )
    last = today - timedelta(days=1)
    # By default the whole previous month is in: the report's default period, the last full month, is complete.
    previous_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    first = today - timedelta(days=args.days) if args.days else previous_month
    # The sample's history starts on the demo's first day: the look-back's days before it hold only
    # what reached them from later days, and the marts and the report mark them incomplete.
    os.environ.setdefault("CSKPI_HISTORY_START", first.isoformat())
    print(
        f"cs-kpi-warehouse demo: the embedded sample, {first} .. {last} ({(last - first).days + 1} daily partitions, "
        f"one run), timezone {settings.reporting_timezone}"
    )
    refuse_bad_settings()
    refuse_bad_range(first, last, load_settings().history_start)
    print_sources(settings)
    started = time.monotonic()
    ok, run_id, failures = run_range(first, last, log)
    print_summary(run_id)
    print(f"\nrun {run_id} {'succeeded' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
    if ok:
        this_monday = today - timedelta(days=today.weekday())
        print_scorecard(this_monday - timedelta(days=7))
    print(f"warehouse (pipeline only): {settings.warehouse_path}")
    print(f"landing zone: {settings.landing_dir}")
    print_published(settings, ok, failures)
    print("open the Dagster UI on this warehouse and run history: make dev  (then http://127.0.0.1:3000)")
    if ok:
        print_report(run_id)
    print(f"full log (tracebacks included): {log.path}")
    return 0 if ok else 1


def run_dbt(dbt_args: list[str]) -> int:
    """dbt on the project by hand, with the environment the pipeline gives it (Settings.dbt_env: the
    reporting timezone, the history start, the warehouse), which dbt_project.yml has no default for."""
    from ingestion.settings import load_settings
    from orchestration.defs.dbt.project import DBT_PROJECT_DIR
    from orchestration.defs.resources import dbt_executable

    # a dbt command (build, test, docs generate ...) gets the project; a bare option (--version) not
    project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    command = [dbt_executable(), *dbt_args, *(project if dbt_args[:1] and not dbt_args[0].startswith("-") else [])]
    return subprocess.call(command, env={**os.environ, **load_settings().dbt_env()})


def main(argv: list[str] | None = None) -> int:
    from ingestion.settings import PROJECT_ROOT

    argv = sys.argv[1:] if argv is None else argv
    # The project's own instance (its dagster.yaml holds the DuckDB writer pool), as `make` sets it,
    # so cskpi works on its own; a deployment sets its own DAGSTER_HOME (deploy/).
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))
    if argv[:1] == ["dbt"]:  # every later argument is dbt's, options included
        return run_dbt(argv[1:])
    parser = argparse.ArgumentParser(prog="cskpi", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    # every command writes its full log, tracebacks included, to <data dir>/logs/ (orchestration.run_log)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose", action="store_true", help="print the full log, tracebacks included, on the terminal too"
    )
    run = sub.add_parser(
        "run",
        parents=[common],
        help="materialise every asset for a range of days, in one run",
        description="Load the configured sources, build the marts, check them, publish them and write the "
        "report for the local days from --start to --end, in one Dagster run. Days are calendar days in "
        "CSKPI_REPORTING_TIMEZONE, from CSKPI_HISTORY_START to yesterday. A source that is not configured "
        "is off (the line printed first says what to set). Exit status 0 when the run succeeded and published.",
    )
    run.add_argument("--start", type=_parse_day, required=True, metavar="YYYY-MM-DD", help="first day")
    run.add_argument("--end", type=_parse_day, required=True, metavar="YYYY-MM-DD", help="last day, inclusive")
    run.set_defaults(func=_cmd_run)
    report = sub.add_parser(
        "report",
        parents=[common],
        help="write the service-level report (HTML) from the published marts",
        description="Write the service-level report of a period from the published marts (the DuckDB "
        "snapshot a run publishes) into the data folder's reports/, and print its path.",
    )
    report.add_argument(
        "--period", default="", help="2026-03 (month), 2026-W11 (ISO week) or 2026-Q1; default: the last full month"
    )
    report.add_argument(
        "--language", default="", choices=["", "en", "zh-CN"], metavar="{en,zh-CN}",
        help="the report's language (default: CSKPI_REPORT_LANGUAGE, else en)",
    )  # fmt: skip
    report.add_argument(
        "--edition", default="default", choices=["default", "manager"],
        help="manager: add the agent league table, which names agents (staff data), in a file of its own",
    )  # fmt: skip
    report.set_defaults(func=_cmd_report)
    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="run the last N full days on the embedded sample",
        description="Run the whole pipeline on the embedded sample (CSKPI_SOURCES=sample): the previous month "
        "and this month to yesterday, or the last N days, in one run; then print the last full week's "
        "scorecard and the report's path. The sample's history starts on the demo's first day.",
    )
    demo.add_argument(
        "--days", type=int, default=None, help="the last N full days (default: the previous month and this one so far)"
    )
    demo.set_defaults(func=_cmd_demo)
    dbt = sub.add_parser(
        "dbt",
        help="run dbt on the project (e.g. cskpi dbt build --full-refresh) with the settings",
        description="dbt on the project's dbt_project/ with the environment the pipeline gives it (the "
        "reporting timezone, the history start, the warehouse path and DuckDB's memory cap), which "
        "dbt_project.yml has no default for. Every argument after `dbt` is dbt's.",
    )
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, help="dbt's command and arguments")
    args = parser.parse_args(argv)
    return _run_command(args)


def _run_command(args: argparse.Namespace) -> int:
    """The command, with its log (RunLog); an error it did not expect is one line naming the log
    file that holds its traceback (--verbose: the traceback on the terminal)."""
    from ingestion.errors import ConfigError, IngestionError
    from ingestion.settings import load_settings
    from orchestration.run_log import RunLog

    try:
        log = RunLog.for_command(load_settings().data_dir, args.command, args.verbose)
    except ConfigError as exc:
        raise SystemExit(f"cskpi: {exc}") from None
    try:
        return args.func(args, log)
    except ConfigError as exc:
        raise SystemExit(f"cskpi: {exc}") from None
    except KeyboardInterrupt:
        raise SystemExit(
            "cskpi: interrupted; a run's committed loads are kept, the next run goes on from them"
        ) from None
    except Exception as exc:
        if args.verbose:
            raise
        log.write_traceback()
        what = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        kind = "" if isinstance(exc, IngestionError) else f"{type(exc).__name__}: "
        raise SystemExit(f"cskpi: {kind}{what} (traceback in {log.path}; --verbose prints it)") from None


if __name__ == "__main__":
    sys.exit(main())
