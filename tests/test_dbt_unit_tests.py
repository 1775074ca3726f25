"""The dbt unit tests (dbt_project/models/**/_*unit_tests.yml): the models' row-level logic on given
rows, each expected row worked out by hand in its yml. The pipeline's builds leave them out
(DBT_EXCLUDE_RESOURCE_TYPES, orchestration/defs/resources.py); this runs them.

dbt reads the column types of a unit test's inputs from the warehouse, so the inputs' relations
must exist: every raw table empty, as the pipeline creates them, then the models upstream of the
tested ones (empty and fast), then `dbt test --select test_type:unit`.
"""

from __future__ import annotations

import json
import re
from contextlib import closing
from pathlib import Path

from ingestion import loader
from ingestion.settings import PROJECT_ROOT, load_settings
from ingestion.sources import survey_csv
from ingestion.streams import ALL_HTTP_STREAMS
from tests.sample_warehouse import run_dbt

# every model a unit test is defined on (the selection builds their parents)
UNIT_TESTED_MODELS = ("fct_tickets",)


def test_dbt_unit_tests_pass(sample_env, tmp_path: Path):
    settings = load_settings()
    mapping = survey_csv.load_mapping(PROJECT_ROOT / "config/survey_mappings/wjx.yaml")
    with closing(loader.connect(settings.warehouse_path)) as con:
        for spec in (*ALL_HTTP_STREAMS, survey_csv.stream_spec(mapping)):
            loader.create_empty(con, spec)
    env = {"CSKPI_WAREHOUSE_PATH": str(settings.warehouse_path)}
    parents = " ".join(f"+{m}" for m in UNIT_TESTED_MODELS)
    run_dbt("build", "--select", parents, "--resource-type", "seed", "model", env=env, target_dir=tmp_path / "b")
    out = run_dbt("test", "--select", "test_type:unit", env=env, target_dir=tmp_path / "t", unit_tests=True)

    results = json.loads((tmp_path / "t" / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    ran = {r["unique_id"].split(".")[-1]: r["status"] for r in results}
    print(re.findall(r"PASS=\d+.*", out))
    # the three unit tests of fct_tickets' flags (models/marts/_fct_tickets__unit_tests.yml), each passed
    assert ran == {
        "fct_tickets_one_touch_reopened_and_escalated": "pass",
        "fct_tickets_complaint_compliance": "pass",
        "fct_tickets_maturity_at_the_horizon": "pass",
    }
