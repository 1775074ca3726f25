"""A DuckDB file for one analyst's BI tool: never the file the pipeline writes, swapped in whole.

DuckDB 2.0 writes a storage format that older ODBC/JDBC drivers refuse; the snapshot is written
in the v1.4.0 format, which they read.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

SNAPSHOT_STORAGE_VERSION = "v1.4.0"


def write_duckdb_snapshot(
    warehouse: duckdb.DuckDBPyConnection,
    tables: tuple[str, ...],
    target: Path,
    schema: str = "marts",
    private: bool = False,
) -> dict:
    """Copy <schema>.<table> into a new file, then rename it over `target` (atomic on one filesystem).

    `private`: staff data (agent names). Its folder and file are readable by the pipeline's own user
    only (0700 / 0600), whoever else may read the serving folder the BI snapshot sits in.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if private:
        target.parent.chmod(0o700)
    tmp = target.with_name(target.name + ".new")
    tmp.unlink(missing_ok=True)
    warehouse.execute(f"attach '{tmp}' as snapshot (storage_version '{SNAPSHOT_STORAGE_VERSION}')")
    try:
        warehouse.execute(f"create schema snapshot.{schema}")
        counts = {}
        for table in tables:
            warehouse.execute(f"create table snapshot.{schema}.{table} as select * from {schema}.{table}")
            counts[table] = warehouse.execute(f"select count(*) from snapshot.{schema}.{table}").fetchone()[0]
    finally:
        warehouse.execute("detach snapshot")
    if private:
        tmp.chmod(0o600)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return counts


def write_parquet(warehouse: duckdb.DuckDBPyConnection, tables: tuple[str, ...], directory: Path) -> None:
    """One Parquet file per mart; the folder is replaced as a whole."""
    new = directory.with_name(directory.name + ".new")
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    for table in tables:
        warehouse.execute(f"copy marts.{table} to '{new / (table + '.parquet')}' (format parquet)")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        directory.rename(old)
    new.rename(directory)
    shutil.rmtree(old, ignore_errors=True)
