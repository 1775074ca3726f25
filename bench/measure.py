"""Run a command in its own process and read its wall time and peak resident memory."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.settings import PROJECT_ROOT


@dataclass
class Runs:
    """Repeated measurements of one step: seconds (the step's own, else wall), peak RSS in MiB."""

    seconds: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    detail: dict = field(default_factory=dict)  # what the last run reported (records, rows, ...)

    @property
    def median_seconds(self) -> float:
        return statistics.median(self.seconds)

    @property
    def max_peak_mib(self) -> float:
        return max(self.peak_mib)


def _fork_not_vfork() -> None:
    pass


def run(command: list[str], env: dict[str, str], log: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB of the process or its largest child, stdout). Fails on exit != 0."""
    started = time.perf_counter()
    with open(log, "ab") as err:
        # A no-op preexec_fn makes Popen fork instead of vfork: after a vfork and exec, Linux reports
        # the parent's own peak as the child's ru_maxrss, so every step would read at least the
        # bench process's peak.
        proc = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=err, preexec_fn=_fork_not_vfork
        )
        out = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = out.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}; see {log}\n{text[-3000:]}")
    return wall, usage.ru_maxrss / 1024, text  # Linux reports ru_maxrss in KiB


def _step(name: str, args: dict, env: dict[str, str], log: Path) -> tuple[float, dict]:
    _, peak, out = run([sys.executable, "-m", "bench.steps", name, json.dumps(args)], env, log)
    return peak, json.loads(out.strip().splitlines()[-1])


def ask(name: str, args: dict, env: dict[str, str], log: Path) -> dict:
    """What an unmeasured bench.steps step reports. Reads of large warehouses run in a process of
    their own, so the bench process stays small and cannot lend its memory to the steps it forks."""
    return _step(name, args, env, log)[1]


def step(name: str, args: dict, env: dict[str, str], log: Path, runs: Runs) -> dict:
    """One run of a bench.steps step: its own seconds (the work only) and the process's peak memory."""
    peak, result = _step(name, args, env, log)
    runs.seconds.append(result["seconds"])
    runs.peak_mib.append(peak)
    runs.detail = result
    return result


def command(cmd: list[str], env: dict[str, str], log: Path, runs: Runs) -> str:
    """One run of a whole command (dbt, the pipeline's CLI): wall seconds and peak memory."""
    wall, peak, out = run(cmd, env, log)
    runs.seconds.append(wall)
    runs.peak_mib.append(peak)
    return out
