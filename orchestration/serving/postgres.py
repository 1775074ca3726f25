"""Publish the marts to PostgreSQL in one transaction, for a read-only `bi_reader` role.

Readers see all of the old marts or all of the new: each table is truncated and reloaded inside
one transaction, so a concurrent reader waits for the commit instead of seeing a missing table
or a partial row count.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

BI_READER = "bi_reader"
SCHEMA = "marts"
PG_TYPES = {"BIGINT": "bigint", "INTEGER": "integer", "VARCHAR": "text", "TIMESTAMP": "timestamp", "DATE": "date",
            "DOUBLE": "double precision", "BOOLEAN": "boolean"}  # fmt: skip


def _columns(warehouse: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(r[0], PG_TYPES[r[1]]) for r in warehouse.execute(f"describe marts.{table}").fetchall()]


def _existing_columns(cur: psycopg.Cursor, table: str) -> list[tuple[str, str]]:
    cur.execute(
        "select column_name, data_type from information_schema.columns where table_schema = %s and table_name = %s "
        "order by ordinal_position",
        (SCHEMA, table),
    )
    return [(name, kind.replace("character varying", "text").replace("timestamp without time zone", "timestamp"))
            for name, kind in cur.fetchall()]  # fmt: skip


def publish(warehouse: duckdb.DuckDBPyConnection, dsn: str, tables: tuple[str, ...], reader_password: str | None):
    """Replace the serving marts with the warehouse's; returns {table: rows}."""
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="cskpi-publish-") as tmp, psycopg.connect(dsn) as conn:
        exports = {}
        for table in tables:
            exports[table] = Path(tmp) / f"{table}.csv"
            warehouse.execute(f"copy marts.{table} to '{exports[table]}' (format csv, header true)")
            counts[table] = warehouse.execute(f"select count(*) from marts.{table}").fetchone()[0]
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(SCHEMA)))
            for table in tables:
                ident = sql.Identifier(SCHEMA, table)
                wanted = _columns(warehouse, table)
                if _existing_columns(cur, table) == wanted:
                    cur.execute(sql.SQL("truncate {}").format(ident))
                else:  # new mart or changed columns
                    cur.execute(sql.SQL("drop table if exists {}").format(ident))
                    cur.execute(sql.SQL("create table {} ({})").format(ident, sql.SQL(", ").join(
                        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in wanted)))  # fmt: skip
                with cur.copy(sql.SQL("copy {} from stdin with (format csv, header true)").format(ident)) as copy:
                    copy.write(exports[table].read_bytes())
                cur.execute(sql.SQL("select count(*) from {}").format(ident))
                loaded = cur.fetchone()[0]
                if loaded != counts[table]:  # audit before anyone can see it
                    raise RuntimeError(f"marts.{table}: {loaded} rows reached PostgreSQL, {counts[table]} expected")
            _grant_reader(cur, reader_password)
    return counts


def _grant_reader(cur: psycopg.Cursor, password: str | None) -> None:
    """bi_reader may use the marts schema and select its tables, and nothing else."""
    cur.execute("select 1 from pg_roles where rolname = %s", (BI_READER,))
    if cur.fetchone() is None:
        cur.execute(sql.SQL("create role {} login").format(sql.Identifier(BI_READER)))
    if password:
        cur.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(BI_READER), sql.Literal(password)))
    role, schema = sql.Identifier(BI_READER), sql.Identifier(SCHEMA)
    cur.execute(sql.SQL("alter role {} set default_transaction_read_only = on").format(role))
    cur.execute(sql.SQL("grant usage on schema {} to {}").format(schema, role))
    cur.execute(sql.SQL("revoke all on all tables in schema {} from {}").format(schema, role))
    cur.execute(sql.SQL("grant select on all tables in schema {} to {}").format(schema, role))
