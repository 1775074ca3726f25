"""Contract fixtures: Zendesk's documented responses (tests/fixtures/zendesk/, each naming its
reference page in `_reference`) served over loopback through the real connectors and loader.

Expected values are read off the fixture files by hand, not computed by the code under test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb
import pytest

from ingestion import loader, pipeline
from ingestion.loader import LoadResult
from ingestion.settings import Settings
from tests.conftest import pointed_at
from tests.loopback import LoopbackJsonServer

FIXTURES = Path(__file__).parent / "fixtures" / "zendesk"
ROUTES = {
    "/api/v2/incremental/tickets/cursor.json": "incremental_tickets_cursor.json",
    "/api/v2/incremental/ticket_events.json": "incremental_ticket_events.json",
    "/api/v2/incremental/ticket_metric_events.json": "incremental_ticket_metric_events.json",
    "/api/v2/slas/policies.json": "sla_policies.json",
    "/api/v2/ticket_fields.json": "ticket_fields.json",
    "/api/v2/groups.json": "groups.json",
    "/api/v2/users.json": "users.json",
    "/api/v2/users/show_many.json": "users_show_many.json",
    "/api/v2/satisfaction_ratings.json": "satisfaction_ratings.json",
    "/api/v2/guide/survey_responses": "csat_survey_responses.json",
    "/api/v2/business_hours/schedules.json": "schedules.json",
    # schedule 2's holidays; schedule 1 answers 404, as a schedule deleted between the two calls
    "/api/v2/business_hours/schedules/2/holidays.json": "schedule_holidays.json",
}
DAY = date(2026, 3, 10)  # every fixture's timestamps fall on this Shanghai day


def _epoch(iso_time: str) -> int:
    return int(datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp())


class FixtureServer(LoopbackJsonServer):
    """Answers each documented path with its fixture, less the `_reference` note. `ratings_by`
    names the timestamp the ratings list filters `start_time`/`end_time` on (the reference does
    not say which); None serves the fixture whole. `payloads` replaces a fixture's body by name;
    `absent` names fixtures answered with a 404, as an account without the feature might."""

    def __init__(
        self, ratings_by: str | None = None, payloads: dict[str, dict] | None = None, absent: tuple[str, ...] = ()
    ) -> None:
        def answer(method: str, path: str, query: dict, body: dict | None, headers: dict) -> tuple[int, dict]:
            name = ROUTES.get(path)
            if name is None or name in absent:
                return 404, {"error": "RecordNotFound"}
            payload = dict((payloads or {}).get(name) or json.loads((FIXTURES / name).read_text()))
            payload.pop("_reference", None)
            if name == "users_show_many.json":  # the users asked for by id, as the endpoint answers
                ids = {int(i) for i in query["ids"][0].split(",")}
                payload["users"] = [u for u in payload["users"] if u["id"] in ids]
            if ratings_by and "satisfaction_ratings" in payload:
                lo, hi = int(query["start_time"][0]), int(query["end_time"][0])
                payload["satisfaction_ratings"] = [
                    r for r in payload["satisfaction_ratings"] if lo <= _epoch(r[ratings_by]) <= hi
                ]
            return 200, payload

        super().__init__(answer)


@pytest.fixture
def zendesk(settings) -> Iterator:
    server = FixtureServer()
    yield pointed_at(settings, server)
    server.stop()


def _rows(settings, sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(settings.warehouse_path), read_only=True)) as con:
        return con.execute(sql).fetchall()


ZENDESK_DAILY = (
    pipeline.ingest_tickets,
    pipeline.ingest_ticket_events,
    pipeline.ingest_ticket_metric_events,
    pipeline.ingest_satisfaction_ratings,
    pipeline.ingest_csat_survey_responses,
)
ZENDESK_LISTS = (
    pipeline.ingest_groups,
    pipeline.ingest_agents,
    pipeline.ingest_requesters,
    pipeline.ingest_ticket_fields,
    pipeline.ingest_sla_policies,
)
# the fixture account's dropdown "Hardware fault" stands in for the level, its text field "Model" for the category
FIELD_VARS = {"zendesk_response_level_field": "Hardware fault", "zendesk_category_field": "Model"}


def _load_the_account(settings: Settings, day: date, run_id: str) -> list[LoadResult]:
    """A day's run of every stream: Zendesk's as served, the other sources present and empty.
    Returns the Zendesk day streams' results."""
    from ingestion.sources import survey_csv
    from ingestion.streams import HUBSPOT_COMPANIES, HUBSPOT_CONTACTS, SURVEY_API_RESPONSES

    results = [ingest(settings, day, day, run_id) for ingest in ZENDESK_DAILY]
    for ingest in ZENDESK_LISTS:
        ingest(settings, run_id)
    mapping = survey_csv.load_mapping(next(settings.survey_mapping_dir.glob("*.yaml")))
    common = {"run_id": run_id, "batch_id": f"empty-{day}", "landing_dir": None, "pages": 0, "received": 0}
    with closing(loader.connect(settings.warehouse_path)) as con:
        for spec in (HUBSPOT_CONTACTS, HUBSPOT_COMPANIES):
            loader.load(con, spec, [], **common)
        loader.load(con, SURVEY_API_RESPONSES, [], window=pipeline.day_window(settings, day), **common)
        loader.load(con, survey_csv.stream_spec(mapping), [], fixed_partition=day, scope=("survey_tool", "x"), **common)
    return results


