"""BENCHMARKS.md: the machine, the date and the medians, between markers so notes around them stay."""

from __future__ import annotations

import json
import os
import platform
from datetime import date
from importlib.metadata import version
from pathlib import Path

from bench.measure import Runs

BEGIN, END = "<!-- bench:begin (written by make bench) -->", "<!-- bench:end -->"
GOALS = {"dbt_vs_floor": 3.0, "daily_vs_empty": 1.5, "peak_mib_at_L": 4096}


def slowest_dbt_nodes(run_results: Path, top: int = 6) -> list[tuple[str, float]]:
    results = json.loads(run_results.read_text())["results"]
    timed = sorted(((r["unique_id"], r["execution_time"]) for r in results), key=lambda r: -r[1])
    return [(uid.split(".", 2)[-1], round(t, 1)) for uid, t in timed[:top]]


def _memory_gib() -> float:
    with open("/proc/meminfo") as fh:
        kib = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
    return kib / 1024 / 1024


def _met(ratio: float, goal: float) -> str:
    return f"met (<= {goal:g}x)" if ratio <= goal else f"**missed** (goal <= {goal:g}x)"


def _rate(records: int, runs: Runs) -> str:
    return f"{records / runs.median_seconds:,.0f}"


def render(results: dict, sizes: list[str]) -> str:
    ing = results["ingestion"]
    fetch, bare, load, rj = ing["fetch"], ing["bare_fetch"], ing["load"], ing["read_json"]
    records = fetch.detail["records"]
    lines = [
        BEGIN,
        f"Measured {date.today()} on {os.cpu_count()} cores, {_memory_gib():.0f} GiB memory, "
        f"{platform.python_implementation()} {platform.python_version()}, duckdb {version('duckdb')}, "
        f"dbt-core {version('dbt-core')}, dagster {version('dagster')}. Figures are medians of "
        f"{results['runs']} runs; memory is the largest peak resident set of the step's process. "
        f"`make bench` took {results['total_seconds'] / 60:.1f} min.",
        "",
        f"### 1-2. Ingestion of one day ({results['tickets_per_day']:,} new tickets a day) from the loopback source",
        "",
        "| step | records | median s | records/s | floor | floor median s | floor records/s | ratio | peak MiB |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
        "| fetch through the connectors (API records: tickets, audits, survey responses; pages landed) | "
        f"{records:,} | "
        f"{fetch.median_seconds:.1f} | {_rate(records, fetch)} | bare HTTP fetch of the same {bare.detail['requests']} "
        f"requests | {bare.median_seconds:.1f} | {_rate(records, bare)} | "
        f"{fetch.median_seconds / bare.median_seconds:.1f}x | {fetch.max_peak_mib:,.0f} |",
        f"| raw load (raw rows: tickets, child events of audits, responses; typed columns, contract rules, dedup, "
        "one transaction per stream and day) | "
        f"{load.detail['records']:,} | {load.median_seconds:.1f} | {_rate(load.detail['records'], load)} | "
        f"DuckDB `read_json` of the same files into tables | {rj.median_seconds:.1f} | "
        f"{_rate(rj.detail['records'], rj)} | {load.median_seconds / rj.median_seconds:.1f}x | "
        f"{load.max_peak_mib:,.0f} |",
        "",
        "### 3. dbt build of every mart over the history vs one hand-written DuckDB query for fct_kpi_daily",
        "",
        "| size | days | tickets | raw ticket events | survey responses | customers | dbt build s | floor s | ratio "
        "| goal | dbt peak MiB | floor peak MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for size in sizes:
        r = results["sizes"][size]
        c = r["counts"]
        ratio = r["dbt_build"].median_seconds / r["floor"].median_seconds
        lines.append(
            f"| {size} | {r['days']} | {c['fct_tickets']:,} | {c['zendesk__ticket_events']:,} | "
            f"{c['surveys__api_responses'] + c['surveys__csv_responses']:,} | {c['hubspot__contacts']:,} | "
            f"{r['dbt_build'].median_seconds:.1f} | {r['floor'].median_seconds:.1f} | {ratio:.1f}x | "
            f"{_met(ratio, GOALS['dbt_vs_floor'])} | {r['dbt_build'].max_peak_mib:,.0f} | "
            f"{r['floor'].max_peak_mib:,.0f} |"
        )
    lines += ["", "Slowest dbt nodes of the last build, seconds:", ""]
    for size in sizes:
        nodes = ", ".join(f"`{n}` {t}" for n, t in results["sizes"][size]["slowest_nodes"])
        lines.append(f"- {size}: {nodes}")
    daily = results["daily"]
    empty = daily["empty"]
    lines += [
        "",
        "### 4. One daily run (one partition plus the 14-day look-back), the whole Dagster job",
        "",
        "| warehouse before the run | median s | ratio to empty | goal | peak MiB |",
        "| --- | ---: | ---: | --- | ---: |",
        f"| empty (reference data and CRM only) | {empty.median_seconds:.1f} | 1.0x | | {empty.max_peak_mib:,.0f} |",
    ]
    for size, runs in daily.items():
        if size == "empty":
            continue
        ratio = runs.median_seconds / empty.median_seconds
        lines.append(
            f"| {size} history ({results['sizes'][size]['days']} days) | {runs.median_seconds:.1f} | {ratio:.2f}x | "
            f"{_met(ratio, GOALS['daily_vs_empty'])} | {runs.max_peak_mib:,.0f} |"
        )
    lines += ["", "Where a daily run's time goes (seconds per Dagster step of the last run, slowest first):", ""]
    for name, runs in daily.items():
        steps = ", ".join(f"`{k}` {v}" for k, v in list(runs.detail.items())[:8])
        lines.append(f"- {name}: {steps}")
    if "L" in results["sizes"]:
        # the goal is the pipeline's: its dbt build and daily run; the floor query is the yardstick
        peaks = [results["sizes"]["L"]["dbt_build"].max_peak_mib]
        peaks += [daily["L"].max_peak_mib] if "L" in daily else []
        worst = max(peaks)
        verdict = "met" if worst < GOALS["peak_mib_at_L"] else "**missed**"
        floor = results["sizes"]["L"]["floor"].max_peak_mib
        lines += [
            "",
            f"### 5. Peak memory of the pipeline at L (dbt build, daily run): {worst:,.0f} MiB, goal under 4 GB: "
            f"{verdict}",
            "",
            f"The hand-written floor query, which runs without DuckDB's memory cap, peaked at {floor:,.0f} MiB.",
        ]
    lines.append(END)
    return "\n".join(lines)


def write(path: Path, results: dict, sizes: list[str]) -> None:
    """Replace the generated block of `path` (or create the file), keeping the notes around it."""
    block = render(results, sizes)
    if path.exists() and BEGIN in (text := path.read_text()) and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = "# Benchmarks\n\n" + block + "\n"
    path.write_text(text)
