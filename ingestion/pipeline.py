"""Ingest each stream: fetch (landing pages as received), then one atomic bulk load.

Partitioned streams go one local day at a time, so a long backfill reports progress, keeps the
days it finished if it is stopped, and lands files under their own day.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta

import duckdb

from ingestion import business_calendar, loader, pii
from ingestion.clients import open_client
from ingestion.errors import TotalLossError
from ingestion.landing import LandingBatch
from ingestion.loader import LoadResult, LoadWindow
from ingestion.local_days import day_bounds
from ingestion.settings import Settings
from ingestion.sources import hubspot, survey_api, survey_csv, zendesk
from ingestion.sources.paging import FetchResult
from ingestion.streams import (
    HUBSPOT_COMPANIES,
    HUBSPOT_CONTACTS,
    ZENDESK_CSAT_SURVEY_RESPONSES,
    ZENDESK_GROUPS,
    ZENDESK_REQUESTERS,
    ZENDESK_SATISFACTION_RATINGS,
    ZENDESK_SCHEDULE_HOLIDAYS,
    ZENDESK_SCHEDULE_INTERVALS,
    ZENDESK_SCHEDULES,
    ZENDESK_SLA_POLICIES,
    ZENDESK_TICKET_EVENTS,
    ZENDESK_TICKET_FIELDS,
    ZENDESK_TICKET_METRIC_EVENTS,
    ZENDESK_TICKET_METRICS,
    ZENDESK_TICKETS,
    ZENDESK_USERS,
    StreamSpec,
)

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def _connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A loader connection hashing personal data with the run's own key (ingestion.pii)."""
    return loader.connect(settings.warehouse_path, settings.duckdb_memory_limit, pii.pii_hashing(settings))


def days(first: date, last: date) -> Iterator[date]:
    if last < first:
        raise ValueError(f"empty day range: {first} .. {last}")
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def day_window(settings: Settings, day: date) -> LoadWindow:
    start, end = day_bounds(settings.reporting_timezone, day)
    return LoadWindow(
        start=datetime.fromtimestamp(start, UTC).replace(tzinfo=None),
        end=datetime.fromtimestamp(end, UTC).replace(tzinfo=None),
        first_day=day,
        last_day=day,
        timezone=settings.reporting_timezone,
    )


def total(stream: str, results: list[LoadResult]) -> LoadResult:
    """The stream's counts over its loads; `per_partition` keeps every load, sideloads included."""
    own = [r for r in results if r.stream == stream]
    received = [r.records_received for r in own]
    return LoadResult(
        stream=stream,
        partition=None,
        records_received=None if None in received else sum(received),  # type: ignore[arg-type]
        records_fetched=sum(r.records_fetched for r in own),
        records_loaded=sum(r.records_loaded for r in own),
        records_rejected=sum(r.records_rejected for r in own),
        duplicates_dropped=sum(r.duplicates_dropped for r in own),
        outside_window=sum(r.outside_window for r in own),
        cursor=own[-1].cursor if own else None,
        per_partition=tuple(results),
    )


def describe(result: LoadResult) -> str:
    """A load's counts as one line: where every record it read went."""
    return (
        f"fetched {result.records_fetched}, loaded {result.records_loaded}, rejected {result.records_rejected}, "
        f"duplicates {result.duplicates_dropped}, outside the window {result.outside_window}"
    )


def _load(settings: Settings, spec: StreamSpec, fetched: FetchResult, run_id: str, **kwargs) -> LoadResult:
    kwargs.setdefault("received", fetched.records)  # a sideload passes its own count
    with closing(_connect(settings)) as con:
        return loader.load(
            con,
            spec,
            fetched.batch.files,
            run_id=run_id,
            batch_id=fetched.batch.batch_id,
            landing_dir=fetched.batch.directory,
            pages=fetched.pages,
            cursor=fetched.cursor,
            **kwargs,
        )


