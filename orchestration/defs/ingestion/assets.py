"""One asset per source stream. Each lands what it fetches, then bulk-loads it into raw.*.

Streams with a natural day (tickets, ticket events, survey responses, survey exports) are daily
partitions and backfill a range in one run; reference and CRM streams are not partitioned: they
are replaced (groups, agents), added to (requesters: the new ones tickets point to) or read
incrementally from a committed cursor (contacts, companies).
"""

import warnings
from collections.abc import Callable
from contextlib import closing
from datetime import date

import dagster as dg

from ingestion import loader, pipeline
from ingestion.loader import LoadResult
from ingestion.pipeline import LOADED_BY_DAY, days
from ingestion.settings import Settings, load_settings
from orchestration.defs.partitions import daily_partitions, partition_days
from orchestration.defs.pools import DUCKDB_WRITERS
from orchestration.defs.resources import SourceAccounts

# Single-run backfills are what make a year's backfill one run; the policy is still marked beta.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")

ACCOUNTING_CHECK = "records_accounted_for"


def _counts(result: LoadResult) -> dict:
    return {
        "records_received": result.records_received if result.records_received is not None else -1,
        "records_fetched": result.records_fetched,
        "records_loaded": result.records_loaded,
        "records_rejected": result.records_rejected,
        "duplicates_dropped": result.duplicates_dropped,
        "outside_window": result.outside_window,
    }


def _accounting_check(context, source: str, stream: str) -> dg.AssetCheckResult:
    """Every record the run fetched for the stream is loaded, rejected, a duplicate or outside."""
    settings = load_settings()
    with closing(loader.connect(settings.warehouse_path, settings.duckdb_memory_limit)) as con:
        gaps = loader.accounting_gaps(con, context.run.run_id, source, stream)
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["raw", source, stream]),
        check_name=ACCOUNTING_CHECK,
        passed=not gaps,
        metadata={"loads_unaccounted": len(gaps), "unaccounted": dg.MetadataValue.json(gaps)},
        description=(
            None
            if not gaps
            else f"{len(gaps)} load(s) of {source}.{stream} cannot account for every record fetched: "
            "see `unaccounted` (received = read = loaded + rejected + duplicates + outside; rows in raw = loaded)"
        ),
    )


def _accounting_spec(source: str, stream: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        ACCOUNTING_CHECK,
        asset=dg.AssetKey(["raw", source, stream]),
        blocking=True,
        description="fetched = loaded + rejected + duplicates + outside the window, for every load of the run; "
        "the connector's count equals what was read, and raw holds what the ledger says was loaded.",
    )


def _mode_metadata(settings: Settings, feed: str) -> dict:
    """Which mode the source ran in. An off source still materialises (0 records, `source_off`), so
    its accounting check passes on no loads and the dbt steps downstream run, on empty raw tables."""
    return {"source_mode": settings.source_mode(feed), "source_off": settings.source_off(feed) is not None}


def _add_partition_metadata(
    context, key: dg.AssetKey, loads: list[LoadResult], first: date, last: date, mode: dict
) -> None:
    """Each partition gets its own day's counts, not the run's totals (several loads a day add up).

    A survey export is no one day's load (a monthly export holds a month): a partition's
    records_loaded is the rows of the run's exports submitted on its day, and the files' own counts,
    which are the whole run's, are told on each partition as `run_totals_by_export`.
    """
    nothing = "the source is off" if mode["source_off"] else "nothing was delivered for this day"
    exports = [load for load in loads if load.partition is None]
    run_totals = [
        {"file": load.notes.get("file"), **_counts(load),
         **{k: v for k, v in load.notes.items() if k not in ("file", LOADED_BY_DAY)}}
        for load in exports
    ]  # fmt: skip
    by_day: dict[date, dict] = {}
    for load in loads:
        if load.partition is None:
            continue
        day = by_day.setdefault(load.partition, dict.fromkeys(_counts(load), 0))
        for name, value in _counts(load).items():
            day[name] += value
    for day in days(first, last):
        if exports:
            own = {
                "records_loaded": sum(load.notes.get(LOADED_BY_DAY, {}).get(day.isoformat(), 0) for load in exports),
                "records_loaded_are": "rows of the run's exports submitted on this day; each file's counts "
                "(the whole run's) are in run_totals_by_export",
                "run_totals_by_export": dg.MetadataValue.json(run_totals),
            }
        else:
            own = by_day.get(day, {"records_fetched": 0, "no_load": nothing})
        context.add_asset_metadata({**own, **mode}, asset_key=key, partition_key=day.isoformat())


