"""Readable names of categories, teams and channels, from the seed users edit:
dbt_project/seeds/report_labels.csv (dimension, value, label_en, label_zh_cn).

A value the seed does not name yet is shown as itself with underscores as spaces, so a new
category still reads as words and the report never fails on it."""

from __future__ import annotations

import csv
from pathlib import Path

from ingestion.settings import PROJECT_ROOT

LABELS_SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "report_labels.csv"
COLUMNS = {"en": "label_en", "zh-CN": "label_zh_cn"}


class Labels:
    def __init__(self, language: str, path: Path = LABELS_SEED) -> None:
        column = COLUMNS[language]
        with path.open(encoding="utf-8", newline="") as seed:
            rows = list(csv.DictReader(seed))
        if rows and not {"dimension", "value", column} <= set(rows[0]):
            raise ValueError(f"{path} needs the columns dimension, value and {column}; restore its header from git")
        self._names = {(r["dimension"], r["value"]): r[column].strip() for r in rows if (r.get(column) or "").strip()}

    def __call__(self, dimension: str, value: str) -> str:
        return self._names.get((dimension, value)) or value.replace("_", " ")
