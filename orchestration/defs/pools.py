"""Concurrency pools. DuckDB allows one writing process, so every writer shares one pool whose
limit is 1 (set in the instance's dagster.yaml: concurrency.pools.default_limit)."""

DUCKDB_WRITERS = "duckdb_writer"
