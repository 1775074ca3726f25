"""The one dbt project, with its manifest prepared at build time or by `dagster dev`."""

from __future__ import annotations

import os
from pathlib import Path

from dagster_dbt import DbtProject

from ingestion.settings import load_settings

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"

# dbt_project.yml reads the shared settings from the environment, with no default of its own: the
# parse that prepares the manifest (`dagster-dbt project prepare-and-package`, `dagster dev`) gets
# them from their one home too. setdefault: a value set in the environment is the one settings read.
for _name, _value in load_settings().dbt_env().items():
    os.environ.setdefault(_name, _value)

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