def _source_on(settings: Settings, source: str, specs: tuple[StreamSpec, ...], run_id: str, progress: Progress) -> bool:
    """Record the mode `source` runs in, create its raw tables if missing, and say whether to fetch it.

    An off source (not configured, not demo mode) fetches nothing: its line in the run log says how
    to turn it on. Its tables exist all the same, empty, so staging's source() resolves and the marts
    build without it; so does a stream that loads nothing (a drop folder with no export yet).
    """
    off = settings.source_off(source)
    with closing(loader.connect(settings.warehouse_path, settings.duckdb_memory_limit)) as con:
        loader.record_source_mode(con, run_id, source, settings.source_mode(source))
        for spec in specs:
            loader.create_empty(con, spec)
    if off:
        progress(off)
    return off is None


def _by_day(
    settings: Settings,
    spec: StreamSpec,
    source: str,
    first: date,
    last: date,
    run_id: str,
    progress: Progress,
    fetch: Callable,
    sideloads: tuple[StreamSpec, ...] = (),
) -> LoadResult:
    results: list[LoadResult] = []
    all_days = list(days(first, last))
    if not _source_on(settings, source, (spec, *sideloads), run_id, progress):
        return total(spec.name, results)
    told_unavailable = False
    with open_client(settings, source) as client:
        for n, day in enumerate(all_days, start=1):
            window = day_window(settings, day)
            batch = LandingBatch(settings.landing_dir, spec.source, spec.stream, day.isoformat())
            start, end = day_bounds(settings.reporting_timezone, day)
            fetched = fetch(client, batch, start, end)
            if fetched.unavailable and not told_unavailable:  # once a run, not once a day of a backfill
                progress(f"{spec.name}: {fetched.unavailable}; each day loads nothing")
                told_unavailable = True
            result = _load(settings, spec, fetched, run_id, window=window)
            results.append(result)
            progress(f"{spec.name} {day} ({n}/{len(all_days)}): {fetched.pages} pages, {describe(result)}")
            for side in sideloads:  # other streams' records that came in the same pages
                side_result = _load(settings, side, fetched, run_id, received=fetched.sideloaded.get(side.stream, 0))
                results.append(dataclasses.replace(side_result, partition=day))
                progress(f"{side.name} {day} (sideloaded): {describe(side_result)}")
    result = total(spec.name, results)
    ensure_no_total_loss(settings, result, spec.name, run_id)
    return result


def ingest_tickets(settings: Settings, first: date, last: date, run_id: str, progress: Progress = _quiet):
    return _by_day(
        settings,
        ZENDESK_TICKETS,
        "zendesk",
        first,
        last,
        run_id,
        progress,
        zendesk.fetch_tickets,
        sideloads=(ZENDESK_TICKET_METRICS,),
    )


def ingest_ticket_events(settings: Settings, first: date, last: date, run_id: str, progress: Progress = _quiet):
    return _by_day(
        settings, ZENDESK_TICKET_EVENTS, "zendesk", first, last, run_id, progress, zendesk.fetch_ticket_events
    )


def ingest_ticket_metric_events(settings: Settings, first: date, last: date, run_id: str, progress: Progress = _quiet):
    return _by_day(
        settings,
        ZENDESK_TICKET_METRIC_EVENTS,
        "zendesk",
        first,
        last,
        run_id,
        progress,
        zendesk.fetch_ticket_metric_events,
    )


def ingest_satisfaction_ratings(
    settings: Settings, first: date, last: date, run_id: str, progress: Progress = _quiet
) -> LoadResult:
    return _by_day(
        settings,
        ZENDESK_SATISFACTION_RATINGS,
        "zendesk",
        first,
        last,
        run_id,
        progress,
        zendesk.fetch_satisfaction_ratings,
    )


def ingest_csat_survey_responses(
    settings: Settings, first: date, last: date, run_id: str, progress: Progress = _quiet
) -> LoadResult:
    return _by_day(
        settings,
        ZENDESK_CSAT_SURVEY_RESPONSES,
        "zendesk",
        first,
        last,
        run_id,
        progress,
        zendesk.fetch_csat_survey_responses,
    )


def ingest_survey_api(settings: Settings, first: date, last: date, run_id: str, progress: Progress = _quiet):
    # config/survey_api.yaml as it is now, not as it was when this process imported it
    spec = survey_api.stream_spec()
    return _by_day(settings, spec, "survey_api", first, last, run_id, progress, survey_api.fetch_responses)


def _today(settings: Settings) -> str:
    return datetime.now(settings.tz).date().isoformat()


