"""The BI connection files, checked against the structure their vendors document.

The documented structure is written out below, with the page it comes from; the test parses the
files the pipeline writes (json, xml.etree) and checks them against it. No PostgreSQL is needed:
the files come from the DSN alone.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ingestion.settings import load_settings
from orchestration.publishing import PUBLISHED_MARTS
from orchestration.publishing.bi_files import write_bi_files

PROJECT = Path(__file__).resolve().parent.parent
DSN = "host=bi-db.internal port=5433 dbname=cskpi user=pipeline password=s3cret-pw sslmode=require"

# --- Power BI: "Data sources in Power BI Desktop", section "Use PBIDS files to get data"
# (learn.microsoft.com/power-bi/connect-data/desktop-data-sources#use-pbids-files-to-get-data):
# a JSON file with "version" "0.1" and "connections"; only a single data source per file ("more than
# one data source results in an error"); each connection has "details" (protocol, address) and
# optionally "options" and "mode", which is "DirectQuery" or "Import" (missing or null: Desktop asks).
# The file "doesn't include authentication information and table and schema information". Protocol
# and address follow the Data Source Reference (DSR) specification the page points to
# (learn.microsoft.com/azure/data-catalog/data-catalog-dsr): PostgreSQL, object type Database, is
# protocol "postgresql" with address "server" and "database".
PBIDS_TOP_LEVEL = {"version", "connections"}
PBIDS_VERSION = "0.1"
PBIDS_CONNECTION_KEYS = {"details", "options", "mode"}
PBIDS_MODES = {"DirectQuery", "Import", None}
DSR_POSTGRESQL = {"protocol": "postgresql", "address": {"server", "database"}}

# --- Tableau: the Tableau Workbook Schema, twb_2026.2.0.xsd (github.com/tableau/tableau-document-schemas,
# schemas/2026_2), complexType DataSource-CT (the <datasource> a .tds holds): "version" and "inline"
# (fixed "true") are required, and these are its only attributes; group Relation-G: "type" required,
# one of RelationType-ST, "table" a QualifiedName-ST ([a].[b]), "connection" naming the connection
# it reads. The schema leaves a <connection>'s content open; its named-connections form is the one in
# Tableau's Document API test files (github.com/tableau/document-api-python,
# test/assets/TABLEAU_10_TDS.tds): <connection class='federated'> / <named-connections> /
# <named-connection caption=.. name=..> / <connection class=..>.
DATASOURCE_ATTRIBUTES = {"name", "caption", "formatted-name", "{http://www.w3.org/XML/1998/namespace}base",
                         "version", "inline", "hasconnection", "source-platform"}  # fmt: skip
DATASOURCE_REQUIRED = {"version", "inline"}
RELATION_TYPES = {"join", "subquery", "table", "stored-proc", "text", "union", "batch-union", "pivot", "project",
                  "text-transform", "collection"}  # fmt: skip
QUALIFIED_NAME = re.compile(r"(\[([^\]]*(\]\])?)*\](\.\[([^\]]*(\]\])?)*\])*)?")  # FullValue-ST's pattern

# What BI users start from (docs/bi.md): the scorecard mart and the daily KPI mart.
EXPECTED_TDS = {"cs-kpi-scorecard.tds": "rpt_kpi_scorecard", "cs-kpi-daily.tds": "fct_kpi_daily"}


@pytest.fixture
def written(tmp_path) -> dict[str, Path]:
    (tmp_path / "cs-kpi-warehouse.tds").write_text("<datasource/>")  # left by an earlier version
    files = write_bi_files(DSN, tmp_path)
    assert not (tmp_path / "cs-kpi-warehouse.tds").exists(), "the legacy-form file must not linger"
    return files


def test_the_pbids_file_has_microsofts_documented_structure(written):
    document = json.loads(written["cs-kpi-warehouse.pbids"].read_text())
    assert set(document) == PBIDS_TOP_LEVEL
    assert document["version"] == PBIDS_VERSION
    assert len(document["connections"]) == 1
    connection = document["connections"][0]
    assert set(connection) <= PBIDS_CONNECTION_KEYS and "details" in connection
    assert connection.get("mode") in PBIDS_MODES
    details = connection["details"]
    assert set(details) == {"protocol", "address"}  # no authentication, no table or schema
    assert details["protocol"] == DSR_POSTGRESQL["protocol"]
    assert set(details["address"]) == DSR_POSTGRESQL["address"]
    # worked by hand from DSN: host bi-db.internal, port 5433, dbname cskpi
    assert details["address"] == {"server": "bi-db.internal:5433", "database": "cskpi"}


def test_each_tds_file_is_a_current_form_tableau_data_source_on_its_mart(written):
    assert set(EXPECTED_TDS) <= set(written)
    for name, mart in EXPECTED_TDS.items():
        root = ET.parse(written[name]).getroot()
        assert root.tag == "datasource"
        assert DATASOURCE_REQUIRED <= set(root.attrib) <= DATASOURCE_ATTRIBUTES, root.attrib
        assert root.get("inline") == "true"
        assert re.fullmatch(r"[0-9]+(\.[0-9]+)+", root.get("version"))
        federated = root.find("connection")
        assert federated is not None and federated.get("class") == "federated", "legacy form: no federated wrapper"
        named = federated.findall("named-connections/named-connection")
        assert len(named) == 1 and named[0].get("caption") and named[0].get("name")
        inner = named[0].findall("connection")
        assert len(inner) == 1
        # worked by hand from DSN; the user is the read-only role, never the DSN's own user
        assert {k: inner[0].get(k) for k in ("class", "server", "port", "dbname", "username", "sslmode")} == {
            "class": "postgres", "server": "bi-db.internal", "port": "5433", "dbname": "cskpi",
            "username": "bi_reader", "sslmode": "require",
        }  # fmt: skip
        relations = federated.findall("relation")
        assert len(relations) == 1, "a table must be selected"
        relation = relations[0]
        assert relation.get("type") in RELATION_TYPES and relation.get("type") == "table"
        assert QUALIFIED_NAME.fullmatch(relation.get("table"))
        assert relation.get("table") == f"[marts].[{mart}]"
        assert relation.get("connection") == named[0].get("name")
        # the mart is one the pipeline publishes and dbt builds
        assert mart in PUBLISHED_MARTS and (PROJECT / "dbt_project" / "models" / "marts" / f"{mart}.sql").exists()


def test_no_bi_file_holds_the_password(written):
    for path in written.values():
        assert "s3cret-pw" not in path.read_text(), path.name


def test_the_reader_reset_is_off_unless_asked_for_and_secrets_stay_out_of_settings_repr(sample_env, monkeypatch):
    monkeypatch.setenv("SERVING_POSTGRES_DSN", DSN)
    monkeypatch.setenv("SERVING_BI_READER_PASSWORD", "reader-pw-9")
    monkeypatch.delenv("SERVING_BI_READER_RESET", raising=False)
    settings = load_settings()
    assert settings.bi_reader_reset is False
    assert "s3cret-pw" not in repr(settings) and "reader-pw-9" not in repr(settings)
    monkeypatch.setenv("SERVING_BI_READER_RESET", "true")
    assert load_settings().bi_reader_reset is True
    monkeypatch.setenv("SERVING_BI_READER_RESET", "ture")
    with pytest.raises(ValueError, match=r"^SERVING_BI_READER_RESET must be true or false, not 'ture'$"):
        load_settings()
