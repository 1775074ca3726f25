"""Every setting the pipeline reads from the environment, in one place.

Endpoints and secrets come from environment variables. Which sources run is decided here too:
with CSKPI_SOURCES=sample (`cskpi demo`, the tests) a source that is not configured is served by the
embedded sample (ingestion.sample); in any other deployment it is off, so the sample's invented
tickets never reach marts that also hold a team's real data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingestion.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# DuckDB's memory cap for the loaders and dbt; past it DuckDB spills to disk instead of growing.
DEFAULT_DUCKDB_MEMORY_LIMIT = "3GB"
# The one home of the settings that ingestion, Dagster's partitions and dbt share. dbt reads them
# from the environment (dbt_project.yml: env_var without a default), which every dbt invocation
# gets from Settings.dbt_env(): the pipeline, `cskpi dbt`, the tests and the bench.
DEFAULT_REPORTING_TIMEZONE = "Asia/Shanghai"  # CSKPI_REPORTING_TIMEZONE: a "day" is a calendar day here
DEFAULT_HISTORY_START = "2025-01-01"  # CSKPI_HISTORY_START: the first partition and dim_date's first day

# CSKPI_SOURCES: "sample" serves every source that is not configured from the embedded sample (the
# demo, the tests); "accounts" (the default) leaves it off. A configured source is always its account.
SOURCES_SAMPLE, SOURCES_ACCOUNTS = "sample", "accounts"
# sample: the embedded sample; account: the configured account (or drop folder); off: not loaded
SourceMode = Literal["sample", "account", "off"]
# The sources a run reports on, in report order. The survey CSV drop folder is a source of its own:
# a team may configure the survey API, the drop folder, both or neither.
SOURCE_NAMES = ("zendesk", "hubspot", "survey_api", "survey_csv")


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _number(name: str, default: str, kind: type[int] | type[float] = int) -> int | float:
    """A numeric setting; a value that is no number is a ConfigError naming the variable."""
    value = _env(name, default)
    try:
        return kind(value)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name} must be {what}, not {value!r}") from None


@dataclass(frozen=True)
class SourceEndpoint:
    """Where one SaaS source lives and how to authenticate.

    The source is configured when its base URL or any credential is set (a half-configured one fails
    when it connects, naming what is missing); unconfigured, it is the sample or off (`sample_mode`).
    """

    source: str
    base_url: str | None
    credentials: dict[str, str | None]
    url_variable: str
    credential_variables: tuple[str, ...]
    sample_mode: bool = False  # CSKPI_SOURCES=sample

    @property
    def mode(self) -> SourceMode:
        if self.base_url is not None or any(self.credentials.values()):
            return "account"
        return "sample" if self.sample_mode else "off"

    @property
    def uses_sample(self) -> bool:
        return self.mode == "sample"

    @property
    def turn_on(self) -> str:
        """How to turn the source on, for the line an off source leaves in the run log."""
        names = (self.url_variable, *self.credential_variables)
        return f"set {', '.join(names[:-1])} and {names[-1]} to load it"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse_path: Path
    landing_dir: Path
    survey_drop_dir: Path
    survey_drop_configured: bool  # CSKPI_SURVEY_DROP_DIR is set: a real survey tool drops its exports there
    sample_mode: bool  # CSKPI_SOURCES=sample: unconfigured sources are served by the embedded sample
    survey_mapping_dir: Path
    reporting_timezone: str
    history_start: date
    lookback_days: int
    duckdb_memory_limit: str  # e.g. "3GB": loaders and dbt spill to disk past it
    http_timeout_seconds: float
    http_max_retries: int
    # Zendesk's incremental exports allow 10 requests a minute per account (more with its High
    # Volume add-on); the client paces them to this. 0 turns pacing off (a loopback test server).
    zendesk_export_requests_per_minute: int
    serving_dir: Path  # the DuckDB snapshot, Parquet files and BI connection files BI users open
    # publish the marts to this PostgreSQL database when set; a DSN may carry a password, so out of repr
    serving_postgres_dsn: str | None = field(repr=False)
    # the password a publish gives the bi_reader role it creates (or resets); out of repr like the DSN
    bi_reader_password: str | None = field(repr=False)
    # SERVING_BI_READER_RESET: bi_reader is a cluster-wide role, so a publish that finds it already there
    # leaves its password and settings alone unless this is on (then it sets both again)
    bi_reader_reset: bool
    # the same two for bi_manager, the role that also reads the staff schema (agent names: docs/bi.md)
    bi_manager_password: str | None = field(repr=False)
    bi_manager_reset: bool
    max_reject_share: float  # a run whose streams reject more than this share of records fails
    reject_share_min_records: int  # smaller streams are reported, not judged: a share of a few is noise
    gx_dir: Path  # Great Expectations project: Data Docs are built under it
    reports_dir: Path  # the service-level reports (HTML), one file per period
    improvement_plan_path: Path  # the managers' improvement plan (YAML) the reports list
    zendesk: SourceEndpoint
    hubspot: SourceEndpoint
    survey_api: SourceEndpoint
    # HMAC key of the email and phone hashes (ingestion.pii); None: only the sample may run.
    # Kept out of repr, so no traceback or log line that prints the settings prints the key.
    pii_hash_key: str | None = field(default=None, repr=False)
    # Region of a phone number written without its country code (ISO 3166: CN, US, ...)
    phone_default_region: str = "CN"
    # CSKPI_REPORT_LANGUAGE: the service-level report's language, en or zh-CN (`cskpi report --language`)
    report_language: str = "en"
    # The failed-run alert (orchestration/defs/alerts.py) posts to this webhook when set (Slack,
    # Mattermost, Rocket.Chat or any receiver of {"text": ...}); its URL is a secret, so no repr.
    alert_webhook_url: str | None = field(default=None, repr=False)
    # The webserver's address as its users open it (https://dagster.example.com): the alert links the run
    dagster_url: str | None = None

    @property
    def duckdb_config(self) -> dict[str, str]:
        """Config for every other DuckDB connection to the warehouse (checks, publish, CLI summary)."""
        return {"memory_limit": self.duckdb_memory_limit}

    @property
    def snapshot_path(self) -> Path:
        """The published DuckDB copy of the marts that BI users and the reports read."""
        return self.serving_dir / "cs_kpi_marts.duckdb"

    @property
    def staff_snapshot_path(self) -> Path:
        """The published staff data (agent names), apart from the marts BI users open: the manager
        edition of the report reads it (docs/bi.md)."""
        return self.serving_dir / "staff" / "cs_kpi_staff.duckdb"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.reporting_timezone)

    def dbt_env(self) -> dict[str, str]:
        """The environment every dbt invocation of the project needs: dbt reads these settings from it
        (dbt_project.yml, profiles.yml), so dbt, the loaders and the partitions never disagree."""
        return {
            "CSKPI_REPORTING_TIMEZONE": self.reporting_timezone,
            "CSKPI_HISTORY_START": self.history_start.isoformat(),
            "CSKPI_WAREHOUSE_PATH": str(self.warehouse_path),
            "CSKPI_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
        }

    def endpoint(self, source: str) -> SourceEndpoint:
        return {"zendesk": self.zendesk, "hubspot": self.hubspot, "survey_api": self.survey_api}[source]

    @property
    def survey_drop_is_sample(self) -> bool:
        """The sample survey tool drops its exports into the (default) drop folder."""
        return self.survey_csv_mode == "sample"

    @property
    def survey_csv_mode(self) -> SourceMode:
        if self.survey_drop_configured:
            return "account"
        return "sample" if self.sample_mode else "off"

    def source_mode(self, source: str) -> SourceMode:
        """The mode of one of SOURCE_NAMES."""
        return self.survey_csv_mode if source == "survey_csv" else self.endpoint(source).mode

    def source_off(self, source: str) -> str | None:
        """The run-log line of a source that is off (which one, and how to turn it on); None if it is on."""
        if self.source_mode(source) != "off":
            return None
        how = (
            "set CSKPI_SURVEY_DROP_DIR to its folder to load it"
            if source == "survey_csv"
            else (self.endpoint(source).turn_on)
        )
        return f"{source} is off: {how} (or CSKPI_SOURCES=sample for the embedded sample)"


def _sources_setting() -> bool:
    """CSKPI_SOURCES, as whether unconfigured sources come from the sample; a typo fails loudly
    rather than quietly turning every source off or on."""
    value = _env("CSKPI_SOURCES", SOURCES_ACCOUNTS)
    if value not in (SOURCES_SAMPLE, SOURCES_ACCOUNTS):
        raise ConfigError(f"CSKPI_SOURCES must be {SOURCES_SAMPLE!r} or {SOURCES_ACCOUNTS!r}, not {value!r}")
    return value == SOURCES_SAMPLE


def _flag(name: str) -> bool:
    """An on/off setting: true/yes/1 or false/no/0 (unset: off); a typo fails instead of meaning off."""
    value = (_env(name, "false") or "").strip().lower()
    if value not in ("true", "yes", "1", "false", "no", "0"):
        raise ConfigError(f"{name} must be true or false, not {value!r}")
    return value in ("true", "yes", "1")


REPORT_LANGUAGES = ("en", "zh-CN")


def _report_language() -> str:
    value = _env("CSKPI_REPORT_LANGUAGE", "en")
    if value not in REPORT_LANGUAGES:
        raise ConfigError(f"CSKPI_REPORT_LANGUAGE must be one of {', '.join(REPORT_LANGUAGES)}, not {value!r}")
    return value


def load_settings() -> Settings:
    data_dir = Path(_env("CSKPI_DATA_DIR", str(PROJECT_ROOT / "data"))).resolve()
    tz = _env("CSKPI_REPORTING_TIMEZONE", DEFAULT_REPORTING_TIMEZONE)
    try:
        ZoneInfo(tz)  # fail early on a misspelt zone
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"CSKPI_REPORTING_TIMEZONE {tz!r} is no IANA time zone: use a name like Asia/Shanghai or Europe/Berlin"
        ) from None
    history_start = _env("CSKPI_HISTORY_START", DEFAULT_HISTORY_START)
    try:
        first_day = date.fromisoformat(history_start)
    except ValueError:
        raise ConfigError(f"CSKPI_HISTORY_START must be a day (YYYY-MM-DD), not {history_start!r}") from None
    sample_mode = _sources_setting()
    return Settings(
        data_dir=data_dir,
        warehouse_path=Path(_env("CSKPI_WAREHOUSE_PATH", str(data_dir / "warehouse.duckdb"))).resolve(),
        landing_dir=Path(_env("CSKPI_LANDING_DIR", str(data_dir / "landing"))).resolve(),
        survey_drop_dir=Path(_env("CSKPI_SURVEY_DROP_DIR", str(data_dir / "survey_drops"))).resolve(),
        survey_drop_configured=_env("CSKPI_SURVEY_DROP_DIR") is not None,
        sample_mode=sample_mode,
        survey_mapping_dir=Path(
            _env("CSKPI_SURVEY_MAPPING_DIR", str(PROJECT_ROOT / "config" / "survey_mappings"))
        ).resolve(),
        reporting_timezone=tz,
        history_start=first_day,
        lookback_days=_number("CSKPI_LOOKBACK_DAYS", "14"),
        duckdb_memory_limit=_env("CSKPI_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT),
        http_timeout_seconds=_number("CSKPI_HTTP_TIMEOUT_SECONDS", "30", float),
        http_max_retries=_number("CSKPI_HTTP_MAX_RETRIES", "5"),
        zendesk_export_requests_per_minute=_number("ZENDESK_EXPORT_REQUESTS_PER_MINUTE", "10"),
        serving_dir=Path(_env("CSKPI_SERVING_DIR", str(data_dir / "serving"))).resolve(),
        serving_postgres_dsn=_env("SERVING_POSTGRES_DSN"),
        bi_reader_password=_env("SERVING_BI_READER_PASSWORD"),
        bi_reader_reset=_flag("SERVING_BI_READER_RESET"),
        bi_manager_password=_env("SERVING_BI_MANAGER_PASSWORD"),
        bi_manager_reset=_flag("SERVING_BI_MANAGER_RESET"),
        max_reject_share=_number("CSKPI_MAX_REJECT_SHARE", "0.02", float),
        reject_share_min_records=_number("CSKPI_REJECT_SHARE_MIN_RECORDS", "200"),
        gx_dir=Path(_env("CSKPI_GX_DIR", str(data_dir / "gx"))).resolve(),
        reports_dir=Path(_env("CSKPI_REPORTS_DIR", str(data_dir / "reports"))).resolve(),
        improvement_plan_path=Path(
            _env("CSKPI_IMPROVEMENT_PLAN", str(PROJECT_ROOT / "config" / "improvement_plan.yaml"))
        ).resolve(),
        report_language=_report_language(),
        zendesk=SourceEndpoint(
            source="zendesk",
            base_url=_env("ZENDESK_BASE_URL"),
            credentials={"email": _env("ZENDESK_EMAIL"), "api_token": _env("ZENDESK_API_TOKEN")},
            url_variable="ZENDESK_BASE_URL",
            sample_mode=sample_mode,
            credential_variables=("ZENDESK_EMAIL", "ZENDESK_API_TOKEN"),
        ),
        hubspot=SourceEndpoint(
            source="hubspot",
            base_url=_env("HUBSPOT_BASE_URL"),
            credentials={"access_token": _env("HUBSPOT_ACCESS_TOKEN")},
            url_variable="HUBSPOT_BASE_URL",
            sample_mode=sample_mode,
            credential_variables=("HUBSPOT_ACCESS_TOKEN",),
        ),
        survey_api=SourceEndpoint(
            source="survey_api",
            base_url=_env("SURVEY_API_BASE_URL"),
            credentials={"api_key": _env("SURVEY_API_KEY")},
            url_variable="SURVEY_API_BASE_URL",
            sample_mode=sample_mode,
            credential_variables=("SURVEY_API_KEY",),
        ),
        pii_hash_key=_env("CSKPI_PII_HASH_KEY"),
        phone_default_region=_env("CSKPI_PHONE_DEFAULT_REGION", "CN"),
        alert_webhook_url=_env("CSKPI_ALERT_WEBHOOK_URL"),
        dagster_url=_env("CSKPI_DAGSTER_URL"),
    )
