"""Build a small warehouse from the sample: the real connectors, loader and dbt, no Dagster."""

from __future__ import annotations

import os
import subprocess
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb

from ingestion import pipeline
from ingestion.settings import PROJECT_ROOT, load_settings
from orchestration.defs.resources import PIPELINE_EXCLUDED_RESOURCE_TYPES, dbt_executable


def run_dbt(*args: str, env: dict[str, str], target_dir: Path, unit_tests: bool = False) -> str:
    """dbt as the pipeline runs it: the shared settings (timezone, history start) from their one
    home, the unit tests left out unless `unit_tests` (tests/test_dbt_unit_tests.py)."""
    full_env = {
        **os.environ,
        **load_settings().dbt_env(),
        "DBT_EXCLUDE_RESOURCE_TYPES": PIPELINE_EXCLUDED_RESOURCE_TYPES,
        **env,
        "DBT_TARGET_PATH": str(target_dir / "target"),
        "DBT_LOG_PATH": str(target_dir),
    }
    if unit_tests:
        # also when an in-process pipeline run of an earlier test set it in os.environ
        # (orchestration/defs/resources.py, prepare_dbt_environment)
        del full_env["DBT_EXCLUDE_RESOURCE_TYPES"]
    done = subprocess.run(
        [dbt_executable(), *args, "--project-dir", "dbt_project", "--profiles-dir", "dbt_project"],
        cwd=PROJECT_ROOT, env=full_env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-5000:]
    return done.stdout


def build(first: date, last: date, work: Path) -> Path:
    """Ingest [first, last] of the sample as configured in the environment, then `dbt build`."""
    settings = load_settings()
    for ingest in pipeline.DAILY_INGESTS:
        ingest(settings, first, last, "sample-build")
    for ingest in pipeline.REFERENCE_INGESTS:
        ingest(settings, "sample-build")
    run_dbt("build", env={"CSKPI_WAREHOUSE_PATH": str(settings.warehouse_path)}, target_dir=work / "dbt")
    return settings.warehouse_path


BUILD_METADATA_COLUMN = "raw_loaded_through"
KPI_MARTS = ("marts.fct_tickets", "marts.fct_survey_responses", "marts.fct_kpi_daily", "marts.fct_agent_daily",
             "marts.rpt_kpi_scorecard")  # fmt: skip


def mart_fingerprints(path: Path, tables: tuple[str, ...] = KPI_MARTS) -> dict[str, tuple]:
    """Row count and a checksum over every row of each table: equal fingerprints, equal tables.

    raw_loaded_through is left out: it says when a row was last rebuilt (the newest load its build
    had seen), which differs between a full build and the incremental runs that reach the same rows.
    """
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        out = {}
        for t in tables:
            columns = [r[0] for r in con.execute(f"describe {t}").fetchall() if r[0] != BUILD_METADATA_COLUMN]
            row = "row(" + ", ".join(f'"{c}"' for c in columns) + ")"
            out[t] = con.execute(
                f"select count(*), md5(string_agg(md5({row}::varchar), ',' order by md5({row}::varchar))) from {t}"
            ).fetchone()
        return out
