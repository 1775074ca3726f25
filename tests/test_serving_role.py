"""Publishing and the reader role: created if missing, scoped to the serving database, and an existing
role's password and settings left alone unless a reset is asked for.

A role is cluster-wide, so each test uses a role of its own (publish's `reader`) and drops it after;
the marts come from a two-row DuckDB table, which is all publish needs to grant on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from contextlib import closing

import duckdb
import psycopg
import pytest

from orchestration.publishing import postgres as serving
from tests import postgres

pytestmark = pytest.mark.postgres
TABLES = ("rpt_kpi_scorecard",)


@pytest.fixture(scope="module")
def serving_db():
    with postgres.throwaway_database() as dbname:
        yield dbname


def _throwaway_role(serving_db: str, kind: str):
    name = f"cskpi_{kind}_{uuid.uuid4().hex[:8]}"
    yield name
    with admin(serving_db) as conn:
        if _exists(conn, name):  # its grants here, and on the database itself
            conn.execute(f'drop owned by "{name}"')
    with admin() as conn:
        conn.execute(f'drop role if exists "{name}"')


@pytest.fixture
def role(serving_db):
    """A role name no one else uses; dropped after the test (its grants go with the database)."""
    yield from _throwaway_role(serving_db, "reader")


@pytest.fixture
def manager_role(serving_db):
    """The manager role's name for one test, dropped after it like `role`."""
    yield from _throwaway_role(serving_db, "manager")


@pytest.fixture
def warehouse():
    with closing(duckdb.connect()) as con:
        con.execute("create schema marts; create table marts.rpt_kpi_scorecard (kpi_code varchar, actual_value double)")
        con.execute("insert into marts.rpt_kpi_scorecard values ('frt', 1.5), ('fcr', 0.8)")
        yield con


def admin(dbname: str = "postgres") -> psycopg.Connection:
    conn = postgres.connect(dbname)
    conn.autocommit = True
    return conn


def _exists(conn, name: str) -> bool:
    return conn.execute("select 1 from pg_roles where rolname = %s", (name,)).fetchone() is not None


def role_state(name: str) -> dict:
    """What the server holds about the role: login, password hash, settings per database, and the
    databases whose ACL names it."""
    with admin() as conn:
        login, password = conn.execute("select rolcanlogin, rolpassword from pg_authid where rolname = %s",
                                       (name,)).fetchone()  # fmt: skip
        settings = dict(conn.execute(
            "select coalesce(d.datname, '(every database)'), s.setconfig from pg_db_role_setting s "
            "join pg_roles r on r.oid = s.setrole left join pg_database d on d.oid = s.setdatabase "
            "where r.rolname = %s", (name,)).fetchall())  # fmt: skip
        databases = [r[0] for r in conn.execute(
            "select datname from pg_database d where exists (select 1 from aclexplode(d.datacl) a "
            "join pg_roles r on r.oid = a.grantee where r.rolname = %s) order by 1", (name,))]  # fmt: skip
    return {"login": login, "password": password, "settings": settings, "acl_databases": databases}


def scram_matches(stored: str, password: str) -> bool:
    """Whether a PostgreSQL SCRAM-SHA-256 verifier (pg_authid.rolpassword:
    SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>) is for this password (RFC 5802, 7677)."""
    method, iterations_salt, keys = stored.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key = keys.split(":")[0]
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    return method == "SCRAM-SHA-256" and base64.b64encode(hashlib.sha256(client_key).digest()).decode() == stored_key


def dsn(dbname: str) -> str:
    return f"host={postgres.HOST} port={postgres.PORT} user={postgres.USER} dbname={dbname}"


def existing_role(name: str) -> None:
    """A role someone made for other databases: its own password and settings."""
    with admin() as conn:
        conn.execute(f"create role \"{name}\" login password 'their-own-pw'")
        conn.execute(f"alter role \"{name}\" set statement_timeout = '17s'")
        conn.execute(f"alter role \"{name}\" in database postgres set work_mem = '8MB'")


def login_as(name: str, dbname: str) -> psycopg.Connection:
    return psycopg.connect(f"host={postgres.HOST} port={postgres.PORT} user={name} dbname={dbname}")


def read_only_setting(conn: psycopg.Connection) -> str:
    return conn.execute("show default_transaction_read_only").fetchone()[0]


def served_rows(conn: psycopg.Connection) -> int:
    return conn.execute("select count(*) from marts.rpt_kpi_scorecard").fetchone()[0]


