"""The benchmark floor of the dbt build: one hand-written DuckDB query for fct_kpi_daily's parts.

The query is a Jinja template rendered with the dbt project's own settings: the vars of
dbt_project.yml, rendered as dbt renders them (env_var from the environment every dbt invocation
gets, ingestion/settings.py's Settings.dbt_env), and the seed CSVs dbt loads. A setting changed in
its one home changes the floor with the models.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import yaml

from ingestion.settings import PROJECT_ROOT, load_settings

FLOOR_KPI_DAILY_SQL = Path(__file__).resolve().parent / "floor_kpi_daily.sql"
DBT_PROJECT_YML = PROJECT_ROOT / "dbt_project" / "dbt_project.yml"


def dbt_project_vars(env: Mapping[str, str], overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """dbt_project.yml's vars as dbt renders them, env_var(...) read from env; overrides as --vars."""

    def env_var(name: str, default: str | None = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise KeyError(f"Env var required but not provided: {name!r}")
        return default

    renderer = jinja2.Environment(undefined=jinja2.StrictUndefined)
    raw = yaml.safe_load(DBT_PROJECT_YML.read_text(encoding="utf-8"))["vars"]
    rendered = {
        name: renderer.from_string(value).render(env_var=env_var) if isinstance(value, str) else value
        for name, value in raw.items()
    }
    return {**rendered, **(overrides or {})}


def _sql_list(values: list[str]) -> str:
    """macros/tags.sql's sql_list: strings as SQL literals for `in (...)`."""
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def _has_any_tag(tags_json: str, tags: list[str]) -> str:
    """macros/tags.sql's has_any_tag: LIKE on the tags' JSON text; false for no tags."""
    return "(" + (" or ".join(f"{tags_json} like '%\"{t}\"%'" for t in tags) or "false") + ")"


def floor_kpi_daily_sql(seeds_dir: Path, variables: Mapping[str, Any] | None = None) -> str:
    """The floor query, reading the seed CSVs (channel mapping, response-level targets) from seeds_dir,
    with the dbt project's vars (variables: overrides, as dbt's --vars)."""
    project_vars = dbt_project_vars(load_settings().dbt_env(), variables)
    for setting in ("zendesk_response_level_field", "zendesk_category_field"):
        if not str(project_vars[setting]).strip().isdigit():
            raise ValueError(f"the floor query takes {setting} as a field id, not a title: {project_vars[setting]!r}")

    def var(name: str) -> Any:
        return project_vars[name]  # an unknown var fails, as in dbt

    template = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True).from_string(
        FLOOR_KPI_DAILY_SQL.read_text(encoding="utf-8")
    )
    return template.render(
        var=var,
        sql_list=_sql_list,
        has_any_tag=_has_any_tag,
        seeds=Path(seeds_dir).resolve().as_posix(),
        levels=_sql_list([str(level).lower() for level in var("response_level_order")]),
        escalation_seconds=int(var("complaint_escalation_hours") * 3600),
        feedback_seconds=int(var("complaint_feedback_hours") * 3600),
        reopen_seconds=int(var("fcr_reopen_window_hours") * 3600),
    )