def _build(settings: Settings, work: Path, days: tuple[date, date] | None = None, **dbt_vars: str) -> None:
    """`dbt build` of every model and test; with `days`, over their window as the daily run does;
    `dbt_vars` set further vars (hubspot_customer_link)."""
    from orchestration.defs.dbt.window import dbt_window_vars
    from tests.sample_warehouse import run_dbt

    window = {}
    if days:
        start, end = datetime.combine(days[0], time()), datetime.combine(days[1] + timedelta(days=1), time())
        window = dbt_window_vars(start, end, settings.lookback_days)
    variables = json.dumps({**FIELD_VARS, **window, **dbt_vars})
    run_dbt("build", "--vars", variables, env={"CSKPI_WAREHOUSE_PATH": str(settings.warehouse_path)}, target_dir=work)


def test_the_documented_ticket_export_lands_whole_with_its_metric_sets(zendesk):
    tickets = pipeline.ingest_tickets(zendesk, DAY, DAY, "contract")
    # incremental_tickets_cursor.json: 2 tickets, both generated on 03-10, end_of_stream true
    assert (tickets.records_received, tickets.records_loaded, tickets.outside_window) == (2, 2, 0)
    assert _rows(
        zendesk,
        "select id, status, generated_at::varchar, custom_fields->>'27642', custom_fields->>'27648', group_id "
        "from raw.zendesk__tickets order by id",
    ) == [
        (35436, "open", "2026-03-10 02:30:00", "745", "yes", 360001),
        (35437, "closed", "2026-03-10 06:45:00", "812", "yes", 360002),
    ]
    # the metric_sets sideload: reply_time_in_minutes.calendar 16 and 30
    assert _rows(
        zendesk, "select ticket_id, reply_time_calendar_minutes from raw.zendesk__ticket_metrics order by 1"
    ) == [(35436, 16), (35437, 30)]
    with closing(loader.connect(zendesk.warehouse_path)) as con:
        assert loader.accounting_gaps(con, "contract", "zendesk", "tickets") == []
        assert loader.accounting_gaps(con, "contract", "zendesk", "ticket_metrics") == []


def test_the_documented_event_export_keeps_custom_field_changes_by_id(zendesk):
    events = pipeline.ingest_ticket_events(zendesk, DAY, DAY, "contract")
    # incremental_ticket_events.json: 2 audits of ticket 35437 with 7 and 4 child events
    assert (events.records_received, events.records_loaded) == (11, 11)
    assert _rows(
        zendesk,
        "select event_type, field_name, value from raw.zendesk__ticket_events "
        "where field_name in ('27642', '27648') order by id",
    ) == [("Create", "27642", "812"), ("Change", "27648", "yes")]


