"""Validate a DataFrame against a suite with GX 1.x and build Data Docs to a folder."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations import Expectation

from expectations import offline_results

EXAMPLES = 5


@dataclass
class Outcome:
    suite: str
    success: bool
    rows_checked: int
    expectations: int
    failures: list[dict[str, Any]] = field(default_factory=list)
    data_docs: str | None = None  # GX's Data Docs: their styles and scripts come from CDNs
    offline_results: str | None = None  # expectations/offline_results.py: the same results, readable offline


def _context(gx_dir: Path):
    gx_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(gx_dir))
    bars = context.variables.progress_bars
    globally = bars.get("globally") if isinstance(bars, dict) else getattr(bars, "globally", None)
    if globally is not False:
        # progress bars would flood the run logs with one line per metric
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        context.variables.save()
    return context


def validate(suite_name: str, df: pd.DataFrame, expectations: list[Expectation], gx_dir: Path) -> Outcome:
    """Run `expectations` on `df`; the result and its Data Docs page are kept under gx_dir."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = _context(gx_dir)
    source = context.data_sources.add_or_update_pandas("warehouse")
    asset = next((a for a in source.assets if a.name == suite_name), None) or source.add_dataframe_asset(suite_name)
    batch = next((b for b in asset.batch_definitions if b.name == "slice"), None) or \
        asset.add_batch_definition_whole_dataframe("slice")  # fmt: skip
    suite = context.suites.add_or_update(gx.ExpectationSuite(name=suite_name, expectations=expectations))
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite_name,
            validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES},
        )
    )
    result = checkpoint.run(batch_parameters={"dataframe": df})
    run = next(iter(result.run_results.values()))
    failures, outcomes = [], []
    for r in run.results:
        cfg = r.expectation_config
        kwargs = {k: v for k, v in cfg.kwargs.items() if k not in ("batch_id",)}
        examples = [str(v) for v in (r.result.get("partial_unexpected_list") or [])][:EXAMPLES]
        outcomes.append({
            "type": cfg.type, "kwargs": kwargs, "success": bool(r.success),
            "observed_value": r.result.get("observed_value"), "unexpected_count": r.result.get("unexpected_count"),
            "examples": examples,
        })  # fmt: skip
        if r.success:
            continue
        failures.append({
            "expectation": cfg.type,
            "kwargs": kwargs,
            "unexpected_count": r.result.get("unexpected_count"),
            "observed_value": r.result.get("observed_value"),
            "examples": examples,
            "error": (r.exception_info or {}).get("exception_message") if r.exception_info else None,
        })  # fmt: skip
    docs = gx_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    offline = offline_results.record(gx_dir, suite_name, len(df), bool(result.success), outcomes)
    return Outcome(
        suite=suite_name,
        success=bool(result.success),
        rows_checked=len(df),
        expectations=len(expectations),
        failures=failures,
        data_docs=str(docs) if docs.exists() else None,
        offline_results=str(offline),
    )
