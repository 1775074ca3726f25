"""Connection files for BI tools, generated from the serving PostgreSQL target.

- Power BI: one `.pbids` (Power BI data source file), in the structure Microsoft documents in "Data
  sources in Power BI Desktop", section "Use PBIDS files to get data": `version` "0.1" and one
  connection whose `details` name the protocol and address in the Data Source Reference (DSR) form,
  where PostgreSQL is protocol `postgresql` with address `server` and `database`. A PBIDS file holds
  no credentials and no table or schema by design: Power BI asks for the password, then shows its
  Navigator to pick the tables.
- Tableau: one `.tds` per mart BI users start from (the scorecard and the daily KPIs), in the form
  current Tableau writes: a `federated` connection wrapping the PostgreSQL connection in
  `named-connections`, and a `relation` selecting the mart table through that named connection.
  Two files rather than one: a Tableau data source may only hold tables related to each other, and
  the scorecard (by period) and the daily KPIs (by day, team, channel) have no key in common.

The files carry the host, port, database and user `bi_reader`; never the password.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from orchestration.publishing.postgres import BI_READER, SCHEMA

PBIDS_FILE = "cs-kpi-warehouse.pbids"
# Tableau data source file -> (mart, caption shown in Tableau's Data pane)
TDS_FILES = {
    "cs-kpi-scorecard.tds": ("rpt_kpi_scorecard", "CS KPI scorecard"),
    "cs-kpi-daily.tds": ("fct_kpi_daily", "CS KPI daily"),
}
LEGACY_TDS_FILE = "cs-kpi-warehouse.tds"  # the single legacy-form file earlier versions wrote
# the document version Tableau writes for this structure; it upgrades older versions on open
TDS_VERSION = "18.1"


def write_bi_files(dsn: str, directory: Path) -> dict[str, Path]:
    """The Power BI .pbids and the Tableau .tds files for bi_reader; returns {file name: path}."""
    info = conninfo_to_dict(dsn)
    host, port, database = info.get("host", "localhost"), str(info.get("port", "5432")), info.get("dbname", "")
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    pbids = directory / PBIDS_FILE
    pbids.write_text(json.dumps(_pbids(host, port, database), indent=2) + "\n")
    written[PBIDS_FILE] = pbids
    for name, (mart, caption) in TDS_FILES.items():
        path = directory / name
        path.write_text(_tds(host, port, database, str(info.get("sslmode", "")), mart, caption))
        written[name] = path
    (directory / LEGACY_TDS_FILE).unlink(missing_ok=True)  # it would open the legacy form, no table
    return written


def _pbids(host: str, port: str, database: str) -> dict:
    return {
        "version": "0.1",
        "connections": [{
            "details": {"protocol": "postgresql", "address": {"server": f"{host}:{port}", "database": database}},
            "options": {},
            "mode": "Import",  # a refresh copies the marts; DirectQuery would query PostgreSQL per visual
        }],
    }  # fmt: skip


def _tds(host: str, port: str, database: str, sslmode: str, mart: str, caption: str) -> str:
    # Stable names (Tableau's own are random) so an unchanged target rewrites identical files.
    key = hashlib.sha256(f"{host}:{port}/{database}/{mart}".encode()).hexdigest()[:28]
    connection_name = f"postgres.{key}"
    datasource = ET.Element("datasource", {
        "caption": caption, "formatted-name": f"federated.{key}", "inline": "true", "version": TDS_VERSION,
        "xmlns:user": "http://www.tableausoftware.com/xml/user",
    })  # fmt: skip
    federated = ET.SubElement(datasource, "connection", {"class": "federated"})
    named = ET.SubElement(ET.SubElement(federated, "named-connections"), "named-connection",
                          {"caption": host, "name": connection_name})  # fmt: skip
    ET.SubElement(named, "connection", {
        "authentication": "username-password", "class": "postgres", "dbname": database,
        "odbc-native-protocol": "yes", "one-time-sql": "", "port": port, "schema": SCHEMA, "server": host,
        "sslmode": sslmode, "username": BI_READER,
    })  # fmt: skip
    ET.SubElement(federated, "relation", {
        "connection": connection_name, "name": mart, "table": f"[{SCHEMA}].[{mart}]", "type": "table",
    })  # fmt: skip
    ET.indent(datasource)
    return "<?xml version='1.0' encoding='utf-8' ?>\n" + ET.tostring(datasource, encoding="unicode") + "\n"