def test_the_documented_sla_policies_land_one_row_per_target(zendesk):
    """sla_policies.json: policy 25 lists 6 policy metrics, policy 36 none. Each target is a row of its
    own (6); the policy without targets is kept as one row with no metric (1): 7 read, 7 loaded."""
    result = pipeline.ingest_sla_policies(zendesk, "contract")
    assert (result.records_received, result.records_fetched, result.records_loaded) == (7, 7, 7)
    assert _rows(
        zendesk,
        "select policy_id, title, priority, metric, target_minutes, business_hours from raw.zendesk__sla_policies "
        "order by policy_id, priority nulls last, metric",
    ) == [
        (25, "Incidents", "high", "agent_work_time", 60, False),
        (25, "Incidents", "high", "first_reply_time", 60, False),
        (25, "Incidents", "high", "next_reply_time", 100, False),
        (25, "Incidents", "high", "requester_wait_time", 240, True),
        (25, "Incidents", "normal", "first_reply_time", 240, False),
        (25, "Incidents", "urgent", "first_reply_time", 10, False),
        (36, "Silver Plan", None, None, None, None),
    ]
    with closing(loader.connect(zendesk.warehouse_path)) as con:
        assert loader.accounting_gaps(con, "contract", "zendesk", "sla_policies") == []


def test_an_account_without_sla_policies_loads_an_empty_list_and_says_so(settings):
    """A plan without SLAs: the endpoint answers 404 (the reference does not say what it answers):
    0 records, an empty table, the ledger accounts for it, and the run log says the response-level
    targets are the policy."""
    server = FixtureServer(absent=("sla_policies.json",))
    told: list[str] = []
    try:
        result = pipeline.ingest_sla_policies(pointed_at(settings, server), "no-slas", told.append)
    finally:
        server.stop()
    assert (result.records_fetched, result.records_loaded) == (0, 0)
    assert _rows(settings, "select count(*) from raw.zendesk__sla_policies") == [(0,)]
    assert [line for line in told if "response-level targets are the SLA policy" in line] != []
    with closing(loader.connect(settings.warehouse_path)) as con:
        assert loader.accounting_gaps(con, "no-slas", "zendesk", "sla_policies") == []


def test_the_documented_metric_events_land_typed_with_their_sla(zendesk):
    """incremental_ticket_metric_events.json: 25 events, all on 03-10 (01:12Z to 03:05Z): 25 loaded.
    Its apply_sla events carry policy 25's targets (60, 240 in business hours, 60, 100 minutes); the
    breach of 35437's first reply (02:40Z) is marked deleted, its agent work time's breach is not;
    update_status carries the minutes measured (16, 30, 85, 85). Re-running the day adds nothing."""
    result = pipeline.ingest_ticket_metric_events(zendesk, DAY, DAY, "contract")
    assert (result.records_received, result.records_loaded, result.records_rejected, result.outside_window) == (
        25,
        25,
        0,
        0,
    )
    assert _rows(
        zendesk,
        "select ticket_id, metric, instance_id, sla_target_minutes, sla_business_hours, sla_policy_id "
        "from raw.zendesk__ticket_metric_events where event_type = 'apply_sla' order by id",
    ) == [
        (35436, "reply_time", 1, 60, False, 25),
        (35436, "requester_wait_time", 1, 240, True, 25),
        (35436, "agent_work_time", 1, 60, False, 25),
        (35436, "reply_time", 2, 100, False, 25),
        (35437, "reply_time", 1, 60, False, 25),
        (35437, "requester_wait_time", 1, 240, True, 25),
        (35437, "agent_work_time", 1, 60, False, 25),
    ]
    assert _rows(
        zendesk,
        "select ticket_id, metric, event_time::varchar, is_deleted from raw.zendesk__ticket_metric_events "
        "where event_type = 'breach' order by id",
    ) == [(35437, "reply_time", "2026-03-10 02:40:00", True), (35437, "agent_work_time", "2026-03-10 02:40:00", False)]
    assert _rows(
        zendesk,
        "select status_calendar_minutes from raw.zendesk__ticket_metric_events where event_type = 'update_status' "
        "order by id",
    ) == [(16,), (30,), (85,), (85,)]
    again = pipeline.ingest_ticket_metric_events(zendesk, DAY, DAY, "contract-again")
    assert (again.records_loaded, again.duplicates_dropped) == (0, 25)
    with closing(loader.connect(zendesk.warehouse_path)) as con:
        for run_id in ("contract", "contract-again"):
            assert loader.accounting_gaps(con, run_id, "zendesk", "ticket_metric_events") == []


def test_the_documented_lists_land_deleted_groups_marked(zendesk):
    pipeline.ingest_groups(zendesk, "contract")
    pipeline.ingest_ticket_fields(zendesk, "contract")
    # groups.json lists 360002 with deleted: true; ticket_fields.json has 3 fields
    assert _rows(zendesk, "select id, _record->>'deleted' from raw.zendesk__groups order by id") == [
        (360001, "false"),
        (360002, "true"),
    ]
    assert _rows(zendesk, "select count(*) from raw.zendesk__ticket_fields") == [(3,)]


