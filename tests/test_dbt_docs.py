"""`dbt docs generate` works, and every column of every mart is documented."""

from __future__ import annotations

import json

from tests.sample_warehouse import run_dbt


def test_docs_generate_and_every_mart_column_is_described(four_week_warehouse, tmp_path):
    path, _ = four_week_warehouse
    run_dbt("docs", "generate", "--static", env={"CSKPI_WAREHOUSE_PATH": str(path)}, target_dir=tmp_path)
    target = tmp_path / "target"
    catalog = json.loads((target / "catalog.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    assert (target / "index.html").exists()
    # make docs' one-file docs open from disk: the manifest and catalog are inside, nothing is fetched
    static = (target / "static_index.html").read_text(encoding="utf-8")
    assert "fct_kpi_daily" in static
    assert "MANIFEST.JSON INLINE DATA" not in static and "CATALOG.JSON INLINE DATA" not in static

    marts = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"]
    assert {m["name"] for m in marts} >= {"fct_tickets", "fct_survey_responses", "fct_kpi_daily", "rpt_kpi_scorecard",
                                          "dim_team", "dim_channel", "dim_date", "dim_customer"}  # fmt: skip
    for model in marts:
        assert model["description"], model["name"]
        assert model["config"]["contract"]["enforced"], model["name"]
        built = {c.lower() for c in catalog["nodes"][model["unique_id"]]["columns"]}
        documented = {name for name, col in model["columns"].items() if col["description"]}
        assert built == documented, (model["name"], built ^ documented)
    exposures = {e["name"] for e in manifest["exposures"].values()}
    assert exposures == {"service_level_dashboard_tableau", "complaints_and_quality_report_power_bi"}
