"""`dbt build` on a test's own warehouse, as the pipeline runs it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ingestion.settings import PROJECT_ROOT, load_settings
from orchestration.defs.resources import PIPELINE_EXCLUDED_RESOURCE_TYPES, dbt_executable


def dbt_build(warehouse: Path, tmp: Path, *args: str, timezone: str = "Asia/Shanghai") -> None:
    # the shared settings from their one home (Settings.dbt_env), as the pipeline passes them
    env = {**os.environ, **load_settings().dbt_env(), "CSKPI_WAREHOUSE_PATH": str(warehouse),
           "DBT_TARGET_PATH": str(tmp / "dbt_target"), "DBT_LOG_PATH": str(tmp / "dbt_logs"),
           "CSKPI_REPORTING_TIMEZONE": timezone,
           "DBT_EXCLUDE_RESOURCE_TYPES": PIPELINE_EXCLUDED_RESOURCE_TYPES}  # fmt: skip
    dbt = subprocess.run(
        [dbt_executable(), "build", *args, "--project-dir", "dbt_project", "--profiles-dir", "dbt_project"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert dbt.returncode == 0, dbt.stdout[-4000:]