def _snapshot(settings: Settings, spec: StreamSpec, fetch: Callable, run_id: str, progress: Progress) -> LoadResult:
    if not _source_on(settings, spec.source, (spec,), run_id, progress):
        return total(spec.name, [])
    with open_client(settings, spec.source) as client:
        fetched = fetch(client, LandingBatch(settings.landing_dir, spec.source, spec.stream, _today(settings)))
    result = _load(settings, spec, fetched, run_id)
    progress(f"{spec.name}: {describe(result)}")
    ensure_no_total_loss(settings, result, spec.name, run_id)
    return result


# The group and agent ids that tickets point to, read from raw: every stored ticket version's
# group / assignee and every group / assignee change an event recorded. A ticket can point to a
# group or agent deleted since, which the lists no longer return.
REFERENCED_GROUPS = (
    ("zendesk__tickets", "select group_id as id from raw.zendesk__tickets"),
    (
        "zendesk__ticket_events",
        "select try_cast(value as bigint) as id from raw.zendesk__ticket_events where field_name = 'group_id'",
    ),
)
REFERENCED_AGENTS = (
    ("zendesk__tickets", "select assignee_id as id from raw.zendesk__tickets"),
    (
        "zendesk__ticket_events",
        "select try_cast(value as bigint) as id from raw.zendesk__ticket_events where field_name = 'assignee_id'",
    ),
)


def referenced_ids(settings: Settings, queries: tuple[tuple[str, str], ...]) -> set[int]:
    """Distinct non-null ids the queries return, over the raw tables that exist yet."""
    with closing(_connect(settings)) as con:
        tables = con.execute("select table_name from information_schema.tables where table_schema = 'raw'")
        present = {r[0] for r in tables.fetchall()}
        parts = [sql for table, sql in queries if table in present]
        if not parts:
            return set()
        rows = con.execute(f"select distinct id from ({' union all '.join(parts)}) where id is not null").fetchall()
    return {int(r[0]) for r in rows}


def _list_then_by_id(
    settings: Settings,
    spec: StreamSpec,
    fetch_list: Callable,
    key: str,
    queries: tuple[tuple[str, str], ...],
    fetch_by_id: Callable,
    run_id: str,
    progress: Progress,
) -> LoadResult:
    """The list, then by id every id raw tickets point to that the list left out, in one batch and
    one snapshot load: deleted groups and agents land with their real names."""
    wanted = referenced_ids(settings, queries)
    looked_up: list[int] = []
    not_found: list[int] = []

    def fetch(client, batch: LandingBatch) -> FetchResult:
        result = fetch_list(client, batch)
        looked_up.extend(sorted(wanted - zendesk.listed_ids(result, key)))
        not_found.extend(fetch_by_id(client, result, looked_up))
        return result

    result = _snapshot(settings, spec, fetch, run_id, progress)
    if looked_up:
        progress(
            f"{spec.name}: {len(looked_up)} id(s) tickets point to are not in the list, fetched by id; "
            f"{len(not_found)} not found{': ' + ', '.join(map(str, not_found[:20])) if not_found else ''}"
        )
    return result


def ingest_groups(settings: Settings, run_id: str, progress: Progress = _quiet) -> LoadResult:
    return _list_then_by_id(
        settings, ZENDESK_GROUPS, zendesk.fetch_groups, "groups", REFERENCED_GROUPS, zendesk.fetch_groups_by_id,
        run_id, progress,
    )  # fmt: skip


def ingest_agents(settings: Settings, run_id: str, progress: Progress = _quiet) -> LoadResult:
    """Agents and admins from the list; assignees it leaves out (deleted agents) by id."""
    return _list_then_by_id(
        settings, ZENDESK_USERS, zendesk.fetch_agent_users, "users", REFERENCED_AGENTS, zendesk.fetch_users_by_id,
        run_id, progress,
    )  # fmt: skip


# The requesters (end users) tickets point to, and the ones raw holds already.
REFERENCED_REQUESTERS = (("zendesk__tickets", "select requester_id as id from raw.zendesk__tickets"),)
HELD_REQUESTERS = (("zendesk__requesters", "select id from raw.zendesk__requesters"),)