def _daily_stream(
    source: str,
    stream: str,
    description: str,
    ingest: Callable,
    sideloads: tuple[tuple[str, str], ...] = (),
    feed: str | None = None,
) -> dg.AssetsDefinition:
    """A daily stream; `sideloads` are (stream, description) of tables loaded from the same pages;
    `feed` is the source whose mode decides whether it loads (settings.SOURCE_NAMES; default `source`)."""
    streams = ((stream, description), *sideloads)

    @dg.multi_asset(
        name=f"{source}__{stream}",
        specs=[
            dg.AssetSpec(
                ["raw", source, name],
                group_name="ingestion",
                description=text,
                kinds={"python", "duckdb"},
                partitions_def=daily_partitions,
            )
            for name, text in streams
        ],
        check_specs=[_accounting_spec(source, name) for name, _ in streams],
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=DUCKDB_WRITERS,
    )
    def _asset(context: dg.AssetExecutionContext, source_accounts: SourceAccounts):
        first, last = partition_days(context)
        settings = source_accounts.settings()
        total = ingest(settings, first, last, context.run.run_id, context.log.info)
        mode = _mode_metadata(settings, feed or source)
        for name, _ in streams:
            key = dg.AssetKey(["raw", source, name])
            loads = [load for load in total.per_partition if load.stream == f"{source}.{name}"]
            _add_partition_metadata(context, key, loads, first, last, mode)
            yield dg.MaterializeResult(asset_key=key, check_results=[_accounting_check(context, source, name)])

    return _asset


def _whole_stream(
    source: str, stream: str, description: str, ingest: Callable, deps: tuple[str, ...] = ()
) -> dg.AssetsDefinition:
    @dg.asset(
        name=stream,
        key_prefix=["raw", source],
        group_name="ingestion",
        description=description,
        deps=[dg.AssetKey(["raw", source, d]) for d in deps],
        # not partitioned: it runs once in a range run; the policy lets the Dagster CLI take ranges
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=DUCKDB_WRITERS,
        kinds={"python", "duckdb"},
        check_specs=[_accounting_spec(source, stream)],
    )
    def _asset(context: dg.AssetExecutionContext, source_accounts: SourceAccounts) -> dg.MaterializeResult:
        settings = source_accounts.settings()
        result = ingest(settings, context.run.run_id, context.log.info)
        return dg.MaterializeResult(
            metadata={
                **_counts(result),
                "cursor": result.cursor or "",
                **{k: dg.MetadataValue.json(v) for k, v in result.notes.items()},
                **_mode_metadata(settings, source),
            },
            check_results=[_accounting_check(context, source, stream)],
        )

    return _asset


def _schedules_asset() -> dg.AssetsDefinition:
    """Zendesk's business-hours schedules, their weekly intervals (from the same page) and each
    schedule's holidays: three raw tables, each with its accounting check."""
    streams = (
        ("schedules", "Zendesk business-hours schedules (name, time zone), replaced on each run."),
        ("schedule_intervals", "The weekly business-hours intervals of each Zendesk schedule (minutes since "
         "Sunday midnight, local to the schedule), from the schedules page; replaced on each run."),
        ("schedule_holidays", "The holidays of each Zendesk schedule (local dates, both ends inclusive), "
         "replaced on each run."),
    )  # fmt: skip

    @dg.multi_asset(
        name="zendesk__schedules",
        specs=[
            dg.AssetSpec(["raw", "zendesk", name], group_name="ingestion", description=text, kinds={"python", "duckdb"})
            for name, text in streams
        ],
        check_specs=[_accounting_spec("zendesk", name) for name, _ in streams],
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=DUCKDB_WRITERS,
    )
    def _asset(context: dg.AssetExecutionContext, source_accounts: SourceAccounts):
        settings = source_accounts.settings()
        total = pipeline.ingest_schedules(settings, context.run.run_id, context.log.info)
        mode = _mode_metadata(settings, "zendesk")
        for name, _ in streams:
            loads = [load for load in total.per_partition if load.stream == f"zendesk.{name}"]
            counts = _counts(loads[0]) if loads else {"records_fetched": 0}
            yield dg.MaterializeResult(
                asset_key=dg.AssetKey(["raw", "zendesk", name]),
                metadata={**counts, **mode},
                check_results=[_accounting_check(context, "zendesk", name)],
            )

    return _asset


