"""The improvement plan managers keep in a YAML file: actions, owners and due dates per KPI."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

REQUIRED = ("kpi", "root_cause", "action", "owner", "due")
OPTIONAL = ("resources", "verification")
# A due date relative to the reported period: "+30d" is 30 days after its last day. The sample plan
# uses it, so that whichever month the demo reports, its actions are due after it, not long overdue.
RELATIVE_DUE = re.compile(r"([+-]\d+)d")


class PlanError(ValueError):
    """The plan file is missing, is not YAML, or an action in it is incomplete."""


@dataclass(frozen=True)
class Action:
    kpi: str
    root_cause: str
    action: str
    owner: str
    due: date
    resources: str = ""
    verification: str = ""


def _due(value: object, last_day: date | None, where: str) -> date:
    if isinstance(value, date):
        return value
    if relative := RELATIVE_DUE.fullmatch(str(value).strip()):
        if last_day is None:
            raise PlanError(f"{where}: due {value!r} is relative to a report period, and none was given")
        return last_day + timedelta(days=int(relative[1]))
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise PlanError(f"{where}: due {value!r} is not a date (YYYY-MM-DD, or +30d: days after the period)") from exc


def load_plan(path: Path, kpi_codes: set[str], last_day: date | None = None) -> list[Action]:
    """Every action in the file, relative due dates counted from `last_day` (the report period's last
    day); a PlanError that names the file and the entry when one is wrong."""
    if not path.exists():
        raise PlanError(f"improvement plan {path} does not exist; set CSKPI_IMPROVEMENT_PLAN or create it")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PlanError(f"improvement plan {path} is not valid YAML: {exc}") from exc
    entries = document.get("actions") if isinstance(document, dict) else None
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise PlanError(f"improvement plan {path}: 'actions' must be a list")
    actions = []
    for n, entry in enumerate(entries, start=1):
        where = f"improvement plan {path}, action {n}"
        if not isinstance(entry, dict):
            raise PlanError(f"{where}: expected a mapping with {', '.join(REQUIRED)}")
        if missing := [k for k in REQUIRED if entry.get(k) in (None, "")]:
            raise PlanError(f"{where}: missing {', '.join(missing)}")
        if unknown := sorted(set(entry) - set(REQUIRED) - set(OPTIONAL)):
            raise PlanError(f"{where}: unknown field(s) {', '.join(unknown)}")
        if entry["kpi"] not in kpi_codes:
            codes = ", ".join(sorted(kpi_codes))
            raise PlanError(f"{where}: kpi {entry['kpi']!r} is not a KPI code; use one of {codes}")
        due = _due(entry["due"], last_day, where)
        fields = {k: str(entry.get(k) or "").strip() for k in ("root_cause", "action", "owner", *OPTIONAL)}
        actions.append(Action(kpi=entry["kpi"], due=due, **fields))
    return actions