def ingest_requesters(settings: Settings, run_id: str, progress: Progress = _quiet) -> LoadResult:
    """Requesters of the loaded tickets that raw does not hold yet, by id (users/show_many), upserted.

    Only new ids are fetched: a run asks for the customers that first appeared in its tickets, not
    for every requester again. So a requester's later change (a new email or external_id) reaches
    raw only if its row is dropped; the link modes that read them say so (README, HubSpot).
    """
    looked_up: list[int] = []  # stays empty when the source is off: _snapshot then fetches nothing
    not_found: list[int] = []

    def fetch(client, batch: LandingBatch) -> FetchResult:
        held = referenced_ids(settings, HELD_REQUESTERS)
        looked_up.extend(sorted(referenced_ids(settings, REFERENCED_REQUESTERS) - held))
        result = FetchResult(batch)
        not_found.extend(zendesk.fetch_users_by_id(client, result, looked_up))
        return result

    result = _snapshot(settings, ZENDESK_REQUESTERS, fetch, run_id, progress)
    if looked_up:
        progress(
            f"{ZENDESK_REQUESTERS.name}: {len(looked_up)} requester id(s) of the tickets not in raw yet, fetched "
            f"by id; {len(not_found)} not found{': ' + ', '.join(map(str, not_found[:20])) if not_found else ''}"
        )
    return result


def ingest_ticket_fields(settings: Settings, run_id: str, progress: Progress = _quiet) -> LoadResult:
    return _snapshot(settings, ZENDESK_TICKET_FIELDS, zendesk.fetch_ticket_fields, run_id, progress)


def ingest_schedules(settings: Settings, run_id: str, progress: Progress = _quiet) -> LoadResult:
    """Business-hours schedules with their weekly intervals (one page), then each schedule's
    holidays: three snapshot loads. The holidays are asked for by the ids the list just gave."""
    specs = (ZENDESK_SCHEDULES, ZENDESK_SCHEDULE_INTERVALS, ZENDESK_SCHEDULE_HOLIDAYS)
    if not _source_on(settings, "zendesk", specs, run_id, progress):
        return total(ZENDESK_SCHEDULES.name, [])
    day = _today(settings)
    with open_client(settings, "zendesk") as client:
        schedules = zendesk.fetch_schedules(client, LandingBatch(settings.landing_dir, "zendesk", "schedules", day))
        if schedules.unavailable:
            progress(f"{ZENDESK_SCHEDULES.name}: {schedules.unavailable}; loads none")
        ids = zendesk.listed_ids(schedules, "schedules")
        holiday_batch = LandingBatch(settings.landing_dir, "zendesk", "schedule_holidays", day)
        holidays_fetched = zendesk.fetch_schedule_holidays(client, holiday_batch, ids)
    results = [
        _load(settings, ZENDESK_SCHEDULES, schedules, run_id),
        _load(settings, ZENDESK_SCHEDULE_INTERVALS, schedules, run_id,
              received=schedules.sideloaded.get("schedule_intervals", 0)),
        _load(settings, ZENDESK_SCHEDULE_HOLIDAYS, holidays_fetched, run_id),
    ]  # fmt: skip
    for result in results:
        progress(f"{result.stream}: {describe(result)}")
        ensure_no_total_loss(settings, result, result.stream, run_id)
    return total(ZENDESK_SCHEDULES.name, results)


# The local years the tickets were created and last updated in: the years a team's calendar must know.
TICKET_YEARS = (
    "select distinct year(created_at) as y from raw.zendesk__tickets where created_at is not null "
    "union select distinct year(updated_at) from raw.zendesk__tickets where updated_at is not null"
)


