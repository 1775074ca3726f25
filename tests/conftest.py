"""Shared fixtures: a small, pinned sample and a throwaway data directory per test."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingestion.sample.server import SAMPLE_CREDENTIALS, FaultPlan, SampleServer
from ingestion.sample.source import SampleSource
from ingestion.settings import Settings, load_settings

# A moment in the sample's complaint season; partitions before it are complete days.
SAMPLE_NOW = "2026-03-20T00:00:00+08:00"
REAL_ACCOUNT_VARIABLES = (
    "ZENDESK_BASE_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN", "HUBSPOT_BASE_URL", "HUBSPOT_ACCESS_TOKEN",
    "SURVEY_API_BASE_URL", "SURVEY_API_KEY", "CSKPI_SURVEY_DROP_DIR", "CSKPI_WAREHOUSE_PATH",
    "CSKPI_PII_HASH_KEY", "CSKPI_PHONE_DEFAULT_REGION",
)  # fmt: skip
# The PII hash key a test sets for its loopback "real accounts", as a user sets one for theirs.
TEST_PII_HASH_KEY = "test-pii-key-0f3c9a7e5b1d4c2a8e6f"


def use_small_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every setting at a small, pinned sample writing under tmp_path; return the data dir."""
    for name in REAL_ACCOUNT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    # demo mode: a source the test does not point at an account is served by the sample, not off
    monkeypatch.setenv("CSKPI_SOURCES", "sample")
    data = tmp_path / "data"
    monkeypatch.setenv("CSKPI_DATA_DIR", str(data))
    monkeypatch.setenv("CSKPI_SAMPLE_NOW", SAMPLE_NOW)
    monkeypatch.setenv("CSKPI_SAMPLE_TICKETS_PER_DAY", "200")
    monkeypatch.setenv("CSKPI_SAMPLE_CUSTOMERS", "2000")
    monkeypatch.setenv("CSKPI_HTTP_BACKOFF_SECONDS", "0.05")
    monkeypatch.setenv("CSKPI_HTTP_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("CSKPI_HTTP_MAX_RETRIES", "3")
    # the loopback server has no rate limit; tests/test_connectors.py paces on purpose
    monkeypatch.setenv("ZENDESK_EXPORT_REQUESTS_PER_MINUTE", "0")
    return data


@pytest.fixture
def sample_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_small_sample(tmp_path, monkeypatch)


@pytest.fixture
def settings(sample_env: Path) -> Settings:
    return load_settings()


@pytest.fixture
def faults() -> FaultPlan:
    return FaultPlan()


@pytest.fixture
def server(sample_env: Path, faults: FaultPlan) -> Iterator[SampleServer]:
    with SampleServer(SampleSource.from_env(), faults=faults) as srv:
        yield srv


def pointed_at(settings: Settings, server: SampleServer, **credentials: dict[str, str]) -> Settings:
    """Settings whose sources are "real accounts" at the loopback server's URL, with a PII hash key."""

    def endpoint(source: str):
        creds = credentials.get(source, SAMPLE_CREDENTIALS[source])
        return dataclasses.replace(settings.endpoint(source), base_url=server.base_url, credentials=creds)

    return dataclasses.replace(
        settings,
        zendesk=endpoint("zendesk"),
        hubspot=endpoint("hubspot"),
        survey_api=endpoint("survey_api"),
        pii_hash_key=settings.pii_hash_key or TEST_PII_HASH_KEY,
    )


@pytest.fixture(scope="session")
def four_week_warehouse(tmp_path_factory: pytest.TempPathFactory):
    """Four full ISO weeks of the sample (Mon 2026-02-16 .. Sun 2026-03-15, with the complaint
    surge), built once per session; yields (warehouse path, data dir, settings)."""
    from datetime import date

    from tests import sample_warehouse

    work = tmp_path_factory.mktemp("four_weeks")
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_small_sample(work, monkeypatch)
        monkeypatch.setenv("CSKPI_SAMPLE_TICKETS_PER_DAY", "120")
        path = sample_warehouse.build(date(2026, 2, 16), date(2026, 3, 15), work)
        yield path, load_settings()