def test_the_documented_schedules_land_with_their_intervals_and_holidays(zendesk):
    total = pipeline.ingest_schedules(zendesk, "contract")
    counts = {r.stream: (r.records_received, r.records_loaded, r.records_rejected) for r in total.per_partition}
    # schedules.json: 2 schedules of 5 intervals each; schedule_holidays.json: 2 holidays of schedule 2
    assert counts == {
        "zendesk.schedules": (2, 2, 0),
        "zendesk.schedule_intervals": (10, 10, 0),
        "zendesk.schedule_holidays": (2, 2, 0),
    }
    assert _rows(zendesk, "select id, name, time_zone from raw.zendesk__schedules order by id") == [
        (1, "North America", "Pacific Time (US & Canada)"),
        (2, "China", "Beijing"),
    ]
    # Monday 09:00-17:00 of schedule 1: 1980-2460 minutes since Sunday midnight, as the reference's example
    assert _rows(
        zendesk, "select schedule_id, start_time, end_time from raw.zendesk__schedule_intervals order by 1, 2 limit 1"
    ) == [(1, 1980, 2460)]
    # the schedule id comes from the landed file's name: a holiday does not carry it
    assert _rows(
        zendesk,
        "select id, schedule_id, start_date::varchar, end_date::varchar from raw.zendesk__schedule_holidays order by 1",
    ) == [(201, 2, "2026-02-15", "2026-02-23"), (202, 2, "2026-01-01", "2026-01-01")]


def test_an_account_without_schedules_loads_none_and_the_run_goes_on(settings):
    server = FixtureServer(absent=("schedules.json",))
    told: list[str] = []
    try:
        total = pipeline.ingest_schedules(pointed_at(settings, server), "no-schedules", told.append)
    finally:
        server.stop()
    assert [(r.stream, r.records_fetched, r.records_loaded) for r in total.per_partition] == [
        ("zendesk.schedules", 0, 0),
        ("zendesk.schedule_intervals", 0, 0),
        ("zendesk.schedule_holidays", 0, 0),
    ]
    assert told[0].startswith("zendesk.schedules: business-hours schedules are not available on this account")


