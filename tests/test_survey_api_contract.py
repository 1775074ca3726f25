"""Contract fixtures: Delighted's documented survey responses (tests/fixtures/delighted/, each
naming its reference page in `_reference`) served over loopback, paged and filtered as the
reference documents, through the real connector, loader and dbt models.

Expected values are read off the fixture files by hand, not computed by the code under test.
"""

from __future__ import annotations

import copy
import json
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion import loader, pipeline
from ingestion.errors import PagingLoopError
from ingestion.settings import Settings
from ingestion.sources import survey_api, survey_csv
from ingestion.streams import ALL_HTTP_STREAMS, SURVEY_API_RESPONSES
from tests.conftest import pointed_at
from tests.loopback import LoopbackJsonServer
from tests.sample_warehouse import run_dbt

FIXTURES = Path(__file__).parent / "fixtures" / "delighted"
DAY = date(2026, 3, 10)  # the fixtures' created_at fall on this Shanghai day: 1773072000 .. 1773158400
UNKNOWN_XYZ = "unknown survey type 'xyz': map it under survey_types in config/survey_api.yaml"


def _fixture(name: str) -> list[dict]:
    return json.loads((FIXTURES / name).read_text())["body"]


class DelightedServer(LoopbackJsonServer):
    """GET /v1/survey_responses.json over `responses` as the reference documents it: a list in
    creation order, `page` from 1, `per_page` at most 100, `since`/`until` on created_at and
    `updated_since`/`updated_until` on updated_at (both inclusive; a response never updated has
    updated_at null and matches no update filter), a page past the last empty. `ignore_page`
    answers page 1 whatever is asked, as a broken proxy might. Every request is kept."""

    def __init__(self, responses: list[dict], ignore_page: bool = False) -> None:
        self.requests: list[dict[str, str]] = []

        def answer(method: str, path: str, query: dict, body: dict | None, headers: dict) -> tuple[int, object]:
            if (method, path) != ("GET", "/v1/survey_responses.json"):
                return 404, {"status": 404, "message": "Resource not found"}
            q = {k: v[0] for k, v in query.items()}
            self.requests.append(q)
            if "updated_since" in q:
                field, lo, hi = "updated_at", int(q["updated_since"]), int(q["updated_until"])
            else:
                field, lo, hi = "created_at", int(q["since"]), int(q["until"])
            rows = [r for r in responses if r[field] is not None and lo <= r[field] <= hi]
            rows.sort(key=lambda r: (r["created_at"], r["id"]))
            per_page, page = min(int(q.get("per_page", 20)), 100), 1 if ignore_page else int(q.get("page", 1))
            return 200, rows[(page - 1) * per_page : page * per_page]

        super().__init__(answer)


@pytest.fixture
def documented(settings) -> tuple[Settings, DelightedServer]:
    server = DelightedServer(_fixture("survey_responses_page1.json"))
    yield pointed_at(settings, server), server
    server.stop()


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        return con.execute(sql).fetchall()


def test_the_fixture_pages_end_with_an_empty_page():
    assert _fixture("survey_responses_page2.json") == []


def test_paging_past_100_responses_fetches_every_page(settings):
    """250 responses created on DAY, none updated since: the update pass gets an empty first page;
    the creation pass gets pages of 100, 100 and 50, then an empty page 4 that ends it."""
    template = _fixture("survey_responses_page1.json")[2]  # CSAT 4 of ticket 35437
    responses = []
    for n in range(250):
        r = copy.deepcopy(template)
        r["id"], r["created_at"] = str(1000 + n), 1773108000 + n * 60  # 10:00 Shanghai, one a minute
        responses.append(r)
    server = DelightedServer(responses)
    try:
        result = pipeline.ingest_survey_api(pointed_at(settings, server), DAY, DAY, "paging")
    finally:
        server.stop()
    day_start, day_end = 1773072000, 1773158400  # 2026-03-10 00:00 Shanghai and the next midnight
    updated = {"updated_since": str(day_start), "updated_until": str(day_end - 1), "per_page": "100"}
    created = {"since": str(day_start), "until": str(day_end - 1), "per_page": "100"}
    assert server.requests == [
        {**updated, "page": "1"},
        *({**created, "page": str(p)} for p in (1, 2, 3, 4)),
    ]
    assert (result.records_fetched, result.records_loaded, result.records_rejected) == (250, 250, 0)
    assert _rows(settings, "select count(distinct id) from raw.surveys__api_responses") == [(250,)]


