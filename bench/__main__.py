"""`make bench`: the S, M and L sample sizes through ingestion, loading, dbt and the daily run.

    python -m bench [--sizes S,M,L] [--runs 3] [--out BENCHMARKS.md]

Every size ends on the same day. That day goes through the real pipeline from a loopback source;
the earlier days of M and L are copies of its raw rows (bench.history). Each measured step runs in
a process of its own, `--runs` times; BENCHMARKS.md gets the medians and the peak memory.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import duckdb

from bench import history, measure, report
from bench.measure import Runs
from ingestion.sample.server import SAMPLE_CREDENTIALS
from ingestion.settings import DEFAULT_HISTORY_START, DEFAULT_REPORTING_TIMEZONE, PROJECT_ROOT
from orchestration.defs.resources import dbt_executable

# About 10M tickets in the L warehouse: a day's raw partition holds ~27k ticket versions (the day's new
# tickets and older ones updated that day), and each copy of it (bench.history) gets ids of its own.
TICKETS_PER_DAY = 13_700
CUSTOMERS = 200_000
LAST_DAY = date(2026, 3, 31)  # every size ends on this day; S is this day alone
DAILY_DAY = LAST_DAY + timedelta(days=1)  # the day the daily run loads on top of a history
SAMPLE_NOW = "2026-04-02T00:00:00+08:00"  # the source's clock: both days are complete
SIZES = {"S": 1, "M": 90, "L": 365}
PARTITIONED_RAW = ("zendesk__tickets", "zendesk__ticket_events", "surveys__api_responses", "surveys__csv_responses")


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def sample_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZENDESK_", "HUBSPOT_", "SURVEY_", "CSKPI_"))}
    return {
        **env,
        "CSKPI_SAMPLE_TICKETS_PER_DAY": str(TICKETS_PER_DAY),
        "CSKPI_SAMPLE_CUSTOMERS": str(CUSTOMERS),
        "CSKPI_SAMPLE_NOW": SAMPLE_NOW,
        # The first answer of a cold source draws two weeks of tickets; later ones come from memory.
        "CSKPI_HTTP_TIMEOUT_SECONDS": "1800",
        "DAGSTER_HOME": str(work / "dagster_home"),
        "PYTHONUNBUFFERED": "1",
    }


def start_source(env: dict[str, str], requests_file: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    """The memoising loopback source, and the environment that points the connectors at it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.serve", str(requests_file)], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE
    )
    line = proc.stdout.readline().decode().split() if proc.stdout else []
    if not line or line[0] != "ready":
        proc.kill()
        raise RuntimeError("the benchmark's sample source did not start")
    url = line[1]
    return proc, {
        **env,
        "ZENDESK_BASE_URL": url,
        "ZENDESK_EMAIL": SAMPLE_CREDENTIALS["zendesk"]["email"],
        "ZENDESK_API_TOKEN": SAMPLE_CREDENTIALS["zendesk"]["api_token"],
        "HUBSPOT_BASE_URL": url,
        "HUBSPOT_ACCESS_TOKEN": SAMPLE_CREDENTIALS["hubspot"]["access_token"],
        "SURVEY_API_BASE_URL": url,
        "SURVEY_API_KEY": SAMPLE_CREDENTIALS["survey_api"]["api_key"],
        # the loopback source has no rate limit: pacing at Zendesk's 10 export requests a minute
        # would time the pacer, not the connectors
        "ZENDESK_EXPORT_REQUESTS_PER_MINUTE": "0",
        # a real account needs its own PII hash key; the benchmark's is throwaway
        "CSKPI_PII_HASH_KEY": env.get("CSKPI_PII_HASH_KEY") or secrets.token_hex(32),
    }


def in_dir(env: dict[str, str], data_dir: Path) -> dict[str, str]:
    return {**env, "CSKPI_DATA_DIR": str(data_dir), "CSKPI_WAREHOUSE_PATH": str(data_dir / "warehouse.duckdb")}


def cskpi_run(day: date) -> list[str]:
    return [str(Path(sys.executable).with_name("cskpi")), "run", "--start", day.isoformat(), "--end", day.isoformat()]


