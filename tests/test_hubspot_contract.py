"""Contract fixtures: HubSpot CRM v3's documented responses (tests/fixtures/hubspot/, each naming
its reference page in `_reference`) served over loopback through the real connector, loader and
dbt models, with the Zendesk contract fixtures as the ticket side.

The portal is a real account's: it lacks the custom properties customer_tier, region and
returning_customer (customer_tier's definition is archived), clears values with "", has two
contacts for one Zendesk requester, a merge and an archived contact. Expected rows are worked
out by hand from the fixture files in each test's docstring.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from ingestion import loader, pipeline
from ingestion.sample.server import SAMPLE_CREDENTIALS
from ingestion.settings import Settings
from tests.conftest import TEST_PII_HASH_KEY
from tests.loopback import LoopbackJsonServer
from tests.test_zendesk_contract import DAY, FIELD_VARS, ZENDESK_DAILY, ZENDESK_LISTS
from tests.test_zendesk_contract import FixtureServer as ZendeskServer

FIXTURES = Path(__file__).parent / "fixtures" / "hubspot"
ROUTES = {
    ("POST", "/crm/v3/objects/contacts/search"): "contacts_search.json",
    ("POST", "/crm/v3/objects/companies/search"): "companies_search.json",
    ("GET", "/crm/v3/objects/contacts"): "contacts_archived.json",
    ("GET", "/crm/v3/objects/companies"): "companies_archived.json",
    ("GET", "/crm/v3/properties/contacts"): "contact_properties.json",
    ("GET", "/crm/v3/properties/companies"): "company_properties.json",
}


def fixture(name: str) -> dict:
    payload = json.loads((FIXTURES / name).read_text())
    payload.pop("_reference", None)
    return payload


class HubSpotServer(LoopbackJsonServer):
    """Answers each documented route with its fixture, less `_reference`; `payloads` replaces a
    fixture by name. Keeps every request (method, path, query, body) it was sent."""

    def __init__(self) -> None:
        self.payloads: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict, dict | None]] = []

        def answer(method: str, path: str, query: dict, body: dict | None, headers: dict) -> tuple[int, dict]:
            self.requests.append((method, path, query, body))
            name = ROUTES.get((method, path))
            if name is None or headers.get("Authorization") != "Bearer sample-token":
                return 404, {"status": "error", "category": "OBJECT_NOT_FOUND"}
            return 200, self.payloads.get(name) or fixture(name)

        super().__init__(answer)


@pytest.fixture
def accounts(settings) -> Iterator[tuple[Settings, HubSpotServer]]:
    """Zendesk's contract fixtures and this HubSpot portal, each at its own loopback server."""
    zendesk, hubspot = ZendeskServer(), HubSpotServer()
    configured = dataclasses.replace(
        settings,
        zendesk=dataclasses.replace(
            settings.zendesk, base_url=zendesk.base_url, credentials=SAMPLE_CREDENTIALS["zendesk"]
        ),
        hubspot=dataclasses.replace(
            settings.hubspot, base_url=hubspot.base_url, credentials=SAMPLE_CREDENTIALS["hubspot"]
        ),
        pii_hash_key=TEST_PII_HASH_KEY,  # real accounts hash with their own key
    )
    yield configured, hubspot
    zendesk.stop()
    hubspot.stop()


# Before the merge and the archive, an earlier run saw 513 live and 501 as it still is.
EARLIER_SEARCH = {
    "total": 2,
    "results": [
        {"id": "513", "properties": {"createdate": "2026-01-10T08:00:00.000Z", "email": "dee.xu@example.com",
         "hs_object_id": "513", "lastmodifieddate": "2026-02-01T09:00:00.000Z", "zendesk_user_id": "9005"},
         "createdAt": "2026-01-10T08:00:00.000Z", "updatedAt": "2026-02-01T09:00:00.000Z", "archived": False},
        next(r for r in fixture("contacts_search.json")["results"] if r["id"] == "501"),
    ],  # ascending by lastmodifieddate, as the search sorts it
}  # fmt: skip


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        return con.execute(sql).fetchall()