def test_the_kpis_read_the_documented_records_as_zendesk_means_them(zendesk, tmp_path):
    """Every Zendesk fixture through the connectors, the loader and dbt; the other sources empty.

    Worked by hand from the fixtures:
    - ticket 35437 (email, group 360002 "Printer Escalations", deleted: true in the list) was
      created 01:40Z; agent 235323's public comment at 02:10Z is the first reply: 1800 s, and
      Zendesk's reply_time_in_minutes.calendar is 30, so the two agree. It is closed with no solve
      event loaded: resolved, its solve time Zendesk's first resolution, 85 min after creation
      (03:05Z); handle time from the assignment at 02:10Z: 55 min = 3300 s.
    - ticket 35436 has no events in the fixture, so its history was not loaded from its creation
      (as for a ticket created before the first loaded day): timing_source zendesk_metrics. Its
      metric set gives reply_time_in_minutes.calendar 16: first response 16 x 60 = 960 s; it is
      open and first_resolution is null: no solve time, no handle time. Team "First Level Support".
    - CSAT survey responses (the newer CSAT): 01J1WB51MG6HXTYWE6Q0C93RNW rates ticket 35437 4
      (positive); 01J1WB6Z4ZB1QY0Q8KX5YBR3CE skipped its rating (no response); 01J1WB7ABD0Q3VK2X3NFT1M9QH
      rates a conversation 2 (negative, no ticket: channel "other", team "unassigned");
      01J1WB8C8S0M4W3T9PXRZ2V5KD is on a 3-option scale: rejected.
    - rating 1234 (ticket 35437) is good, answered 06:45Z, but ticket 35437 is rated 4 on the newer
      CSAT, of which it is Zendesk's good / bad copy: not counted again. Rating 35500 was only offered.
    So 03-10 has 2 CSAT responses, 1 positive, both scored: mean (4 + 2) / 2.
    - Agents (kpi-definitions.md, "Agent attribution"): both tickets are assigned to 235323, who wrote
      35437's first reply; 35436 is timed by Zendesk's metrics, so no first responder is read off its
      events. The users list names 235323 "Johnny Agent" (agent) and 76872 "Ada Admin" (admin): staff
      data, in staff.dim_agent only; the requester "Bo Wu" (end-user, users/show_many) is named nowhere.
    """
    from orchestration.defs.quality.slices import metric_reconciliation

    _load_the_account(zendesk, DAY, "contract")
    _build(zendesk, tmp_path)

    with closing(duckdb.connect(str(zendesk.warehouse_path), read_only=True)) as con:
        tickets = con.execute(
            "select ticket_id, channel, team, category, timing_source, is_solved, solved_at::varchar, "
            "first_response_seconds, handle_seconds from marts.fct_tickets order by 1"
        ).fetchall()
        csat = con.execute(
            "select sum(csat_responses), sum(csat_positive_responses), sum(csat_scored_responses), "
            "sum(csat_score_sum) from marts.fct_kpi_daily where kpi_date = ?",
            [DAY],
        ).fetchone()
        responses = con.execute(
            "select response_id, survey_source, csat_scale, overall_score, is_csat_positive, ticket_id, channel, team "
            "from marts.fct_survey_responses order by 1"
        ).fetchall()
        attributed = con.execute(
            "select ticket_id, attributed_agent_id, first_responder_agent_id from marts.fct_tickets order by 1"
        ).fetchall()
        agents = con.execute("select agent_id, agent_name, role from staff.dim_agent order by 1").fetchall()
        named = con.execute("select count(*) from raw.zendesk__users where agent_name = 'Bo Wu'").fetchone()[0]
    assert attributed == [(35436, 235323, None), (35437, 235323, 235323)]
    assert agents == [(76872, "Ada Admin", "admin"), (235323, "Johnny Agent", "agent")]
    assert named == 0
    assert tickets == [
        (35436, "web_form", "First Level Support", "745", "zendesk_metrics", False, None, 960, None),
        (35437, "email", "Printer Escalations", "812", "events", True, "2026-03-10 03:05:00", 1800, 3300),
    ]
    assert csat == (2, 1, 2, 6)
    assert responses == [
        ("zendesk-survey-01J1WB51MG6HXTYWE6Q0C93RNW", "zendesk_csat_survey", "five_point", 4, True, 35437, "email",
         "Printer Escalations"),
        ("zendesk-survey-01J1WB7ABD0Q3VK2X3NFT1M9QH", "zendesk_csat_survey", "five_point", 2, False, None, "other",
         "unassigned"),
    ]  # fmt: skip
    first_reply, _ = metric_reconciliation(zendesk, (DAY, DAY))
    # 35437 is compared (its own audits against Zendesk's 30 min); 35436 is timed by Zendesk itself
    assert (first_reply["tickets_compared"], first_reply["agreement_share"]) == (1, 1.0)
    assert first_reply["tickets_timed_by_zendesk"] == 1


@pytest.mark.parametrize("ratings_by", ["created_at", "updated_at"])
def test_a_rating_answered_days_after_it_was_offered_is_loaded_on_its_answer_day(settings, ratings_by):
    """Whichever timestamp Zendesk's ratings filter reads, the answer day's load holds the answer.

    satisfaction_ratings.json: rating 1234 is offered 03-10 03:05Z and answered good 06:45Z. Served
    as if offered three days earlier (created 03-07), a filter on created_at would leave it out of
    03-10's own window; the fetch reaches a week back, so 03-10's load still has it: loaded 1."""
    fixture = json.loads((FIXTURES / "satisfaction_ratings.json").read_text())
    rating = next(r for r in fixture["satisfaction_ratings"] if r["id"] == 1234)
    offered = datetime.fromisoformat(rating["created_at"].replace("Z", "+00:00")) - timedelta(days=3)
    rating["created_at"] = offered.strftime("%Y-%m-%dT%H:%M:%SZ")
    server = FixtureServer(ratings_by=ratings_by, payloads={"satisfaction_ratings.json": fixture})
    try:
        result = pipeline.ingest_satisfaction_ratings(pointed_at(settings, server), DAY, DAY, "late-answer")
    finally:
        server.stop()
    assert result.records_loaded >= 1
    held = _rows(settings, "select id, score from raw.zendesk__satisfaction_ratings where id = 1234")
    assert held == [(1234, "good")]


