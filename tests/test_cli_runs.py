"""Two `cskpi run`s as a data engineer starts them in a deployment, against "real accounts" (the
loopback server, with the accounts' tokens set as a user sets them): a daily run and a backfill
started at the same moment on one Dagster instance, the production one (deploy/dagster.yaml, its
storage a throwaway PostgreSQL database, its connection from the environment as deploy/ sets it).

- The duckdb_writer pool (limit 1, from the instance's dagster.yaml) serialises their DuckDB
  writes: both succeed, with no lock error, and one of them waited for the pool.
- Both runs, their events and the pool's limit are in PostgreSQL, where the webserver and the
  daemon of a deployment read them.
- Secrets stay secret: no token, and not the PII hash key the runs set, is written anywhere a user
  or an attacker reads: the CLI output, the landing zone, the warehouse (its tables and its view
  definitions), dbt's target folder (compiled SQL, manifest, run_results) and logs, or the Dagster
  instance (event log, compute logs). Personal data is hashed with that key, in the loader.

One pair of runs serves both, since each run of the whole job costs most of a minute of CPU.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingestion.sample.server import SAMPLE_CREDENTIALS, SampleServer
from ingestion.sample.source import SampleSource
from ingestion.settings import PROJECT_ROOT
from tests import postgres
from tests.conftest import use_small_sample

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PII_HASH_KEY = "cli-runs-pii-key-5d41402abc4b2a76b9719d911017c592"
ZENDESK, HUBSPOT, SURVEYS = (
    SAMPLE_CREDENTIALS["zendesk"],
    SAMPLE_CREDENTIALS["hubspot"],
    SAMPLE_CREDENTIALS["survey_api"],
)
SECRETS = {
    ZENDESK["api_token"],
    HUBSPOT["access_token"],
    SURVEYS["api_key"],
    # what the clients send: HTTP Basic of "email/token:api_token" and "api_key:"
    base64.b64encode(f"{ZENDESK['email']}/token:{ZENDESK['api_token']}".encode()).decode(),
    base64.b64encode(f"{SURVEYS['api_key']}:".encode()).decode(),
    # the key personal data is hashed with: whoever has it can hash every phone number and match
    PII_HASH_KEY,
}
DAILY = ("2026-03-18", "2026-03-18")
BACKFILL = ("2026-03-16", "2026-03-17")


@dataclass
class Runs:
    outputs: list[str]
    returncodes: list[int]
    requests_served: int
    started: float
    tmp: Path
    data: Path
    home: Path
    customers: dict  # contact id -> the sample's Customer, whose email and phone the CRM served
    dbname: str  # the instance's PostgreSQL database
    instance_env: dict[str, str]  # DAGSTER_HOME and the instance's connection, as deploy/cskpi.env sets them


@contextmanager
def _instance(runs: Runs) -> Iterator[dg.DagsterInstance]:
    """The runs' Dagster instance, opened as the webserver or the daemon opens it: from the environment."""
    saved = {name: os.environ.get(name) for name in runs.instance_env}
    os.environ.update(runs.instance_env)
    try:
        with dg.DagsterInstance.get() as instance:
            yield instance
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value


def _files_with_secrets(root: Path, since: float = 0.0) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.name.endswith((".duckdb", ".duckdb.wal")) and path.stat().st_mtime >= since:
            data = path.read_bytes()
            found += [f"{path}: {s[:12]}..." for s in SECRETS if s.encode() in data]
    return found


def _tables_with_secrets(warehouse: Path) -> list[str]:
    found = []
    with closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('raw', 'staging', 'intermediate', 'marts')"
        ).fetchall()
        for (table,) in tables:
            for secret in SECRETS:
                n = con.execute(f"select count(*) from {table} t where t::varchar like ?", [f"%{secret}%"]).fetchone()
                if n[0]:
                    found.append(f"{table}: {n[0]} row(s) hold {secret[:12]}...")
        # the SQL the warehouse keeps of its views (dbt's staging models) and tables
        stored = con.execute(
            "select 'view ' || view_name, sql from duckdb_views() where not internal "
            "union all select 'table ' || table_name, sql from duckdb_tables()"
        ).fetchall()
        found += [f"{name}: its SQL holds {s[:12]}..." for name, sql in stored for s in SECRETS if s in (sql or "")]
    return found