def test_two_runs_keep_every_version_and_report_the_missing_properties(accounts):
    """Run 1 (EARLIER_SEARCH, no archived contact): 501 and 513 load, cursor = 501's updatedAt
    2026-03-01T09:00:00Z = 1772355600000 ms. Run 2 (the fixtures): search 6 + archived 1 = 7
    fetched; 501's version is held already: a duplicate; 6 loaded (502, 503, 504, 512, 520 live
    and 520 archived at 03-07 10:00Z). Raw then holds 8 versions and deletes none. Run 2's search
    filters from run 1's cursor. The properties check names customer_tier (its definition is
    archived), region and returning_customer; of the current contacts (501, 502, 503, 504, 512,
    513: 520's newest version is archived) all 6 lack those three, and 502 ("") lacks zendesk_user_id."""
    settings, hubspot = accounts
    lines: list[str] = []
    hubspot.payloads["contacts_search.json"] = EARLIER_SEARCH
    hubspot.payloads["contacts_archived.json"] = {"results": []}
    first = pipeline.ingest_contacts(settings, "run-1", lines.append)
    assert (first.records_fetched, first.records_loaded, first.cursor) == (2, 2, "1772355600000")
    hubspot.payloads.clear()
    second = pipeline.ingest_contacts(settings, "run-2", lines.append)
    counts = (second.records_received, second.records_fetched, second.records_loaded, second.duplicates_dropped)
    assert counts == (7, 7, 6, 1)
    assert second.records_rejected == second.outside_window == 0
    assert second.cursor == "1772787600000"  # 520's updatedAt 2026-03-06T09:00:00Z: the newest searched
    searches = [body for method, path, _, body in hubspot.requests if method == "POST"]
    assert searches[1]["filterGroups"][0]["filters"][0] == {
        "propertyName": "lastmodifieddate", "operator": "GTE", "value": "1772355600000",
    }  # fmt: skip
    archived_reads = [q for method, path, q, _ in hubspot.requests if path == "/crm/v3/objects/contacts"]
    assert all(q["archived"] == ["true"] for q in archived_reads) and len(archived_reads) == 2
    assert _rows(settings, "select id, updated_at::varchar, archived from raw.hubspot__contacts order by 1, 2") == [
        (501, "2026-03-01 09:00:00", False), (502, "2026-03-02 09:00:00", False),
        (503, "2026-03-03 09:00:00", False), (504, "2026-03-04 09:00:00", False),
        (512, "2026-03-05 09:00:00", False), (513, "2026-02-01 09:00:00", False),
        (520, "2026-03-06 09:00:00", False), (520, "2026-03-07 10:00:00", True),
    ]  # fmt: skip
    assert second.notes["missing_properties"] == ["customer_tier", "region", "returning_customer"]
    assert second.notes["current_records_lacking_value"] == {
        "customer_tier": 6, "region": 6, "returning_customer": 6, "zendesk_user_id": 1,
    }  # fmt: skip
    missing_lines = [line for line in lines if line.startswith("HubSpot contacts lack")]
    assert missing_lines[-1] == (
        "HubSpot contacts lack properties customer_tier: every customer's tier is 'unknown'; "
        "region: every customer's region is 'unknown'; returning_customer: no customer counts as returning"
    )
    with closing(loader.connect(settings.warehouse_path)) as con:
        assert loader.accounting_gaps(con, "run-2", "hubspot", "contacts") == []


