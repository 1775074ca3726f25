"""Groups and agents tickets point to but the lists leave out (deleted), and the ticket fields:
the real connectors and loader against the loopback server, which serves the sample's deleted
"Returns Desk" group (360009) and its deleted agent (9000901) only by id, as Zendesk does."""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date

import duckdb

from ingestion import pipeline
from ingestion.sample.organisation import RETIRED_TEAM
from ingestion.sample.server import Fault
from tests.conftest import pointed_at

DAY = date(2026, 3, 18)
DELETED_AGENT = 9_000_901


def _load_day_then_reference(settings) -> list[str]:
    lines: list[str] = []
    pipeline.ingest_tickets(settings, DAY, DAY, "run-ref")
    pipeline.ingest_ticket_events(settings, DAY, DAY, "run-ref")
    pipeline.ingest_groups(settings, "run-ref", lines.append)
    pipeline.ingest_agents(settings, "run-ref", lines.append)
    return lines


def test_a_deleted_group_and_agent_land_in_raw_by_id(settings, server):
    real = pointed_at(settings, server)
    _load_day_then_reference(real)
    with closing(duckdb.connect(str(real.warehouse_path), read_only=True)) as con:
        # the day has tickets in the deleted group, so it was looked up
        assert con.execute("select count(*) from raw.zendesk__tickets where group_id = 360009").fetchone()[0] > 0
        groups = {r[0]: (r[1], r[2]) for r in con.execute(
            "select id, _record->>'name', cast(_record->>'deleted' as boolean) from raw.zendesk__groups"
        ).fetchall()}  # fmt: skip
        users = dict(con.execute("select id, cast(_record->>'active' as boolean) from raw.zendesk__users").fetchall())
    # 8 listed groups plus the deleted one, with its real name and `deleted: true`
    assert len(groups) == 9
    assert groups[RETIRED_TEAM.group_id] == ("Returns Desk", True)
    # 60 listed agents and the bot, plus the deleted assignee fetched by id, inactive
    assert len(users) == 62
    assert users[DELETED_AGENT] is False


def test_a_group_not_found_by_id_is_reported_and_not_invented(settings, server, faults):
    faults.faults.append(Fault(f"/api/v2/groups/{RETIRED_TEAM.group_id}.json", status=404, times=10))
    real = pointed_at(settings, server)
    lines = _load_day_then_reference(real)
    with closing(duckdb.connect(str(real.warehouse_path), read_only=True)) as con:
        ids = {r[0] for r in con.execute("select id from raw.zendesk__groups").fetchall()}
    assert RETIRED_TEAM.group_id not in ids and len(ids) == 8
    assert any("1 id(s) tickets point to are not in the list" in line and "1 not found: 360009" in line
               for line in lines), lines  # fmt: skip


def test_ticket_fields_land_with_their_dropdown_options(settings, server):
    real = pointed_at(settings, server)
    result = pipeline.ingest_ticket_fields(real, "run-fields")
    assert result.records_loaded == 7  # five system fields and the two custom dropdowns
    with closing(duckdb.connect(str(real.warehouse_path), read_only=True)) as con:
        title, kind, options = con.execute(
            "select _record->>'title', _record->>'type', _record->'custom_field_options' "
            "from raw.zendesk__ticket_fields where id = 360000000001"
        ).fetchone()
    assert (title, kind) == ("Response level", "tagger")
    assert [o["value"] for o in json.loads(options)] == ["l1", "l2", "l3"]