def ingest_business_calendar(
    settings: Settings, run_id: str, progress: Progress = _quiet, path=business_calendar.CALENDAR_PATH
) -> dict:
    """Expand the teams' calendars (config/business_calendar.yaml) into raw.calendar__business_days
    for every year the tickets live in (a year before and after each, for tickets that reach over
    New Year: a neighbour year the library does not know yet is left out and said, never invented).
    Replaced in one transaction; fails naming the year when a year that has tickets is unknown."""
    teams = business_calendar.load_calendar(path)
    with closing(_connect(settings)) as con:
        loader.create_empty(con, ZENDESK_TICKETS)
        years = sorted(int(r[0]) for r in con.execute(TICKET_YEARS).fetchall())
    rows = business_calendar.expand(teams, years)  # raises CalendarYearNotCovered for a ticket year
    skipped: list[str] = []
    for neighbour in sorted({y - 1 for y in years} | {y + 1 for y in years} - set(years)):
        try:
            rows += business_calendar.expand(teams, [neighbour])
        except business_calendar.CalendarYearNotCovered:
            skipped.append(str(neighbour))
    with closing(_connect(settings)) as con:
        con.execute("begin")
        con.execute(f"delete from {loader.BUSINESS_DAYS_TABLE}")
        if rows:
            con.executemany(f"insert into {loader.BUSINESS_DAYS_TABLE} values (?, ?, ?, ?, ?, ?)", rows)
        con.execute("commit")
    notes = {"teams": [t.team for t in teams], "years": years, "intervals": len(rows), "years_not_known": skipped}
    progress(
        f"calendar.business_days: {len(teams)} team calendar(s), years {', '.join(map(str, years)) or 'none'}: "
        f"{len(rows)} opening intervals"
        + (f"; no holiday data yet for {', '.join(skipped)} (no ticket then; left out)" if skipped else "")
    )
    return notes


def ingest_sla_policies(settings: Settings, run_id: str, progress: Progress = _quiet) -> LoadResult:
    """The SLA policies; an account without them (a plan without SLAs) loads an empty list and says so."""
    unavailable: list[str] = []

    def fetch(client, batch: LandingBatch) -> FetchResult:
        result = zendesk.fetch_sla_policies(client, batch)
        if result.unavailable:
            unavailable.append(result.unavailable)
        return result

    result = _snapshot(settings, ZENDESK_SLA_POLICIES, fetch, run_id, progress)
    for note in unavailable:
        progress(f"{ZENDESK_SLA_POLICIES.name}: {note}")
    return result


def _crm(
    settings: Settings,
    spec: StreamSpec,
    properties: tuple[str, ...],
    run_id: str,
    progress: Progress,
    required: dict[str, str] | None = None,
) -> LoadResult:
    """Search from the committed cursor, then the archived records, into one batch and one load.
    `required`: the configured custom properties (name -> what their absence means), checked first."""
    if not _source_on(settings, "hubspot", (spec,), run_id, progress):
        return total(spec.name, [])
    with closing(_connect(settings)) as con:
        since_ms = int(loader.last_cursor(con, spec) or 0)
    notes: dict = {}
    with open_client(settings, "hubspot") as client:
        if required is not None:
            missing = hubspot.missing_properties(client, spec.stream, required)
            notes["missing_properties"] = sorted(missing)
            if missing:  # one line for all of them: what is missing and what it does to the KPIs
                progress(
                    f"HubSpot {spec.stream} lack propert{'y' if len(missing) == 1 else 'ies'} "
                    + "; ".join(f"{name}: {meaning}" for name, meaning in missing.items())
                )
        batch = LandingBatch(settings.landing_dir, spec.source, spec.stream, _today(settings))
        fetched = hubspot.fetch_modified_since(client, batch, spec.stream, properties, since_ms)
        searched = fetched.records
        hubspot.fetch_archived(client, fetched, spec.stream, properties)
    result = _load(settings, spec, fetched, run_id)
    ensure_no_total_loss(settings, result, spec.name, run_id)
    if required is not None:
        notes["current_records_lacking_value"] = _lacking_values(settings, spec, required)
    progress(
        f"{spec.name}: modified since {since_ms} ms: {fetched.pages} pages ({searched} searched, "
        f"{fetched.records - searched} archived), {describe(result)}; cursor now {result.cursor}"
        f"{_unparseable_phones(settings, spec, fetched.batch.batch_id)}"
    )
    return dataclasses.replace(result, notes=notes)


def _lacking_values(settings: Settings, spec: StreamSpec, required: dict[str, str]) -> dict[str, int]:
    """Per configured property: the current (newest, not archived) records whose value is missing
    or cleared (""), which staging reads as 'unknown' / not returning / not linked."""
    with closing(loader.connect(settings.warehouse_path, settings.duckdb_memory_limit)) as con:
        counts = ", ".join(
            f"count(*) filter (where nullif(trim(rec->'properties'->>'{name}'), '') is null)" for name in required
        )
        row = con.execute(
            f"select {counts} from (select arg_max(_record, updated_at) as rec, arg_max(archived, updated_at) as a "
            f"from {spec.table} group by id) where not a"
        ).fetchone()
    return dict(zip(required, (int(n) for n in row), strict=True))


