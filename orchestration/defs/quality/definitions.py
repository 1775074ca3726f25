"""The quality domain: the Great Expectations checks and the run's own accounting checks."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.quality.checks import quality_checks

defs = dg.Definitions(asset_checks=quality_checks)
