"""Publish the marts to PostgreSQL in one transaction, for a read-only `bi_reader` role, and the staff
tables (agent names) beside them for a read-only `bi_manager` role.

Readers see all of the old marts or all of the new: each table is truncated and reloaded inside
one transaction, so a concurrent reader waits for the commit instead of seeing a missing table
or a partial row count.

A role belongs to the whole server, not to the serving database, and may serve other databases
too: a publish creates `bi_reader` when it is missing, grants it only what it needs in the serving
database, and leaves an existing role's password and settings as they are unless asked to reset
them (SERVING_BI_READER_RESET). `bi_manager` is handled by the same rules (SERVING_BI_MANAGER_PASSWORD,
SERVING_BI_MANAGER_RESET) and reads the marts and the `staff` schema; `bi_reader` never reads `staff`:
agent names are staff data (docs/bi.md). Nothing here prints or logs the DSN or the password.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

BI_READER = "bi_reader"
BI_MANAGER = "bi_manager"
SCHEMA = "marts"
STAFF_SCHEMA = "staff"
PG_TYPES = {"BIGINT": "bigint", "INTEGER": "integer", "VARCHAR": "text", "TIMESTAMP": "timestamp", "DATE": "date",
            "DOUBLE": "double precision", "BOOLEAN": "boolean"}  # fmt: skip


def _columns(warehouse: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return [(r[0], PG_TYPES[r[1]]) for r in warehouse.execute(f"describe {schema}.{table}").fetchall()]


def _existing_columns(cur: psycopg.Cursor, schema: str, table: str) -> list[tuple[str, str]]:
    cur.execute(
        "select column_name, data_type from information_schema.columns where table_schema = %s and table_name = %s "
        "order by ordinal_position",
        (schema, table),
    )
    return [(name, kind.replace("character varying", "text").replace("timestamp without time zone", "timestamp"))
            for name, kind in cur.fetchall()]  # fmt: skip


@dataclass(frozen=True)
class Published:
    counts: dict[str, int]  # {table: rows}; a staff table as "staff.<table>"
    reader: str  # what happened to the reader role, in one line fit for the run log
    manager: str | None = None  # the same for the manager role; None when no staff table was published


@dataclass(frozen=True)
class ManagerRole:
    """The role that reads the staff tables too: its name and, as for the reader, password and reset."""

    password: str | None = None
    reset: bool = False
    name: str = BI_MANAGER


def publish(
    warehouse: duckdb.DuckDBPyConnection,
    dsn: str,
    tables: tuple[str, ...],
    reader_password: str | None,
    *,
    reset_reader: bool = False,
    reader: str = BI_READER,
    staff_tables: tuple[str, ...] = (),
    manager: ManagerRole | None = None,
) -> Published:
    """Replace the serving marts (and staff tables) with the warehouse's; grant `reader` select on the
    marts, and the manager role select on the marts and the staff tables."""
    counts: dict[str, int] = {}
    published = [(SCHEMA, t) for t in tables] + [(STAFF_SCHEMA, t) for t in staff_tables]
    with tempfile.TemporaryDirectory(prefix="cskpi-publish-") as tmp, psycopg.connect(dsn) as conn:
        exports = {}
        for schema, table in published:
            name = table if schema == SCHEMA else f"{schema}.{table}"
            exports[name] = Path(tmp) / f"{schema}.{table}.csv"
            warehouse.execute(f"copy {schema}.{table} to '{exports[name]}' (format csv, header true)")
            counts[name] = warehouse.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
        with conn.transaction(), conn.cursor() as cur:
            for schema in dict.fromkeys(s for s, _ in published) or (SCHEMA,):
                cur.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
            for schema, table in published:
                name = table if schema == SCHEMA else f"{schema}.{table}"
                ident = sql.Identifier(schema, table)
                wanted = _columns(warehouse, schema, table)
                if _existing_columns(cur, schema, table) == wanted:
                    cur.execute(sql.SQL("truncate {}").format(ident))
                else:  # new table or changed columns
                    cur.execute(sql.SQL("drop table if exists {}").format(ident))
                    cur.execute(sql.SQL("create table {} ({})").format(ident, sql.SQL(", ").join(
                        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in wanted)))  # fmt: skip
                with cur.copy(sql.SQL("copy {} from stdin with (format csv, header true)").format(ident)) as copy:
                    copy.write(exports[name].read_bytes())
                cur.execute(sql.SQL("select count(*) from {}").format(ident))
                loaded = cur.fetchone()[0]
                if loaded != counts[name]:  # audit before anyone can see it
                    raise RuntimeError(f"{schema}.{table}: {loaded} rows reached PostgreSQL, {counts[name]} expected")
            note = _grant_reader(conn, cur, reader, reader_password, reset_reader, (SCHEMA,))
            manager_note = None
            if staff_tables:
                manager = manager or ManagerRole()
                manager_note = _grant_reader(conn, cur, manager.name, manager.password, manager.reset,
                                             (SCHEMA, STAFF_SCHEMA), variable="SERVING_BI_MANAGER")  # fmt: skip
            # a reader never reads staff data, whatever it was granted before (by hand, or as a manager)
            cur.execute("select 1 from pg_namespace where nspname = %s", (STAFF_SCHEMA,))
            if cur.fetchone() is not None:
                cur.execute(sql.SQL("revoke all on all tables in schema {} from {}").format(
                    sql.Identifier(STAFF_SCHEMA), sql.Identifier(reader)))  # fmt: skip
                cur.execute(sql.SQL("revoke usage on schema {} from {}").format(
                    sql.Identifier(STAFF_SCHEMA), sql.Identifier(reader)))  # fmt: skip
    return Published(counts, note, manager_note)


def _grant_reader(conn: psycopg.Connection, cur: psycopg.Cursor, reader: str, password: str | None,
                  reset: bool, schemas: tuple[str, ...], variable: str = "SERVING_BI_READER") -> str:  # fmt: skip
    """`reader` may connect to the serving database, use `schemas` and select their tables.

    Every grant and setting is scoped to the serving database: the role itself is cluster-wide, and an
    existing one may be used elsewhere, so its password and settings are changed only on `reset`.
    """
    role = sql.Identifier(reader)
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
    for name in schemas:
        schema = sql.Identifier(name)
        cur.execute(sql.SQL("grant usage on schema {} to {}").format(schema, role))
        cur.execute(sql.SQL("revoke all on all tables in schema {} from {}").format(schema, role))
        cur.execute(sql.SQL("grant select on all tables in schema {} to {}").format(schema, role))
    named = " and ".join(schemas)
    if not exists:
        how = f"with the password in {variable}_PASSWORD" if password else "without a password (set one)"
        return f"role {reader} created {how}; it reads schema {named} of this database only"
    if reset:
        what = "password and read-only setting" if password else "read-only setting (no password given)"
        return f"role {reader} existed; {variable}_RESET: its {what} set again"
    return (f"role {reader} existed: its password and settings left as they were "
            f"({variable}_RESET=true resets them); granted select on schema {named}")  # fmt: skip