def test_a_page_that_ignores_page_fails_instead_of_looping(settings):
    responses = _fixture("survey_responses_page1.json")[:3]
    many = [dict(responses[2], id=str(n), created_at=1773108000 + n) for n in range(100)]
    server = DelightedServer(many, ignore_page=True)
    try:
        with pytest.raises(PagingLoopError, match="identical to page 1"):
            pipeline.ingest_survey_api(pointed_at(settings, server), DAY, DAY, "loop")
    finally:
        server.stop()
    assert len(server.requests) == 3  # the empty update pass, then pages 1 and 2 of creation


def test_the_documented_responses_load_typed_by_their_survey_type(documented):
    """Worked by hand from survey_responses_page1.json (see its `_reference`):
    - fetched 8: the update pass returns response 2 (updated 12:00 on DAY), the creation pass all 7;
      response 2's second copy is a duplicate of the same version;
    - loaded 5 (1-5), rejected 2: 6 of the unmapped type xyz, 7 with NPS 11."""
    settings, _ = documented
    result = pipeline.ingest_survey_api(settings, DAY, DAY, "documented")
    assert (result.records_fetched, result.records_loaded, result.records_rejected) == (8, 5, 2)
    assert result.duplicates_dropped == 1
    rejects = _rows(settings, "select record_id, reason from raw._rejects order by record_id")
    assert rejects == [("6", UNKNOWN_XYZ), ("7", "score missing or out of range for survey type nps (0-10)")]
    rows = _rows(
        settings,
        "select id, survey_type, ticket_ref, ticket_id, channel, csat_scale, csat_scale_min, csat_scale_max, "
        "csat_value, is_csat_positive, nps_scale, nps_answer, speed_score, resolution_score, has_kpi_answer "
        "from raw.surveys__api_responses order by id",
    )
    assert rows == [
        # the reference's own example: NPS 0, no ticket (its person properties name none)
        ("1", "nps", None, None, None, None, None, None, None, None, "zero_to_ten", "0", None, None, True),
        ("2", "nps", "35436", 35436, "email", None, None, None, None, None, "zero_to_ten", "9", None, None, True),
        # the ticket id sent as a JSON number reads the same
        ("3", "csat", "35437", 35437, "chat", "five_point", 1, 5, 4, True, None, None, 5, 3, True),
        # a ticket reference that is not a number: kept as given, linked to no ticket
        ("4", "csat", "ZD-35438", None, "phone", "five_point", 1, 5, 2, False, None, None, None, None, True),
        # CES feeds no KPI of the contract: loaded, flagged
        ("5", "ces", "35439", 35439, None, None, None, None, None, None, None, None, None, None, False),
    ]
    # a never-updated response's version is its creation; an updated one's its update
    versions = _rows(
        settings,
        "select id, epoch(updated_at)::bigint from raw.surveys__api_responses where id in ('1', '2') order by 1",
    )
    assert versions == [("1", 1773108000), ("2", 1773115200)]