def test_the_documented_survey_responses_land_as_versions_with_their_rating(zendesk):
    """csat_survey_responses.json through the connector and loader, worked by hand:
    4 responses fetched; 01J1WB8C8S0M4W3T9PXRZ2V5KD lists 3 options on its rating question, a scale
    this warehouse does not read on 1-5: rejected. The other 3 load, each versioned by its newest
    answer's update and submitted at its first answer's creation (the responses carry no times of
    their own): ticket 35437 rated 4 (06:40Z, changed 06:45Z), ticket 35436 with the rating skipped
    (09:00Z), a conversation (no ticket) rated 2 on the flat survey_id / survey_version form."""
    result = pipeline.ingest_csat_survey_responses(zendesk, DAY, DAY, "contract")
    assert (result.records_received, result.records_loaded, result.records_rejected, result.outside_window) == (
        4,
        3,
        1,
        0,
    )
    assert _rows(
        zendesk,
        "select id, ticket_id, survey_id, survey_version, rating, submitted_at::varchar, updated_at::varchar "
        "from raw.zendesk__csat_survey_responses order by submitted_at",
    ) == [
        ("01J1WB51MG6HXTYWE6Q0C93RNW", 35437, "01J58KJ9RAE0D2EK7HRVM7Z8F2", 3, 4, "2026-03-10 06:40:00",
         "2026-03-10 06:45:00"),
        ("01J1WB6Z4ZB1QY0Q8KX5YBR3CE", 35436, "01J58KJ9RAE0D2EK7HRVM7Z8F2", 3, None, "2026-03-10 09:00:00",
         "2026-03-10 09:00:00"),
        ("01J1WB7ABD0Q3VK2X3NFT1M9QH", None, "01J58KJ9RAE0D2EK7HRVM7Z8F2", 3, 2, "2026-03-10 10:00:00",
         "2026-03-10 10:05:00"),
    ]  # fmt: skip
    assert _rows(zendesk, "select record_id, reason from raw._rejects where stream = 'csat_survey_responses'") == [
        ("01J1WB8C8S0M4W3T9PXRZ2V5KD", "unknown survey scale")
    ]
    # re-running the day finds every version held: nothing new, nothing lost
    again = pipeline.ingest_csat_survey_responses(zendesk, DAY, DAY, "contract-again")
    assert (again.records_loaded, again.duplicates_dropped, again.records_rejected) == (0, 3, 1)
    with closing(loader.connect(zendesk.warehouse_path)) as con:
        for run_id in ("contract", "contract-again"):
            assert loader.accounting_gaps(con, run_id, "zendesk", "csat_survey_responses") == []


def test_an_account_without_the_newer_csat_is_an_ordinary_empty_day(settings):
    """The endpoint answers 404 (taken as "not enabled": the reference does not say): every day of
    the range loads nothing, the ledger accounts for it, the notice is told once, not per day."""
    server = FixtureServer(absent=("csat_survey_responses.json",))
    told: list[str] = []
    try:
        result = pipeline.ingest_csat_survey_responses(
            pointed_at(settings, server), DAY - timedelta(days=1), DAY, "legacy-account", told.append
        )
    finally:
        server.stop()
    assert (result.records_received, result.records_fetched, result.records_loaded) == (0, 0, 0)
    assert len(result.per_partition) == 2
    assert [line for line in told if "not enabled" in line] == [told[0]]
    assert _rows(settings, "select count(*) from raw.zendesk__csat_survey_responses") == [(0,)]
    with closing(loader.connect(settings.warehouse_path)) as con:
        assert loader.accounting_gaps(con, "legacy-account", "zendesk", "csat_survey_responses") == []


QUIET = DAY + timedelta(days=1)  # 03-11: nothing created, updated or rated
# A quiet day in Zendesk's documented shapes, each with the top-level keys of its fixture. The
# references show no empty example; an empty cursor export returns no cursor to go on from
# (after_cursor null, as users of the API report), and the time-based event export's end_time is
# then the requested start_time: 1773158400 = 2026-03-11 00:00 Asia/Shanghai (16:00Z on 03-10).
QUIET_PAYLOADS = {
    "incremental_tickets_cursor.json": {
        "after_cursor": None, "after_url": None, "before_cursor": None, "before_url": None,
        "end_of_stream": True, "tickets": [],
    },
    "incremental_ticket_events.json": {
        "count": 0, "end_of_stream": True, "end_time": 1773158400, "next_page": None, "ticket_events": [],
    },
    "incremental_ticket_metric_events.json": {
        "count": 0, "end_of_stream": True, "end_time": 1773158400, "next_page": None, "ticket_metric_events": [],
    },
    "satisfaction_ratings.json": {
        "satisfaction_ratings": [], "meta": {"has_more": False, "after_cursor": None, "before_cursor": None},
        "links": {"next": None, "prev": None},
    },
    "csat_survey_responses.json": {
        "survey_responses": [], "meta": {"has_more": False, "after_cursor": None, "before_cursor": None},
        "links": {"next": None, "prev": None},
    },
}  # fmt: skip


