"""Connection files for BI tools, generated from the serving PostgreSQL target."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

from psycopg.conninfo import conninfo_to_dict

from orchestration.serving.postgres import BI_READER


def write_bi_files(dsn: str, directory: Path) -> dict[str, Path]:
    """A Power BI .pbids and a Tableau .tds for the bi_reader role on the serving database."""
    info = conninfo_to_dict(dsn)
    host, port, database = info.get("host", "localhost"), str(info.get("port", "5432")), info.get("dbname", "")
    directory.mkdir(parents=True, exist_ok=True)
    pbids = directory / "cs-kpi-warehouse.pbids"
    pbids.write_text(json.dumps({
        "version": "0.1",
        "connections": [{
            "details": {"protocol": "postgresql", "address": {"server": f"{host}:{port}", "database": database}},
            "options": {},
            "mode": "Import",
        }],
    }, indent=2))  # fmt: skip
    tds = directory / "cs-kpi-warehouse.tds"
    tds.write_text(
        "<?xml version='1.0' encoding='utf-8' ?>\n"
        "<datasource formatted-name='cs-kpi-warehouse' inline='true' version='18.1'>\n"
        "  <connection class='postgres' authentication='username-password' "
        f"dbname={quoteattr(database)} odbc-native-protocol='' one-time-sql='' port={quoteattr(port)} "
        f"schema='marts' server={quoteattr(host)} sslmode='' username={quoteattr(BI_READER)} />\n"
        "</datasource>\n"
    )
    return {"pbids": pbids, "tds": tds}
