"""The report's settings that users edit, from their one home: config/report.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ingestion.settings import PROJECT_ROOT

REPORT_CONFIG = PROJECT_ROOT / "config" / "report.yaml"


class ReportConfigError(ValueError):
    """config/report.yaml is not YAML or holds a wrong value."""


@dataclass(frozen=True)
class ReportOptions:
    min_sample_size: int = 30


def load_options(path: Path = REPORT_CONFIG) -> ReportOptions:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ReportConfigError(f"report settings {path} cannot be read ({exc}); restore it from git") from exc
    minimum = document.get("min_sample_size", ReportOptions.min_sample_size)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
        raise ReportConfigError(f"report settings {path}: min_sample_size must be a whole number >= 0, not {minimum!r}")
    return ReportOptions(min_sample_size=minimum)