def empty_history(warehouse: Path) -> None:
    """A warehouse as after its first run, less every day of history: CRM, teams, agents, cursors."""
    with closing(duckdb.connect(str(warehouse))) as con:
        for table in PARTITIONED_RAW:
            con.execute(f"delete from raw.{table}")
        con.execute("delete from raw._rejects")
        for schema in ("staging", "intermediate", "marts", "reference"):
            con.execute(f"drop schema if exists {schema} cascade")
        con.execute("checkpoint")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "BENCHMARKS.md")
    parser.add_argument("--work", type=Path, default=PROJECT_ROOT / "data" / "bench")
    args = parser.parse_args(argv)
    sizes = [s.strip().upper() for s in args.sizes.split(",")]
    if unknown := [s for s in sizes if s not in SIZES]:
        parser.error(f"unknown size(s) {unknown}; choose from {', '.join(SIZES)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    started = time.perf_counter()
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    (work / "dagster_home").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / ".dagster_home" / "dagster.yaml", work / "dagster_home" / "dagster.yaml")
    log = work / "bench.log"
    say(f"work dir {work}; step output goes to {log}")

    env = {**sample_env(work), "CSKPI_SURVEY_DROP_DIR": str(work / "survey_drops")}
    source, source_env = start_source(env, work / "requests.jsonl")
    results: dict = {"sizes": {}, "runs": args.runs, "tickets_per_day": TICKETS_PER_DAY}
    try:
        say(f"writing the survey tools' CSV exports while the source warms for {LAST_DAY} (not timed) ...")
        drops = {"first": LAST_DAY.isoformat(), "last": DAILY_DAY.isoformat(), "drop_dir": str(work / "survey_drops")}
        warm = {"first": LAST_DAY.isoformat(), "last": LAST_DAY.isoformat(), "landing": str(work / "warm")}
        with ThreadPoolExecutor(max_workers=2) as pool:
            side_by_side = [
                pool.submit(measure.step, "survey_drops", drops, env, log, Runs()),
                pool.submit(measure.step, "fetch", warm, source_env, log, Runs()),
            ]
            for done in side_by_side:
                done.result()
        shutil.rmtree(work / "warm")
        env = source_env
        day_dir = size_data_dir(work, "S")
        say(f"building {LAST_DAY} through the pipeline (not timed) ...")
        measure.run(cskpi_run(LAST_DAY), in_dir(env, day_dir), log)
        results["ingestion"] = ingestion_steps(env, work, log, args.runs)
        empty = work / "empty" / "data"
        shutil.copytree(day_dir, empty)
        empty_history(empty / "warehouse.duckdb")
        for size in sizes:
            results["sizes"][size] = size_steps(size, env, work, day_dir, log, args.runs)
        results["daily"] = daily_runs(sizes, env, work, empty, log, args.runs)
    finally:
        source.send_signal(signal.SIGTERM)
        source.wait(timeout=30)
    results["total_seconds"] = time.perf_counter() - started
    report.write(args.out, results, sizes)
    say(f"done in {results['total_seconds'] / 60:.1f} min; figures in {args.out}")
    return 0


