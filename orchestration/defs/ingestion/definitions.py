"""The ingestion domain: one asset per source stream, and the loader's own bookkeeping tables."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.ingestion.assets import ingestion_assets

# The loader's own bookkeeping, which every ingest step writes as it loads (ingestion/loader.py)
# and rpt_sources reads: declared so the catalog says what they are.
loader_bookkeeping = [
    dg.AssetSpec(
        ["raw", "ingest", "ledger"],
        description="raw._ingest_ledger: one row per committed load of a stream, with its counts and commit time.",
        group_name="ingestion",
    ),
    dg.AssetSpec(
        ["raw", "ingest", "source_modes"],
        description="raw._source_modes: the mode (sample, account or off) each ingest step ran its source in.",
        group_name="ingestion",
    ),
]

defs = dg.Definitions(assets=[*ingestion_assets, *loader_bookkeeping])
