"""Write-audit-publish: the marts reach BI only after every blocking check of the run passed.

`published_marts` depends on every mart; Dagster does not start it when a blocking check
(Great Expectations suites and dbt tests at severity error) failed upstream in the run, so the
served copies stay exactly as they were.
"""

from contextlib import closing

import dagster as dg
import duckdb

from ingestion.settings import load_settings
from orchestration.defs.pools import DUCKDB_WRITERS
from orchestration.publishing import PUBLISHED_MARTS, STAFF_TABLES, postgres
from orchestration.publishing.bi_files import PBIDS_FILE, TDS_FILES, write_bi_files
from orchestration.publishing.snapshot import SNAPSHOT_STORAGE_VERSION, write_duckdb_snapshot, write_parquet


@dg.asset(
    key=["serving", "published_marts"],
    # the cross-record rejects carry the reject-share gate: publish waits for it as for the marts
    deps=[
        *(dg.AssetKey(["marts", m]) for m in PUBLISHED_MARTS),
        *(dg.AssetKey(["staff", t]) for t in STAFF_TABLES),
        dg.AssetKey(["intermediate", "int_zendesk__ticket_events_rejected"]),
    ],
    group_name="serving",
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DUCKDB_WRITERS,
    kinds={"duckdb", "postgres", "parquet"},
    description="Copies the audited marts to the serving targets: a DuckDB snapshot file, Parquet files and, "
    "when SERVING_POSTGRES_DSN is set, PostgreSQL for the bi_reader role, with the staff schema (agent names) "
    "for the bi_manager role only.",
)
def published_marts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings = load_settings()
    snapshot_path = settings.snapshot_path
    metadata: dict = {}
    with closing(duckdb.connect(str(settings.warehouse_path), config=settings.duckdb_config)) as warehouse:
        counts = write_duckdb_snapshot(warehouse, PUBLISHED_MARTS, snapshot_path)
        # agent names in a file of their own, for the report's manager edition; never in the BI snapshot
        write_duckdb_snapshot(warehouse, STAFF_TABLES, settings.staff_snapshot_path, schema="staff", private=True)
        write_parquet(warehouse, PUBLISHED_MARTS, settings.serving_dir / "parquet")
        if settings.serving_postgres_dsn:
            published = postgres.publish(
                warehouse, settings.serving_postgres_dsn, PUBLISHED_MARTS, settings.bi_reader_password,
                reset_reader=settings.bi_reader_reset, staff_tables=STAFF_TABLES,
                manager=postgres.ManagerRole(settings.bi_manager_password, settings.bi_manager_reset),
            )  # fmt: skip
            context.log.info(published.reader)
            context.log.info(published.manager)
            files = write_bi_files(settings.serving_postgres_dsn, settings.serving_dir / "bi")
            metadata["postgres"] = "marts schema replaced"
            metadata["postgres_role"] = published.reader
            metadata["postgres_manager_role"] = published.manager
            metadata["power_bi_file"] = dg.MetadataValue.path(str(files[PBIDS_FILE]))
            for name in TDS_FILES:
                metadata[f"tableau_file_{name.removesuffix('.tds').removeprefix('cs-kpi-')}"] = (
                    dg.MetadataValue.path(str(files[name])))  # fmt: skip
        else:
            context.log.info("SERVING_POSTGRES_DSN is not set: published the DuckDB snapshot and Parquet only")
    metadata.update({
        "duckdb_snapshot": dg.MetadataValue.path(str(snapshot_path)),
        "snapshot_storage_version": SNAPSHOT_STORAGE_VERSION,
        "parquet_dir": dg.MetadataValue.path(str(settings.serving_dir / "parquet")),
        "rows": dg.MetadataValue.json(counts),
    })  # fmt: skip
    return dg.MaterializeResult(metadata=metadata)