def test_an_existing_role_keeps_its_password_and_settings(serving_db, role, warehouse):
    existing_role(role)
    their_settings = {"(every database)": ["statement_timeout=17s"], "postgres": ["work_mem=8MB"]}
    before = role_state(role)
    assert before["settings"] == their_settings and scram_matches(before["password"], "their-own-pw")

    published = serving.publish(warehouse, dsn(serving_db), TABLES, "pipeline-pw", reader=role)

    after = role_state(role)
    assert after["password"] == before["password"], "the password must not be reset"
    assert after["settings"] == their_settings, "no setting added, changed or removed"
    assert after["acl_databases"] == [serving_db], "database grants only on the serving database"
    with login_as(role, serving_db) as reader:
        assert served_rows(reader) == 2  # and it reads what was published
    assert published.reader == (
        f"role {role} existed: its password and settings left as they were "
        "(SERVING_BI_READER_RESET=true resets them); granted select on schema marts"
    )


def test_a_missing_role_is_created_read_only_in_the_serving_database_only(serving_db, role, warehouse):
    published = serving.publish(warehouse, dsn(serving_db), TABLES, "first-pw", reader=role)

    state = role_state(role)
    assert state["login"] and scram_matches(state["password"], "first-pw")
    assert state["settings"] == {serving_db: ["default_transaction_read_only=on"]}, "not for every database"
    assert state["acl_databases"] == [serving_db]
    with login_as(role, serving_db) as reader:
        assert (served_rows(reader), read_only_setting(reader)) == (2, "on")
    with login_as(role, "postgres") as elsewhere:  # other databases on the server are not touched
        assert read_only_setting(elsewhere) == "off"
    assert published.reader == (f"role {role} created with the password in SERVING_BI_READER_PASSWORD; "
                                "it reads schema marts of this database only")  # fmt: skip


def test_a_reset_sets_the_password_and_read_only_setting_again_when_asked(serving_db, role, warehouse):
    existing_role(role)

    published = serving.publish(warehouse, dsn(serving_db), TABLES, "rotated-pw", reset_reader=True, reader=role)

    state = role_state(role)
    assert scram_matches(state["password"], "rotated-pw") and not scram_matches(state["password"], "their-own-pw")
    assert state["settings"] == {
        "(every database)": ["statement_timeout=17s"],  # not ours: a reset leaves it
        "postgres": ["work_mem=8MB"],
        serving_db: ["default_transaction_read_only=on"],
    }
    assert (
        published.reader
        == f"role {role} existed; SERVING_BI_READER_RESET: its password and read-only setting set again"
    )


def test_agent_names_reach_the_manager_role_and_never_the_reader(serving_db, role, manager_role, warehouse):
    """staff.dim_agent (agent names) is readable by the manager role, which reads the marts too; the reader
    is refused, even after someone granted it the staff schema by hand."""
    warehouse.execute("create schema staff; create table staff.dim_agent (agent_id bigint, agent_name varchar)")
    warehouse.execute("insert into staff.dim_agent values (101, 'Ana Lima'), (102, 'Bo Chen')")

    def publish() -> serving.Published:
        manager = serving.ManagerRole("manager-pw", name=manager_role)
        return serving.publish(warehouse, dsn(serving_db), TABLES, "reader-pw", reader=role,
                               staff_tables=("dim_agent",), manager=manager)  # fmt: skip

    published = publish()
    assert published.counts == {"rpt_kpi_scorecard": 2, "staff.dim_agent": 2}
    assert published.manager == (f"role {manager_role} created with the password in SERVING_BI_MANAGER_PASSWORD; "
                                 "it reads schema marts and staff of this database only")  # fmt: skip
    state = role_state(manager_role)
    assert scram_matches(state["password"], "manager-pw")
    assert state["settings"] == {serving_db: ["default_transaction_read_only=on"]}
    with login_as(manager_role, serving_db) as manager:
        names = manager.execute("select agent_name from staff.dim_agent order by agent_id").fetchall()
        assert (names, served_rows(manager)) == ([("Ana Lima",), ("Bo Chen",)], 2)
    with login_as(role, serving_db) as reader:
        assert served_rows(reader) == 2
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for schema staff"):
            reader.execute("select agent_name from staff.dim_agent")

    with admin(serving_db) as conn:  # a DBA grants the reader the staff schema by hand
        conn.execute(f'grant usage on schema staff to "{role}"; grant select on staff.dim_agent to "{role}"')
    publish()
    with (
        login_as(role, serving_db) as reader,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for schema staff"),
    ):
        reader.execute("select agent_name from staff.dim_agent")