def ingestion_steps(env: dict[str, str], work: Path, log: Path, runs: int) -> dict[str, Runs]:
    """Steps 1 and 2 on the measured day: connectors vs bare fetch, loader vs read_json."""
    out = {name: Runs() for name in ("fetch", "bare_fetch", "load", "read_json")}
    day = {"first": LAST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
    for n in range(1, runs + 1):
        landing = work / "ingest" / f"landing-{n}"
        f = measure.step("fetch", {**day, "landing": str(landing)}, env, log, out["fetch"])
        b = measure.step(
            "bare_fetch",
            {"base_url": env["ZENDESK_BASE_URL"], "requests": str(work / "requests.jsonl"),
             "paths": ["/api/v2/incremental/", "/v1/survey_responses"]},
            env, log, out["bare_fetch"],
        )  # fmt: skip
        w = work / "ingest" / f"raw-{n}.duckdb"
        lo = measure.step("load", {**day, "landing": str(landing), "warehouse": str(w)}, env, log, out["load"])
        w2 = work / "ingest" / f"read_json-{n}.duckdb"
        rj_args = {**day, "landing": str(landing), "warehouse": str(w2)}
        rj = measure.step("read_json", rj_args, env, log, out["read_json"])
        say(
            f"ingestion run {n}/{runs}: connectors {f['records']:,} records in {f['seconds']:.1f} s, bare fetch "
            f"{b['seconds']:.1f} s; loader {lo['seconds']:.1f} s, read_json {rj['seconds']:.1f} s"
        )
        shutil.rmtree(landing)
        w.unlink()
        w2.unlink()
    return out


def size_steps(size: str, env: dict[str, str], work: Path, day_dir: Path, log: Path, runs: int) -> dict:
    """Step 3 at one size: dbt build of every mart over the history vs the hand-written floor query."""
    days = SIZES[size]
    data = size_data_dir(work, size)
    if size != "S":
        shutil.copytree(day_dir, data)
        say(f"{size}: making {days} days of raw history from {LAST_DAY}'s rows ...")
        history.repeat_day(data / "warehouse.duckdb", LAST_DAY, days, say)
    warehouse = data / "warehouse.duckdb"
    # sample_env drops the caller's CSKPI_ settings, so the bench's steps run on the defaults; dbt
    # reads the shared ones from the environment (ingestion/settings.py, Settings.dbt_env)
    dbt_env = {
        **in_dir(env, data),
        "CSKPI_REPORTING_TIMEZONE": DEFAULT_REPORTING_TIMEZONE,
        "CSKPI_HISTORY_START": DEFAULT_HISTORY_START,
        "DBT_INDIRECT_SELECTION": "buildable",
    }
    dbt_build = [
        dbt_executable(), "build", "--full-refresh", "--project-dir", "dbt_project", "--profiles-dir", "dbt_project",
        "--target-path", str(work / "dbt_target"), "--log-path", str(work / "dbt_logs"),
    ]  # fmt: skip
    out = {"days": days, "dbt_build": Runs(), "floor": Runs()}
    for n in range(1, runs + 1):
        measure.command(dbt_build, dbt_env, log, out["dbt_build"])
        measure.step("floor_kpi_daily", {"warehouse": str(warehouse)}, env, log, out["floor"])
        say(
            f"{size} ({days} days) run {n}/{runs}: dbt build {out['dbt_build'].seconds[-1]:.1f} s, "
            f"floor query {out['floor'].seconds[-1]:.1f} s"
        )
    out["counts"] = measure.ask("raw_counts", {"warehouse": str(warehouse)}, env, log)
    out["slowest_nodes"] = report.slowest_dbt_nodes(work / "dbt_target" / "run_results.json")
    return out


def step_profile(env: dict[str, str], log: Path, printed: str) -> dict[str, float]:
    """Seconds per Dagster step of the run the CLI printed ("run <id> succeeded in ..."), slowest first."""
    run_id = re.search(r"^run (\S+) (?:succeeded|FAILED)", printed, re.MULTILINE)
    return measure.ask("dagster_step_seconds", {"run_id": run_id.group(1)}, env, log) if run_id else {}


def size_data_dir(work: Path, size: str) -> Path:
    """Where a size's warehouse lives: S is the measured day's own warehouse."""
    return work / ("day" if size == "S" else size) / "data"


def daily_runs(sizes: list[str], env: dict[str, str], work: Path, empty: Path, log: Path, runs: int) -> dict:
    """Step 4: the daily run of the next day on an empty warehouse and on top of each size's history."""
    out: dict[str, Runs] = {"empty": Runs()}
    say(f"warming the source for {DAILY_DAY} (not timed) ...")
    warm = {"first": DAILY_DAY.isoformat(), "last": DAILY_DAY.isoformat(), "landing": str(work / "warm")}
    measure.step("fetch", warm, env, log, Runs())
    shutil.rmtree(work / "warm")
    for n in range(1, runs + 1):
        fresh = work / "daily-empty" / "data"
        shutil.rmtree(fresh.parent, ignore_errors=True)
        shutil.copytree(empty, fresh)
        printed = measure.command(cskpi_run(DAILY_DAY), in_dir(env, fresh), log, out["empty"])
        out["empty"].detail = step_profile(env, log, printed)
        say(f"daily run on empty, run {n}/{runs}: {out['empty'].seconds[-1]:.1f} s")
    # on the largest history measured: L, or the last size asked for
    for size in ["L" if "L" in sizes else sizes[-1]]:
        data = size_data_dir(work, size)
        out[size] = Runs()
        for n in range(1, runs + 1):
            printed = measure.command(cskpi_run(DAILY_DAY), in_dir(env, data), log, out[size])
            out[size].detail = step_profile(env, log, printed)
            say(f"daily run on the {size} history, run {n}/{runs}: {out[size].seconds[-1]:.1f} s")
    return out


if __name__ == "__main__":
    sys.exit(main())