def test_the_dimension_reads_the_portal_as_hubspot_means_it(accounts, tmp_path):
    """Both contact runs above, companies, the Zendesk contract fixtures, then `dbt build`.

    dim_customer, worked by hand:
    - 501: no tier / region / returning property in this portal: unknown, unknown, false; company 7001.
    - 502: zendesk_user_id, associatedcompanyid and phone cleared (""): no link, company null,
      phone hash null (no cast error); unknown, unknown, false.
    - 503 and 504 both carry zendesk_user_id 20978392 (the requester of Zendesk tickets 35436 and
      35437): both stay customers; associatedcompanyid "not-a-number" on 504 is null.
    - 512 survives a merge (hs_merged_object_ids "513"): 513 leaves the dimension.
    - 520's newest version is archived (03-07): it leaves the dimension.
    So customers 501, 502, 503, 504, 512. Links: 20978392 -> 504 (2 candidates; the latest
    modified, 03-04 after 503's 03-03), 9001 -> 501, 9005 -> 512 (not 513). fct_tickets: 35436
    and 35437 once each (no fan-out), customer 504, tier unknown. Companies: 7002's region "" is unknown.
    """
    from tests.test_zendesk_contract import _build

    settings, hubspot = accounts
    _load_both_accounts(settings, hubspot)
    assert FIELD_VARS  # the Zendesk fixture account's field settings, which _build passes
    _build(settings, tmp_path)

    assert _rows(
        settings,
        "select customer_id, customer_tier, region, is_returning_customer, company_id, phone_hash is null "
        "from marts.dim_customer order by 1",
    ) == [
        (501, "unknown", "unknown", False, 7001, False),
        (502, "unknown", "unknown", False, None, True),
        (503, "unknown", "unknown", False, 7001, True),
        (504, "unknown", "unknown", False, None, True),
        (512, "unknown", "unknown", False, 7002, True),
    ]
    assert _rows(
        settings,
        "select zendesk_user_id, contact_id, candidate_contacts from staging.stg_hubspot__customer_links order by 1",
    ) == [(9001, 501, 1), (9005, 512, 1), (20978392, 504, 2)]
    assert _rows(settings, "select ticket_id, customer_id, customer_tier from marts.fct_tickets order by 1") == [
        (35436, 504, "unknown"),
        (35437, 504, "unknown"),
    ]
    assert _rows(
        settings,
        "select count(*) filter (where is_tier_missing), count(*) filter (where is_zendesk_user_id_missing) "
        "from staging.stg_hubspot__contacts",
    ) == [(5, 1)]
    assert _rows(settings, "select company_id, region from staging.stg_hubspot__companies order by 1") == [
        (7001, "east"),
        (7002, "unknown"),
    ]


def _load_both_accounts(settings: Settings, hubspot: HubSpotServer) -> None:
    """The two contact runs of the first test, companies, every Zendesk fixture (the requesters
    of its tickets by id included) and the survey sources empty."""
    hubspot.payloads["contacts_search.json"] = EARLIER_SEARCH
    hubspot.payloads["contacts_archived.json"] = {"results": []}
    pipeline.ingest_contacts(settings, "run-1")
    hubspot.payloads.clear()
    for ingest in ZENDESK_DAILY:
        ingest(settings, DAY, DAY, "contract")
    for ingest in (*ZENDESK_LISTS, pipeline.ingest_contacts, pipeline.ingest_companies):
        ingest(settings, "contract")
    _empty_survey_streams(settings)


# What both tickets' customer looks like through fct_tickets and dim_customer.
TICKET_CUSTOMERS = (
    "select t.ticket_id, t.customer_id, d.customer_tier, d.company_id "
    "from marts.fct_tickets as t left join marts.dim_customer as d on d.customer_id = t.customer_id order by 1"
)


def test_the_external_id_link_finds_the_contact_of_a_requester_landed_by_id(accounts, tmp_path):
    """hubspot_customer_link external_id, against hs_object_id (the default external id property).

    Worked by hand from the fixtures:
    - tickets 35436 and 35437 both point to requester 20978392, which raw does not hold: one
      show_many call for it (users_show_many.json): 1 fetched, 1 loaded, none rejected;
    - its external_id "503" is contact 503's hs_object_id; 503 is live, neither merged away nor
      archived: 1 candidate. So the only link is 20978392 -> 503, not 504 as in the
      contact_property mode (503 and 504 both carry zendesk_user_id 20978392, and 504 was modified
      later), and 9001 / 9005 link no one: no ticket points to them, so no requester of theirs landed;
    - fct_tickets: 35436 and 35437 once each, customer 503: dim_customer's tier unknown (the portal
      lacks the property), company 7001.
    A second run finds every requester of the tickets in raw: it asks for no one, fetches nothing.
    """
    from tests.test_zendesk_contract import _build

    settings, hubspot = accounts
    _load_both_accounts(settings, hubspot)
    assert _rows(settings, "select id, role, external_id from raw.zendesk__requesters") == [
        (20978392, "end-user", "503")
    ]
    with closing(loader.connect(settings.warehouse_path)) as con:
        ledger = con.execute(
            "select records_received, records_fetched, records_loaded, records_rejected from raw._ingest_ledger "
            "where stream = 'requesters' and run_id = 'contract'"
        ).fetchall()
        assert ledger == [(1, 1, 1, 0)]
        assert loader.accounting_gaps(con, "contract", "zendesk", "requesters") == []
    again = pipeline.ingest_requesters(settings, "contract-2")
    assert (again.records_fetched, again.records_loaded) == (0, 0)
    assert _rows(settings, "select count(*) from raw.zendesk__requesters") == [(1,)]

    _build(settings, tmp_path, hubspot_customer_link="external_id")
    assert _rows(
        settings,
        "select zendesk_user_id, contact_id, candidate_contacts from staging.stg_hubspot__customer_links order by 1",
    ) == [(20978392, 503, 1)]
    assert _rows(settings, TICKET_CUSTOMERS) == [(35436, 503, "unknown", 7001), (35437, 503, "unknown", 7001)]
    # the link changes who the tickets' customer is, not who the customers are
    assert _rows(settings, "select customer_id from marts.dim_customer order by 1") == [
        (501,), (502,), (503,), (504,), (512,)
    ]  # fmt: skip


