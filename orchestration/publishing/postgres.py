"""Publish the marts to PostgreSQL in one transaction, for a read-only `bi_reader` role.

Readers see all of the old marts or all of the new: each table is truncated and reloaded inside
one transaction, so a concurrent reader waits for the commit instead of seeing a missing table
or a partial row count.

A role belongs to the whole server, not to the serving database, and may serve other databases
too: a publish creates `bi_reader` when it is missing, grants it only what it needs in the serving
database, and leaves an existing role's password and settings as they are unless asked to reset
them (SERVING_BI_READER_RESET). Nothing here prints or logs the DSN or the password.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Published:
    counts: dict[str, int]  # {table: rows}
    reader: str  # what happened to the reader role, in one line fit for the run log


def publish(
    warehouse: duckdb.DuckDBPyConnection,
    dsn: str,
    tables: tuple[str, ...],
    reader_password: str | None,
    *,
    reset_reader: bool = False,
    reader: str = BI_READER,
) -> Published:
    """Replace the serving marts with the warehouse's and grant `reader` select on them."""
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
            note = _grant_reader(conn, cur, reader, reader_password, reset_reader)
    return Published(counts, note)


def _grant_reader(conn: psycopg.Connection, cur: psycopg.Cursor, reader: str, password: str | None,
                  reset: bool) -> str:  # fmt: skip
    """`reader` may connect to the serving database, use its marts schema and select its tables.

    Every grant and setting is scoped to the serving database: the role itself is cluster-wide, and an
    existing one may be used elsewhere, so its password and settings are changed only on `reset`.
    """
    role, schema = sql.Identifier(reader), sql.Identifier(SCHEMA)
    cur.execute("select current_database()")
    database = sql.Identifier(cur.fetchone()[0])
    cur.execute("select 1 from pg_roles where rolname = %s", (reader,))
    exists = cur.fetchone() is not None
    if not exists:
        try:
            with conn.transaction():  # a savepoint: a concurrent publish may create it first
                cur.execute(sql.SQL("create role {} login").format(role))
        except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
            exists = True
    if password and (reset or not exists):
        # hashed here (SCRAM, as psql's \password does) so the clear password never reaches the
        # server's statement log or pg_stat_activity
        hashed = conn.pgconn.encrypt_password(password.encode(), reader.encode(), b"scram-sha-256").decode()
        cur.execute(sql.SQL("alter role {} password {}").format(role, sql.Literal(hashed)))
    if reset or not exists:  # read-only in the serving database only, not in every database
        cur.execute(sql.SQL("alter role {} in database {} set default_transaction_read_only = on").format(
            role, database))  # fmt: skip
    cur.execute(sql.SQL("grant connect on database {} to {}").format(database, role))
    cur.execute(sql.SQL("grant usage on schema {} to {}").format(schema, role))
    cur.execute(sql.SQL("revoke all on all tables in schema {} from {}").format(schema, role))
    cur.execute(sql.SQL("grant select on all tables in schema {} to {}").format(schema, role))
    if not exists:
        how = "with the password in SERVING_BI_READER_PASSWORD" if password else "without a password (set one)"
        return f"role {reader} created {how}; it reads schema {SCHEMA} of this database only"
    if reset:
        what = "password and read-only setting" if password else "read-only setting (no password given)"
        return f"role {reader} existed; SERVING_BI_READER_RESET: its {what} set again"
    return (f"role {reader} existed: its password and settings left as they were "
            f"(SERVING_BI_READER_RESET=true resets them); granted select on schema {SCHEMA}")  # fmt: skip
