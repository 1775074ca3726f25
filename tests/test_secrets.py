"""Secrets stay secret: a daily run against "real accounts" (the loopback server, with the
accounts' tokens set as a user sets them) writes no token anywhere a user or an attacker reads:
the CLI output, the landing zone, the warehouse, dbt's target and log folders, or the Dagster
instance (event log, compute logs)."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from ingestion.sample.server import SAMPLE_CREDENTIALS, SampleServer
from ingestion.sample.source import SampleSource
from ingestion.settings import PROJECT_ROOT
from tests.conftest import use_small_sample

pytestmark = pytest.mark.e2e

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
}


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
    return found


def test_a_run_against_real_accounts_writes_no_secret(tmp_path, monkeypatch):
    started = time.time()
    data = use_small_sample(tmp_path, monkeypatch)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    with SampleServer(SampleSource.from_env()) as server:
        env = {
            **os.environ,
            "DAGSTER_HOME": str(home),
            "DBT_TARGET_PATH": str(tmp_path / "dbt_target"),
            "DBT_LOG_PATH": str(tmp_path / "dbt_logs"),
            "ZENDESK_BASE_URL": server.base_url,
            "ZENDESK_EMAIL": ZENDESK["email"],
            "ZENDESK_API_TOKEN": ZENDESK["api_token"],
            "HUBSPOT_BASE_URL": server.base_url,
            "HUBSPOT_ACCESS_TOKEN": HUBSPOT["access_token"],
            "SURVEY_API_BASE_URL": server.base_url,
            "SURVEY_API_KEY": SURVEYS["api_key"],
        }
        done = subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "run", "--start", "2026-03-18", "--end", "2026-03-18"],
            env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        served = server.requests_served
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert served > 0, "the run read the accounts, not the embedded sample"
    assert [s for s in SECRETS if s in output] == [], "the CLI printed a secret"
    assert _files_with_secrets(data) == []
    assert _files_with_secrets(home) == []
    # dbt writes under the project (dagster-dbt keeps a target folder per invocation) or where told
    dbt_dirs = (tmp_path / "dbt_target", tmp_path / "dbt_logs", PROJECT_ROOT / "dbt_project" / "target",
                PROJECT_ROOT / "dbt_project" / "logs")  # fmt: skip
    assert [f for d in dbt_dirs for f in _files_with_secrets(d, since=started)] == []
    assert _tables_with_secrets(data / "warehouse.duckdb") == []
