"""The serving domain: publishing the audited marts for BI (orchestration/publishing/ holds the code)."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.serving.assets import published_marts

defs = dg.Definitions(assets=[published_marts])
