"""The dbt domain: the staging, intermediate and mart models, split by materialisation."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.dbt.assets import dbt_model_assets

defs = dg.Definitions(assets=dbt_model_assets)
