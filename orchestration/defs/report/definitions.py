"""The report domain: the managers' service-level report (orchestration/report_builder/ writes it)."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.report.assets import service_level_report

defs = dg.Definitions(assets=[service_level_report])
