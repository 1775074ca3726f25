"""The PostgreSQL server of CI (127.0.0.1:5432, trust auth): a throwaway database per use.

Where no server answers, tests skip with the reason printed; under CI (CI set) they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

HOST = os.environ.get("CSKPI_PG_HOST", "127.0.0.1")
PORT = int(os.environ.get("CSKPI_PG_PORT", "5432"))
USER = os.environ.get("CSKPI_PG_USER", "postgres")


def _admin_dsn(dbname: str = "postgres") -> str:
    return f"host={HOST} port={PORT} user={USER} dbname={dbname} connect_timeout=5"


def require_postgres() -> None:
    try:
        with psycopg.connect(_admin_dsn()) as conn:
            conn.execute("select 1")
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at {HOST}:{PORT} is not reachable ({exc.__class__.__name__}: {str(exc).strip()[:200]})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the PostgreSQL tests")
        print(f"\nSKIPPED: {reason}")
        pytest.skip(reason)


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Create a database for one test module and drop it afterwards; yields its name."""
    require_postgres()
    name = f"cskpi_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


def connect(dbname: str) -> psycopg.Connection:
    return psycopg.connect(_admin_dsn(dbname))