def test_the_email_link_finds_the_contact_by_the_hash_of_the_normalised_email(accounts, tmp_path):
    """hubspot_customer_link email: the keyed hash of requester 20978392's email.

    Worked by hand from the fixtures: its email "Bo@Example.COM" is, lower-cased, contact 502's
    bo@example.com; no other contact has it (501 ana@, 503 cy@, 504 cy.ma@, 512 dee@, 513 dee.xu@
    merged away, 520 eve@ archived). 502's zendesk_user_id is cleared (""), so the contact_property
    mode never links it; this one does: 20978392 -> 502, 1 candidate. fct_tickets: 35436 and 35437,
    customer 502: tier unknown, company null (its associatedcompanyid is cleared too). Raw keeps the
    requester's email only as that hash: the hash equals contact 502's, and `_record` has no email.
    """
    from tests.test_zendesk_contract import _build

    settings, hubspot = accounts
    _load_both_accounts(settings, hubspot)
    assert _rows(
        settings,
        "select r.email_hash = c.email_hash, r._record->>'email', r._record->>'name' "
        "from raw.zendesk__requesters as r, raw.hubspot__contacts as c where c.id = 502",
    ) == [(True, None, None)]

    _build(settings, tmp_path, hubspot_customer_link="email")
    assert _rows(
        settings,
        "select zendesk_user_id, contact_id, candidate_contacts from staging.stg_hubspot__customer_links order by 1",
    ) == [(20978392, 502, 1)]
    assert _rows(settings, TICKET_CUSTOMERS) == [(35436, 502, "unknown", None), (35437, 502, "unknown", None)]


def _empty_survey_streams(settings: Settings) -> None:
    """The survey sources present and empty, as in the Zendesk contract test."""
    from ingestion.sources import survey_csv
    from ingestion.streams import SURVEY_API_RESPONSES

    mapping = survey_csv.load_mapping(next(settings.survey_mapping_dir.glob("*.yaml")))
    common = {"run_id": "contract", "batch_id": f"empty-{DAY}", "landing_dir": None, "pages": 0, "received": 0}
    with closing(loader.connect(settings.warehouse_path)) as con:
        loader.load(con, SURVEY_API_RESPONSES, [], window=pipeline.day_window(settings, DAY), **common)
        loader.load(con, survey_csv.stream_spec(mapping), [], fixed_partition=DAY, scope=("survey_tool", "x"), **common)


def test_a_crm_table_of_the_upsert_release_migrates_in_place(accounts):
    """The upsert release's raw contacts table has no `archived` column: the next load adds it,
    fills it from `_record` for every stored row, and keeps the rows it held. After the fixtures'
    run, 520 has its live and archived versions; the migration run (same fixtures) adds nothing:
    7 fetched, 7 duplicates."""
    settings, _ = accounts
    pipeline.ingest_contacts(settings, "run-1")
    with closing(loader.connect(settings.warehouse_path)) as con:
        con.execute("alter table raw.hubspot__contacts drop column archived")
    again = pipeline.ingest_contacts(settings, "run-2")
    assert (again.records_fetched, again.records_loaded, again.duplicates_dropped) == (7, 0, 7)
    assert _rows(settings, "select id, archived from raw.hubspot__contacts where id = 520 order by updated_at") == [
        (520, False),
        (520, True),
    ]