@dg.asset(
    name="business_days",
    key_prefix=["raw", "calendar"],
    group_name="ingestion",
    description="The teams' business calendars (config/business_calendar.yaml) expanded to opening intervals per "
    "local day for every year the tickets live in: public holidays closed, China's makeup working days open. "
    "Fails naming the year when a holiday library does not know a year that has tickets.",
    deps=[dg.AssetKey(["raw", "zendesk", "tickets"])],
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_WRITERS,
    kinds={"python", "duckdb"},
)
def business_days_asset(context: dg.AssetExecutionContext, source_accounts: SourceAccounts) -> dg.MaterializeResult:
    settings = source_accounts.settings()
    notes = pipeline.ingest_business_calendar(settings, context.run.run_id, context.log.info)
    # expanded for the years of the Zendesk tickets: it follows their source's mode (off: no tickets, no days)
    return dg.MaterializeResult(
        metadata={
            **{k: dg.MetadataValue.json(v) if isinstance(v, list) else v for k, v in notes.items()},
            **_mode_metadata(settings, "zendesk"),
        }
    )


ingestion_assets = [
    _daily_stream(
        "zendesk",
        "tickets",
        "Zendesk ticket versions generated on the day (incremental cursor export, by generated_timestamp); "
        "raw keeps every version.",
        pipeline.ingest_tickets,
        sideloads=(
            (
                "ticket_metrics",
                "Zendesk's own ticket metrics, sideloaded with the ticket export (metric_sets); newest per ticket.",
            ),
        ),
    ),
    _daily_stream(
        "zendesk",
        "ticket_events",
        "Zendesk ticket audits' child events on the day: comments, field changes, voice calls.",
        pipeline.ingest_ticket_events,
    ),
    _daily_stream(
        "zendesk",
        "ticket_metric_events",
        "Zendesk ticket metric events on the day (SLA clocks: activate, pause, fulfill, apply_sla with the "
        "policy and target, breach, update_status), one row per event; events never change.",
        pipeline.ingest_ticket_metric_events,
    ),
    _daily_stream(
        "zendesk",
        "satisfaction_ratings",
        "Zendesk satisfaction ratings (legacy CSAT, good or bad) last updated on the day; raw keeps every version.",
        pipeline.ingest_satisfaction_ratings,
    ),
    _daily_stream(
        "zendesk",
        "csat_survey_responses",
        "Zendesk CSAT survey responses (the newer CSAT, a 1-5 rating scale) last changed on the day; raw keeps "
        "every version. An account without the newer CSAT loads nothing.",
        pipeline.ingest_csat_survey_responses,
    ),
    # After tickets and events: the groups and agents they point to but the lists leave out
    # (deleted ones) are fetched by id, so they must be in raw first.
    _whole_stream(
        "zendesk",
        "groups",
        "Zendesk groups (teams), replaced on each run; deleted groups tickets point to, by id.",
        pipeline.ingest_groups,
        deps=("tickets", "ticket_events"),
    ),
    _whole_stream(
        "zendesk",
        "users",
        "Zendesk agents and admins, replaced on each run; deleted agents tickets point to, by id.",
        pipeline.ingest_agents,
        deps=("tickets", "ticket_events"),
    ),
    # After tickets, for the same reason: the requesters (end users) the loaded tickets point to
    # and raw does not hold yet are fetched by id. A table of their own (users is agents only).
    _whole_stream(
        "zendesk",
        "requesters",
        "Zendesk requesters (end users) of the loaded tickets, fetched by id when raw does not hold them "
        "yet; newest per id. Email as its keyed hash only. For the external_id and email customer links.",
        pipeline.ingest_requesters,
        deps=("tickets",),
    ),
    _whole_stream(
        "zendesk",
        "ticket_fields",
        "Zendesk ticket fields and their dropdown options, replaced on each run.",
        pipeline.ingest_ticket_fields,
    ),
    _schedules_asset(),
    business_days_asset,
    _whole_stream(
        "zendesk",
        "sla_policies",
        "Zendesk SLA policies, one row per policy metric (priority, metric, target minutes, business hours); "
        "replaced on each run.",
        pipeline.ingest_sla_policies,
    ),
    _whole_stream(
        "hubspot", "contacts", "HubSpot contacts modified since the committed cursor.", pipeline.ingest_contacts
    ),
    _whole_stream(
        "hubspot", "companies", "HubSpot companies modified since the committed cursor.", pipeline.ingest_companies
    ),
    _daily_stream(
        "surveys",
        "api_responses",
        "Survey API responses delivered on the day.",
        pipeline.ingest_survey_api,
        feed="survey_api",
    ),
    _daily_stream(
        "surveys",
        "csv_responses",
        "Survey tools' CSV exports of the day, read through their YAML mappings.",
        pipeline.ingest_survey_csv,
        feed="survey_csv",
    ),
]
