"""The CLI's log of a run: short lines on the terminal, everything (tracebacks too) in a log file.

A run's terminal shows each step's progress and, for a failed step, one line with its cause; the
full Dagster log, with every traceback, goes to `<data dir>/logs/`. `--verbose` prints the full log
on the terminal as well. Runs started from the Dagster UI or the daemon keep Dagster's own console
logger: this logger is only used when the CLI's run config names it.
"""

from __future__ import annotations

import logging
import re
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR
from dagster._utils.error import SerializableErrorInfo

CLI_LOGGER = "cskpi_cli"

# Events that are consequences, not news: a step not run because an upstream step failed, and the
# run's own failure, which the CLI states in its verdict.
_QUIET_EVENTS = {"STEP_UPSTREAM_FAILED", "STEP_SKIPPED", "RUN_FAILURE", "PIPELINE_FAILURE"}


def error_cause(error: SerializableErrorInfo) -> str:
    """The first line of the first error in the chain that is not Dagster's own wrapper (a source's
    message, not the library's under it), without its class name."""
    while error.cls_name.startswith("Dagster") and error.cause is not None:
        error = error.cause
    message = error.message.strip().splitlines()[0] if error.message.strip() else error.cls_name
    return re.sub(rf"^[\w.]*\b{re.escape(error.cls_name)}: ", "", message)


class _TerminalFormatter(logging.Formatter):
    """`HH:MM:SS step: message`, one line; a failed step's line is its cause."""

    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, None)
        clock = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        if meta is None:  # not a Dagster record
            return f"{clock} {record.getMessage().splitlines()[0]}"
        where = meta["step_key"] or meta["job_name"] or "run"
        event = meta["dagster_event"]
        error = getattr(event.event_specific_data, "error", None) if event is not None else None
        if event is not None and event.event_type_value == "STEP_FAILURE" and error is not None:
            return f"{clock} {where} FAILED: {error_cause(error)}"
        message = meta["orig_message"].strip().splitlines()
        return f"{clock} {where}: {message[0] if message else ''}"


# the executor's line for each step it does not start after an upstream failure (a consequence too)
_NOT_EXECUTING = re.compile(r"^Dependencies for step \S+ .*\. Not executing\.$", re.DOTALL)


class _TerminalFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, None)
        if meta is None:
            return True
        event = meta["dagster_event"]
        if event is not None:
            return event.event_type_value not in _QUIET_EVENTS
        return not _NOT_EXECUTING.match(meta["orig_message"])


class _FirstPoolWait(logging.Filter):
    """Passes the first "blocked by limit for pool" record of a run (Dagster logs it at DEBUG, every
    few seconds per waiting step), so the terminal says once why nothing moves."""

    def __init__(self) -> None:
        super().__init__()
        self.said = False

    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, None)
        if self.said or meta is None or "blocked by limit for pool" not in meta["orig_message"]:
            return False
        self.said = True
        return True


class _PoolWaitFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        clock = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        return (
            f"{clock} waiting for the DuckDB writer pool: another run is writing the warehouse "
            "(this run goes on when it ends; the Dagster UI's Pools page shows which run holds it)"
        )


@dg.logger(
    {
        "log_file": dg.Field(str, description="Where the full log goes, tracebacks included."),
        "verbose": dg.Field(bool, default_value=False, description="Print the full log on the terminal too."),
        "log_level": dg.Field(str, default_value="INFO", description="The terminal's threshold."),
    },
    description="The CLI's logger: one short line per message on the terminal, the full log in a file.",
)
def cli_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config
    path = Path(config["log_file"])
    path.parent.mkdir(parents=True, exist_ok=True)
    log = logging.Logger(CLI_LOGGER, level=logging.DEBUG)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setLevel(logging.DEBUG)
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(to_file)
    terminal = logging.StreamHandler()  # stderr, like Dagster's console logger
    terminal.setLevel(config["log_level"].upper())
    if config["verbose"]:
        terminal.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    else:
        terminal.setFormatter(_TerminalFormatter())
        terminal.addFilter(_TerminalFilter())
        waiting = logging.StreamHandler()
        waiting.setLevel(logging.DEBUG)
        waiting.addFilter(_FirstPoolWait())
        waiting.setFormatter(_PoolWaitFormatter())
        log.addHandler(waiting)
    log.addHandler(terminal)
    return log


@dataclass(frozen=True)
class RunLog:
    """One CLI command's log: the file it writes, and whether the terminal gets the full log too."""

    path: Path
    verbose: bool = False

    @classmethod
    def for_command(cls, data_dir: Path, command: str, verbose: bool) -> RunLog:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return cls(data_dir / "logs" / f"cskpi-{command}-{stamp}.log", verbose)

    def run_config(self, terminal_level: str = "INFO") -> dict:
        """The run config that routes a CLI run's log through cli_logger."""
        config = {"log_file": str(self.path), "verbose": self.verbose, "log_level": terminal_level}
        return {"loggers": {CLI_LOGGER: {"config": config}}}

    def write_traceback(self) -> None:
        """The exception being handled, traceback and all, appended to the log file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(f"{datetime.now(UTC).isoformat()} ERROR the command stopped:\n")
            traceback.print_exc(file=out)