def test_a_quiet_day_on_the_documented_account_is_green_and_publishes(settings, tmp_path):
    """03-10 as the fixtures have it, built; then 03-11, on which Zendesk serves nothing, run as the
    daily run does: ingest, dbt build over its window (the look-back reaches back over 03-10), the
    GX suites on its slice, publish.

    Worked by hand: each of the day's loads read 0 records, so 0 = 0 loaded + 0 rejected + 0
    duplicates + 0 outside the window; the ticket metrics come with the tickets, also 0. The
    marts have no 03-11 row at all (no row of zeros), and 03-10's rows stay as the busy day's own
    test has them: 2 tickets created, 2 CSAT responses."""
    from orchestration.defs.quality.checks import MART_SUITES, validate_mart
    from orchestration.publishing import PUBLISHED_MARTS
    from orchestration.publishing.snapshot import write_duckdb_snapshot

    busy = FixtureServer()
    try:
        _load_the_account(pointed_at(settings, busy), DAY, "busy")
    finally:
        busy.stop()
    _build(settings, tmp_path / "busy", (DAY, DAY))

    quiet = FixtureServer(payloads=QUIET_PAYLOADS)
    try:
        results = _load_the_account(pointed_at(settings, quiet), QUIET, "quiet")
    finally:
        quiet.stop()
    loads = [load for result in results for load in result.per_partition]
    assert {load.stream for load in loads} == {
        "zendesk.tickets", "zendesk.ticket_metrics", "zendesk.ticket_events", "zendesk.ticket_metric_events",
        "zendesk.satisfaction_ratings", "zendesk.csat_survey_responses",
    }  # fmt: skip
    for load in loads:
        counts = (load.records_fetched, load.records_loaded, load.records_rejected, load.duplicates_dropped,
                  load.outside_window)  # fmt: skip
        assert counts == (0, 0, 0, 0, 0), load.stream
    with closing(loader.connect(settings.warehouse_path)) as con:
        for stream in ("tickets", "ticket_metrics", "ticket_events", "ticket_metric_events", "satisfaction_ratings",
                       "csat_survey_responses"):  # fmt: skip
            assert loader.accounting_gaps(con, "quiet", "zendesk", stream) == [], stream

    # run_dbt asserts the build, its tests included, passed: none may expect rows of an empty day
    _build(settings, tmp_path / "quiet", (QUIET, QUIET))
    for table, day_column, suite in MART_SUITES:
        if table == "marts.dim_customer":  # these fixtures have no HubSpot: empty on any day, rightly blocked
            continue
        outcome = validate_mart(settings, table, day_column, suite, (QUIET, QUIET))
        assert outcome.success, (table, outcome.failures)
        if day_column is not None:
            assert outcome.rows_checked == 0, table  # the day's slice is empty, and still passes

    with closing(duckdb.connect(str(settings.warehouse_path))) as warehouse:
        write_duckdb_snapshot(warehouse, PUBLISHED_MARTS, settings.snapshot_path)
    with closing(duckdb.connect(str(settings.snapshot_path), read_only=True)) as served:
        days = dict(
            served.execute("select kpi_date, sum(tickets_created) from marts.fct_kpi_daily group by 1").fetchall()
        )
        csat = served.execute(
            "select sum(csat_responses) from marts.fct_kpi_daily where kpi_date = ?", [DAY]
        ).fetchone()
        quiet_tickets = served.execute(
            "select count(*) from marts.fct_tickets where created_date = ?", [QUIET]
        ).fetchone()
    assert QUIET not in days  # nothing happened: no row, not a row of zeros
    assert (days.get(DAY), csat[0], quiet_tickets[0]) == (2, 2, 0)