def _unparseable_phones(settings: Settings, spec: StreamSpec, batch_id: str) -> str:
    """A note on the batch's phone numbers that did not parse, for the progress line; "" if none.

    Such a phone gets no hash rather than a made-up one, so its customer links by email only.
    """
    if not any(c.name == "phone_unparseable" for c in spec.columns):
        return ""
    with closing(_connect(settings)) as con:
        n = con.execute(
            f"select count(*) from {spec.table} where _batch_id = ? and phone_unparseable", [batch_id]
        ).fetchone()[0]
    region = settings.phone_default_region
    return f"; {n} phone number(s) not parseable in default region {region}, left without a hash" if n else ""


def ingest_contacts(settings: Settings, run_id: str, progress: Progress = _quiet) -> LoadResult:
    config = hubspot.load_crm_config()
    return _crm(settings, HUBSPOT_CONTACTS, config.contact_properties(), run_id, progress, config.required())


def ingest_companies(settings: Settings, run_id: str, progress: Progress = _quiet) -> LoadResult:
    return _crm(settings, HUBSPOT_COMPANIES, hubspot.COMPANY_PROPERTIES, run_id, progress)


def ensure_no_total_loss(settings: Settings, result: LoadResult, what: str, run_id: str, batch_id: str | None = None):
    """Fail when `what` (a stream's run, or one export file) read records and rejected every one, at
    any volume: the reject-share gate judges shares, this judges loss. The error names it and its
    first reject reasons; the rejects stay in raw._rejects to look at. (A record that no count
    holds is the blocking `records_accounted_for` check's, which fails the run at any volume too.)"""
    fetched = result.records_fetched
    if fetched == 0 or result.records_rejected < fetched:
        return
    source, stream = result.stream.split(".", 1)
    where = "batch_id = ?" if batch_id else "run_id = ?"
    with closing(_connect(settings)) as con:
        reasons = con.execute(
            f"select reason, count(*) from raw._rejects where source = ? and stream = ? and {where} "
            "group by 1 order by 2 desc, 1 limit 3",
            [source, stream, batch_id or run_id],
        ).fetchall()
    listed = "; ".join(f"{reason} ({n})" for reason, n in reasons)
    raise TotalLossError(
        f"{what}: all {fetched} records were rejected, none loaded ({listed}). "
        "Fix the mapping or the source, then re-run; the rejects are in raw._rejects"
    )


# An export's note of the rows it loaded per local day of submission (ISO day -> rows): an export is
# no one day's, so its partitions' own counts come from here.
LOADED_BY_DAY = "loaded_by_day"


def _export_notes(con: duckdb.DuckDBPyConnection, spec: StreamSpec, batch_id: str) -> dict[str, int]:
    """What an export's loaded rows hold that the KPIs cannot use, counted for the run's metadata."""
    no_answer, unlinkable = con.execute(
        f"select count(*) filter (where not has_kpi_answer), "
        "count(*) filter (where ticket_ref is not null and ticket_id is null) "
        f"from {spec.table} where _batch_id = ?",
        [batch_id],
    ).fetchone()
    return {"responses_without_kpi_answer": no_answer, "ticket_ids_not_linkable": unlinkable}


def _export_loaded_by_day(con: duckdb.DuckDBPyConnection, spec: StreamSpec, batch_id: str, timezone: str) -> dict:
    """The rows an export's load kept, by the local day each was submitted (ISO day -> rows): the
    days of the partitions they belong to. submitted_at is UTC (the connection's TimeZone is UTC)."""
    rows = con.execute(
        f"select cast(timezone(?, submitted_at::timestamptz) as date) as day, count(*) from {spec.table} "
        "where _batch_id = ? group by 1 order by 1",
        [timezone, batch_id],
    ).fetchall()
    return {day.isoformat(): n for day, n in rows}


def _export_loaded(con: duckdb.DuckDBPyConnection, digest: str) -> bool:
    """Whether this export's content was loaded with this mapping before (the ledger's cursor)."""
    held = con.execute(
        "select count(*) from raw._ingest_ledger where source = 'surveys' and stream = 'csv_responses' and cursor = ?",
        [digest],
    ).fetchone()[0]
    return held > 0