def test_nps_comes_from_score_through_staging_and_the_intermediate_model(documented, tmp_path):
    """The documented responses through dbt, every other source present and empty. By hand:
    1 is NPS 0, a detractor; 2 NPS 9, a promoter; 3 CSAT 4 (overall 4, positive); 4 CSAT 2 (not
    positive); 5 (CES) answers no KPI question and is left out; 6 and 7 were rejected."""
    settings, _ = documented
    pipeline.ingest_survey_api(settings, DAY, DAY, "documented")
    mapping = survey_csv.load_mapping(next(settings.survey_mapping_dir.glob("*.yaml")))
    with closing(loader.connect(settings.warehouse_path)) as con:
        for spec in (*ALL_HTTP_STREAMS, survey_csv.stream_spec(mapping)):
            loader.create_empty(con, spec)
    run_dbt(
        "build", "--select", "+int_surveys__responses",
        env={"CSKPI_WAREHOUSE_PATH": str(settings.warehouse_path)}, target_dir=tmp_path,
    )  # fmt: skip
    rows = _rows(
        settings,
        "select response_id, ticket_id, overall_score, csat_scale, is_csat_positive, nps_scale, nps_value, "
        "nps_category, speed_score from intermediate.int_surveys__responses where survey_source = 'survey_api' "
        "order by 1",
    )
    assert rows == [
        ("1", None, None, None, None, "zero_to_ten", 0, "detractor", None),
        ("2", 35436, None, None, None, "zero_to_ten", 9, "promoter", None),
        ("3", 35437, 4, "five_point", True, None, None, None, 5),
        ("4", None, 2, "five_point", False, None, None, None, None),
    ]
    staged = _rows(settings, "select response_id, ticket_ref, has_kpi_answer from staging.stg_surveys__api_responses")
    assert ("4", "ZD-35438", True) in staged and ("5", "35439", False) in staged


def test_an_old_warehouse_gains_the_new_columns_from_its_stored_records(settings):
    """A raw table of the connector this replaces (overall_score, nps_score, no ticket_ref) holding
    the documented CSAT response 3: the next load adds the columns it lacks, filled from `_record`
    (through the loader's macro, where a bare `->` would not parse), and keeps the old ones."""
    record = json.dumps(_fixture("survey_responses_page1.json")[2])
    with closing(loader.connect(settings.warehouse_path)) as con:
        con.execute(
            "create table raw.surveys__api_responses (id varchar, submitted_at timestamp, updated_at timestamp, "
            "survey_type varchar, overall_score integer, speed_score integer, accuracy_score integer, "
            "attitude_score integer, resolution_score integer, nps_score integer, ticket_id bigint, channel varchar, "
            "_partition_date date, _batch_id varchar, _run_id varchar, _loaded_at timestamp, _source_file varchar, "
            "_record json)"
        )
        con.execute(
            "insert into raw.surveys__api_responses (id, submitted_at, updated_at, survey_type, overall_score, "
            "_record) values ('3', to_timestamp(1773115200)::timestamp, to_timestamp(1773115200)::timestamp, "
            "'csat', 4, ?)",
            [record],
        )
        common = {"run_id": "old", "batch_id": "old", "landing_dir": None, "pages": 0, "received": 0}
        loader.load(con, SURVEY_API_RESPONSES, [], window=pipeline.day_window(settings, DAY), **common)
        row = con.execute(
            "select overall_score, ticket_ref, csat_value, is_csat_positive, nps_answer, has_kpi_answer "
            "from raw.surveys__api_responses"
        ).fetchall()
    # columns the old table had (ticket_id, the dimensions) keep what the old connector stored
    assert row == [(4, "35437", 4, True, None, True)]


def test_a_type_named_in_the_config_is_read_from_the_file_at_each_load(tmp_path):
    """Unmapping csat in an edited copy of the config makes a CSAT response an unknown type."""
    shipped = (Path(survey_api.__file__).parents[2] / "config" / "survey_api.yaml").read_text("utf-8")
    edited = tmp_path / "survey_api.yaml"
    edited.write_text(shipped.replace("  csat: {feeds: csat, min: 1, max: 5}\n", ""), "utf-8")
    spec = survey_api.stream_spec(edited)
    known = next(cond for cond, _ in spec.rules if cond.startswith("survey_type is null or"))
    assert "'csat'" not in known and "'nps'" in known
