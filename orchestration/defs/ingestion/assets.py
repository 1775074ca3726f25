"""One asset per source stream. Each lands what it fetches, then bulk-loads it into raw.*.

Streams with a natural day (tickets, ticket events, survey responses, survey exports) are daily
partitions and backfill a range in one run; reference and CRM streams are not partitioned: they
are replaced (groups, agents) or read incrementally from a committed cursor (contacts, companies).
"""

import warnings
from collections.abc import Callable

import dagster as dg

from ingestion import pipeline
from ingestion.loader import LoadResult
from orchestration.defs.partitions import daily_partitions, partition_days
from orchestration.defs.pools import DUCKDB_WRITERS
from orchestration.defs.resources import SourceAccounts

# Single-run backfills are what make a year's backfill one run; the policy is still marked beta.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")


def _result(result: LoadResult) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata={
            "records_fetched": result.records_fetched,
            "records_loaded": result.records_loaded,
            "records_rejected": result.records_rejected,
            "duplicates_dropped": result.duplicates_dropped,
            "outside_window": result.outside_window,
            "cursor": result.cursor or "",
        }
    )


def _daily_stream(source: str, stream: str, description: str, ingest: Callable) -> dg.AssetsDefinition:
    @dg.asset(
        name=stream,
        key_prefix=["raw", source],
        group_name="ingestion",
        description=description,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=DUCKDB_WRITERS,
        kinds={"python", "duckdb"},
    )
    def _asset(context: dg.AssetExecutionContext, source_accounts: SourceAccounts) -> dg.MaterializeResult:
        first, last = partition_days(context)
        return _result(ingest(source_accounts.settings(), first, last, context.run.run_id, context.log.info))

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
    )
    def _asset(context: dg.AssetExecutionContext, source_accounts: SourceAccounts) -> dg.MaterializeResult:
        return _result(ingest(source_accounts.settings(), context.run.run_id, context.log.info))

    return _asset


ingestion_assets = [
    _daily_stream(
        "zendesk",
        "tickets",
        "Zendesk tickets whose latest update falls on the day (incremental cursor export).",
        pipeline.ingest_tickets,
    ),
    _daily_stream(
        "zendesk",
        "ticket_events",
        "Zendesk ticket audits' child events on the day: comments, field changes, voice calls.",
        pipeline.ingest_ticket_events,
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
    _whole_stream(
        "zendesk",
        "ticket_fields",
        "Zendesk ticket fields and their dropdown options, replaced on each run.",
        pipeline.ingest_ticket_fields,
    ),
    _whole_stream(
        "hubspot", "contacts", "HubSpot contacts modified since the committed cursor.", pipeline.ingest_contacts
    ),
    _whole_stream(
        "hubspot", "companies", "HubSpot companies modified since the committed cursor.", pipeline.ingest_companies
    ),
    _daily_stream("surveys", "api_responses", "Survey API responses delivered on the day.", pipeline.ingest_survey_api),
    _daily_stream(
        "surveys",
        "csv_responses",
        "Survey tools' CSV exports of the day, read through their YAML mappings.",
        pipeline.ingest_survey_csv,
    ),
]