def _event_log_entries_with_secrets(runs: Runs) -> list[str]:
    """Every Dagster event of the runs, as the UI shows it (message, metadata, errors)."""
    run_ids = [m.group(1) for out in runs.outputs if (m := re.search(r"run (\S+) (?:succeeded|FAILED)", out))]
    assert len(run_ids) == len(runs.outputs), "each CLI run says its run id"
    with _instance(runs) as instance:
        entries = [entry for run_id in run_ids for entry in instance.all_logs(run_id)]
    assert entries, "the runs logged events"
    serialised = [dg.serialize_value(entry) for entry in entries]
    return [f"{e.dagster_event_type}: {s[:12]}..." for e, t in zip(entries, serialised, strict=True) for s in SECRETS
            if s in t]  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Iterator[Runs]:
    started = time.time()
    tmp = tmp_path_factory.mktemp("cli_runs")
    with pytest.MonkeyPatch.context() as monkeypatch, postgres.throwaway_database() as dbname:
        data = use_small_sample(tmp, monkeypatch)
        monkeypatch.setenv("CSKPI_SAMPLE_TICKETS_PER_DAY", "60")
        monkeypatch.setenv("CSKPI_SAMPLE_CUSTOMERS", "500")
        home = tmp / "dagster_home"
        home.mkdir()
        shutil.copy(PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
        instance_env = {
            "DAGSTER_HOME": str(home),
            "DAGSTER_PG_HOST": postgres.HOST,
            "DAGSTER_PG_PORT": str(postgres.PORT),
            "DAGSTER_PG_USER": postgres.USER,
            "DAGSTER_PG_PASSWORD": "",  # CI's server trusts local connections
            "DAGSTER_PG_DB": dbname,
        }
        source = SampleSource.from_env()
        with SampleServer(source) as server:
            env = {
                **os.environ,
                **instance_env,
                "DBT_TARGET_PATH": str(tmp / "dbt_target"),
                "DBT_LOG_PATH": str(tmp / "dbt_logs"),
                "ZENDESK_BASE_URL": server.base_url,
                "ZENDESK_EMAIL": ZENDESK["email"],
                "ZENDESK_API_TOKEN": ZENDESK["api_token"],
                "HUBSPOT_BASE_URL": server.base_url,
                "HUBSPOT_ACCESS_TOKEN": HUBSPOT["access_token"],
                "SURVEY_API_BASE_URL": server.base_url,
                "SURVEY_API_KEY": SURVEYS["api_key"],
                # a real deployment: every source runs against its "account"; the survey drop
                # folder is not configured, so it is off rather than the sample's
                "CSKPI_SOURCES": "accounts",
                "CSKPI_PII_HASH_KEY": PII_HASH_KEY,
            }
            # An instance is created once, before runs meet on it (as the webserver or the daemon
            # of a deployment does); two processes creating a brand-new schema at once race on it.
            subprocess.run([sys.executable, "-c", "import dagster as dg; i = dg.DagsterInstance.get(); "
                            "i.get_runs(limit=1); i.get_asset_keys(); i.all_instigator_state()"],
                           env=env, check=True)  # fmt: skip
            # and its pool's limit is set at install (docs/deploy.md): left to the first steps that
            # ask, two runs at once on a fresh PostgreSQL instance both got in and met on DuckDB's lock
            dagster = str(Path(sys.executable).with_name("dagster"))
            subprocess.run([dagster, "instance", "concurrency", "set", "duckdb_writer", "1"], env=env, check=True)
            cli = [sys.executable, "-m", "orchestration.cli", "run"]
            pipe = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
            procs = [
                subprocess.Popen([*cli, "--start", first, "--end", last], env=env, cwd=PROJECT_ROOT, **pipe)
                for first, last in (DAILY, BACKFILL)
            ]
            outputs = [p.communicate(timeout=900)[0] for p in procs]
            served = server.requests_served
        customers = {c.contact_id: c for c in source.organisation.customers}
        returncodes = [p.returncode for p in procs]
        yield Runs(outputs, returncodes, served, started, tmp, data, home, customers, dbname, instance_env)


def test_daily_run_and_backfill_at_once_both_succeed_one_waiting_for_the_pool(runs):
    for returncode, out in zip(runs.returncodes, runs.outputs, strict=True):
        assert returncode == 0, out[-3000:]
        assert "Could not set lock" not in out and "Conflicting lock" not in out
    run_ids = [re.search(r"run (\S+) succeeded", out).group(1) for out in runs.outputs]

    with _instance(runs) as instance:
        blocked = sum(
            1
            for run_id in run_ids
            for entry in instance.all_logs(run_id)
            if "blocked by limit for pool duckdb_writer" in (entry.user_message or "")
        )
    assert blocked > 0, "the runs overlapped, so one of them must have waited for the pool"


def test_the_runs_their_events_and_the_pool_are_in_postgresql(runs):
    run_ids = {re.search(r"run (\S+) (?:succeeded|FAILED)", out).group(1) for out in runs.outputs}
    with postgres.connect(runs.dbname) as pg:
        statuses = dict(pg.execute("select run_id, status from runs").fetchall())
        events = dict(pg.execute(
            "select run_id, count(*) filter (where dagster_event_type = 'ASSET_MATERIALIZATION') from event_logs "
            "where run_id <> '' group by run_id").fetchall())  # fmt: skip
        # a run's end, under the name Dagster stores it by (RUN_SUCCESS is kept as PIPELINE_SUCCESS)
        ends = pg.execute(
            "select run_id, dagster_event_type from event_logs where dagster_event_type = any(%s)",
            [[dg.DagsterEventType.RUN_SUCCESS.value, dg.DagsterEventType.RUN_FAILURE.value,
              dg.DagsterEventType.RUN_CANCELED.value]],
        ).fetchall()  # fmt: skip
        pool = pg.execute('select concurrency_key, "limit", using_default_limit from concurrency_limits').fetchall()
    # two CLI runs, nothing else on this instance
    assert statuses == dict.fromkeys(run_ids, "SUCCESS")
    assert sorted(ends) == sorted((run_id, dg.DagsterEventType.RUN_SUCCESS.value) for run_id in run_ids)
    assert events.keys() == run_ids and min(events.values()) > 0  # each run recorded what it materialised
    # the pool's limit, as set at install, kept where every process reads it
    assert pool == [("duckdb_writer", 1, False)]


def test_runs_against_real_accounts_write_no_secret(runs):
    assert runs.returncodes == [0, 0], "\n".join(out[-2000:] for out in runs.outputs)
    assert runs.requests_served > 0, "the runs read the accounts, not the embedded sample"
    assert [s for out in runs.outputs for s in SECRETS if s in out] == [], "the CLI printed a secret"
    assert _files_with_secrets(runs.data) == []
    assert _files_with_secrets(runs.home) == []
    # dbt writes under the project (dagster-dbt keeps a target folder per invocation) or where told
    dbt_dirs = (runs.tmp / "dbt_target", runs.tmp / "dbt_logs", PROJECT_ROOT / "dbt_project" / "target",
                PROJECT_ROOT / "dbt_project" / "logs")  # fmt: skip
    assert [f for d in dbt_dirs for f in _files_with_secrets(d, since=runs.started)] == []
    assert _tables_with_secrets(runs.data / "warehouse.duckdb") == []
    assert _event_log_entries_with_secrets(runs) == []


def test_runs_against_real_accounts_hash_customers_with_their_own_key(runs):
    """The contacts' hashes are HMAC-SHA256 with the key the runs set (not the sample's), of the
    email lower-cased and the phone in E.164; raw keeps neither the email nor the phone."""
    customers = runs.customers
    with closing(duckdb.connect(str(runs.data / "warehouse.duckdb"), read_only=True)) as con:
        rows = con.execute(
            "select id, email_hash, phone_hash, _record::varchar from raw.hubspot__contacts order by id limit 50"
        ).fetchall()
    assert rows
    for contact_id, email_hash, phone_hash, record in rows:
        customer = customers[contact_id]
        expected = hmac.new(PII_HASH_KEY.encode(), customer.email.lower().encode(), hashlib.sha256).hexdigest()
        assert email_hash == expected
        assert phone_hash is not None and len(phone_hash) == 64
        assert customer.email not in record and customer.phone not in record
        assert not {"email", "phone", "firstname", "lastname"} & json.loads(record)["properties"].keys()