def ingest_survey_csv(settings: Settings, first: date, last: date, run_id: str, progress: Progress = _quiet):
    """Every configured tool's exports that can hold answers of the run's days, one load per file.

    Each row is dated by its own submission time (a monthly export holds a month). A response
    already held (the same file dropped again, an overlapping newer export) is a counted duplicate,
    so each response is kept once. An undated export loaded before, unchanged, is not read again.
    """
    mappings = survey_csv.load_mappings(settings.survey_mapping_dir)
    # Every tool's exports share one table (the same columns, scoped by survey_tool): any mapping creates it.
    if not _source_on(settings, "survey_csv", tuple(survey_csv.stream_spec(m) for m in mappings[:1]), run_id, progress):
        return total("surveys.csv_responses", [])
    if settings.survey_drop_is_sample:
        from ingestion.sample.exports import write_sample_exports
        from ingestion.sample.source import SampleSource

        write_sample_exports(SampleSource.from_env(), mappings, settings.survey_drop_dir, first, last)
    results, unchanged = [], []
    for mapping in mappings:
        exports = survey_csv.exports_for(mapping, settings.survey_drop_dir, first, last)
        if not exports:
            progress(f"surveys.csv_responses[{mapping.tool}]: no export matching {mapping.files!r} "
                     f"for {first} .. {last} in {settings.survey_drop_dir}")  # fmt: skip
        for path in exports:
            what = f"surveys.csv_responses[{mapping.tool}] {path.name}"
            digest = survey_csv.content_digest(mapping, path)
            # one connection for the file's skip check, load and notes
            with closing(_connect(settings)) as con:
                if not mapping.dated and _export_loaded(con, digest):
                    progress(f"{what}: loaded before with this mapping, unchanged; skipped")
                    unchanged.append(path.name)
                    continue
                batch = LandingBatch(
                    settings.landing_dir, "surveys", f"csv_responses/{mapping.tool}", first.isoformat()
                )
                export = survey_csv.land_export(mapping, path, batch)
                spec = survey_csv.stream_spec(mapping, export)
                result = loader.load(
                    con,
                    spec,
                    [export.copy],
                    run_id=run_id,
                    batch_id=batch.batch_id,
                    landing_dir=batch.directory,
                    pages=1,
                    received=export.rows,
                    scope=("survey_tool", mapping.tool),
                    cursor=digest,
                )
                notes = {
                    "file": path.name,
                    **_export_notes(con, spec, batch.batch_id),
                    LOADED_BY_DAY: _export_loaded_by_day(con, spec, batch.batch_id, settings.reporting_timezone),
                }
            ensure_no_total_loss(settings, result, what, run_id, batch.batch_id)
            # an export is not one day's: its counts belong to the run, not to a partition
            results.append(dataclasses.replace(result, partition=None, notes=notes))
            skipped, unlinkable = notes["responses_without_kpi_answer"], notes["ticket_ids_not_linkable"]
            progress(
                f"{what}: {describe(result)}"
                + (f"; {skipped} answered no KPI question (skipped)" if skipped else "")
                + (f"; {unlinkable} ticket id(s) that are no ticket number (not linked)" if unlinkable else "")
            )
    # the files not read again are named, so a run's counts say why they are smaller than the last
    notes = {"unchanged_exports_skipped": unchanged} if unchanged else {}
    return dataclasses.replace(total("surveys.csv_responses", results), notes=notes)


# Every stream, in the order a run loads them: the daily ones take (settings, first, last, run_id),
# the reference lists (settings, run_id); groups, agents and requesters come after the tickets that name them.
DAILY_INGESTS = (
    ingest_tickets,
    ingest_ticket_events,
    ingest_ticket_metric_events,
    ingest_satisfaction_ratings,
    ingest_csat_survey_responses,
    ingest_survey_api,
    ingest_survey_csv,
)
REFERENCE_INGESTS = (
    ingest_groups,
    ingest_agents,
    ingest_requesters,
    ingest_ticket_fields,
    ingest_schedules,
    ingest_business_calendar,
    ingest_sla_policies,
    ingest_contacts,
    ingest_companies,
)
