"""Every record fetched is loaded, rejected, a counted duplicate, or counted outside the window;
a load that cannot account for one fails the run."""

from __future__ import annotations

import dataclasses
import json
from contextlib import closing
from datetime import date

import dagster as dg

from ingestion import loader, pipeline
from ingestion.landing import LandingBatch
from ingestion.streams import ZENDESK_TICKETS
from orchestration.defs.ingestion.assets import ACCOUNTING_CHECK, ingestion_assets
from orchestration.defs.resources import SourceAccounts

DAY = date(2026, 3, 18)


def _ticket(ticket_id: int | None, generated: int) -> dict:
    record = {
        "id": ticket_id,
        "created_at": "2026-03-18T01:00:00Z",
        "updated_at": "2026-03-18T02:00:00Z",
        "generated_timestamp": generated,
        "status": "open",
        "via": {"channel": "web"},
        "custom_fields": [],
        "tags": [],
    }
    if ticket_id is None:
        del record["id"]
    return record


def test_every_kind_of_drop_is_counted_and_the_identity_holds(settings):
    """Two pages of the cursor export for 03-18 (Shanghai: 2026-03-17 16:00 to 03-18 16:00 UTC).

    page 1: tickets 1 and 2 generated in the window, one with no id, ticket 4 generated after it,
            ticket 6 with an unreadable created_at generated after it (the window it belongs to rejects it)
    page 2: ticket 2 again (same version: the page boundary repeated it), ticket 5, and the ticket
            with no id again, byte for byte
    So 8 records: loaded 3 (1, 2, 5), rejected 2 (both copies of the one with no id: raw._rejects
    keeps it once), duplicate 1 (2), outside 2 (4, 6).
    """
    in_window, after = 1773770400, 1773849600  # 2026-03-17 18:00 UTC, 2026-03-18 16:00 UTC (the end)
    unreadable = {**_ticket(6, after), "created_at": "31/02/yesterday 25:61"}
    batch = LandingBatch(settings.landing_dir, "zendesk", "tickets", DAY.isoformat())
    pages = [
        [_ticket(1, in_window), _ticket(2, in_window), _ticket(None, in_window), _ticket(4, after), unreadable],
        [_ticket(2, in_window), _ticket(5, in_window + 60), _ticket(None, in_window)],
    ]
    for page in pages:
        batch.write_page(json.dumps({"tickets": page, "end_of_stream": False}).encode())
    with closing(loader.connect(settings.warehouse_path)) as con:
        result = loader.load(
            con,
            ZENDESK_TICKETS,
            batch.files,
            run_id="run",
            batch_id=batch.batch_id,
            landing_dir=batch.directory,
            pages=2,
            received=8,
            window=pipeline.day_window(settings, DAY),
        )
        counts = (result.records_fetched, result.records_loaded, result.records_rejected)
        assert counts == (8, 3, 2)
        assert (result.duplicates_dropped, result.outside_window) == (1, 2)
        assert con.execute("select count(*) from raw._rejects where stream = 'tickets'").fetchone() == (1,)
        assert loader.accounting_gaps(con, "run", "zendesk", "tickets") == []
        (summary,) = loader.ledger_summary(con, "run")
        assert (summary["received"], summary["outside_window"]) == (8, 2)


def test_a_record_lost_between_the_page_and_raw_fails_the_run(settings, monkeypatch):
    """A reader that silently skips one ticket (the kind of bug a column named like a row alias
    once caused) is caught: the connector counted it, the loader did not read it."""
    day = pipeline.day_window(settings, DAY)
    lossy = dataclasses.replace(
        ZENDESK_TICKETS,
        reader=f"select * from ({ZENDESK_TICKETS.reader}) where coalesce(rec->>'id', '') <> (select min(j->>'id') "
        f"from (select unnest(json_extract(json, '$.tickets[*]')) as j from read_json_objects({{files}}, "
        "format='unstructured', maximum_object_size=536870912)))",
    )
    monkeypatch.setattr(pipeline, "ZENDESK_TICKETS", lossy)
    tickets = next(a for a in ingestion_assets if dg.AssetKey(["raw", "zendesk", "tickets"]) in a.keys)
    result = dg.materialize(
        [tickets],
        partition_key=DAY.isoformat(),
        resources={"source_accounts": SourceAccounts()},
        raise_on_error=False,
    )
    assert not result.success
    (check,) = [c for c in result.get_asset_check_evaluations() if c.asset_key.path[-1] == "tickets"]
    assert check.check_name == ACCOUNTING_CHECK and not check.passed
    (gap,) = check.metadata["unaccounted"].value
    assert gap["records_received"] == gap["records_fetched"] + 1
    assert day.first_day.isoformat() == gap["first_partition"]


def test_each_partition_shows_its_own_days_counts(settings):
    """A two-day run materialises each day with that day's counts: they add up to the run's
    ledger, and neither day shows the run's total."""
    tickets = next(a for a in ingestion_assets if dg.AssetKey(["raw", "zendesk", "tickets"]) in a.keys)
    first, last = date(2026, 3, 17), DAY
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [tickets],
            instance=instance,
            resources={"source_accounts": SourceAccounts()},
            tags={"dagster/asset_partition_range_start": str(first), "dagster/asset_partition_range_end": str(last)},
        )
        events = [
            m
            for m in result.get_asset_materialization_events()
            if m.asset_key == dg.AssetKey(["raw", "zendesk", "tickets"])
        ]
    fetched = {e.partition: e.materialization.metadata["records_fetched"].value for e in events}
    with closing(loader.connect(settings.warehouse_path)) as con:
        ledger = dict(
            con.execute(
                "select first_partition::varchar, records_fetched from raw._ingest_ledger "
                "where stream = 'tickets' and run_id = ?",
                [result.run_id],
            ).fetchall()
        )
    assert fetched == ledger and len(fetched) == 2
    assert fetched[str(first)] != fetched[str(last)]


def test_the_reject_share_minimum_exempts_noise_never_a_total_loss():
    """The gate's minimum volume spares a small stream's share noise, not a stream that lost all it read."""
    import pandas as pd

    from orchestration.defs.quality.slices import streams_to_judge

    shares = pd.DataFrame(
        [
            # stream, rejected, held elsewhere (duplicates + outside), received (loaded + rejected)
            ("small, all rejected", 5, 0, 5),  # total loss: judged despite 5 < 200
            ("small, one rejected", 1, 0, 5),  # share noise: not judged
            ("one rejected, the rest another day's", 1, 9, 1),  # loaded nothing, lost nothing: not judged
            ("large", 3, 0, 300),  # at the minimum or over: judged
            ("empty", 0, 0, 0),
        ],
        columns=["stream", "rejected", "held_elsewhere", "received"],
    )
    assert list(streams_to_judge(shares, 200)["stream"]) == ["small, all rejected", "large"]
