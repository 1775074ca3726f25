"""Resources: the source accounts (secrets through EnvVar) and the dbt CLI."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from ingestion.settings import Settings, SourceEndpoint, load_settings
from orchestration.defs.dbt.project import dbt_project


def _from_env(name: str) -> dg.EnvVar | None:
    """EnvVar when the variable is set, so the UI shows where a secret comes from, never its value.

    An unset source is off, or served by the embedded sample with CSKPI_SOURCES=sample (settings.py).
    """
    return dg.EnvVar(name) if os.environ.get(name) else None


class SourceAccounts(dg.ConfigurableResource):
    """Where the ticketing, CRM and survey APIs live and how to authenticate to them."""

    zendesk_base_url: str | None = None
    zendesk_email: str | None = None
    zendesk_api_token: str | None = None
    hubspot_base_url: str | None = None
    hubspot_access_token: str | None = None
    survey_api_base_url: str | None = None
    survey_api_key: str | None = None

    def settings(self) -> Settings:
        base = load_settings()

        def endpoint(current: SourceEndpoint, url: str | None, **creds: str | None) -> SourceEndpoint:
            return dataclasses.replace(current, base_url=url, credentials=creds)

        return dataclasses.replace(
            base,
            zendesk=endpoint(
                base.zendesk, self.zendesk_base_url, email=self.zendesk_email, api_token=self.zendesk_api_token
            ),
            hubspot=endpoint(base.hubspot, self.hubspot_base_url, access_token=self.hubspot_access_token),
            survey_api=endpoint(base.survey_api, self.survey_api_base_url, api_key=self.survey_api_key),
        )


def source_accounts_from_env() -> SourceAccounts:
    return SourceAccounts(
        zendesk_base_url=_from_env("ZENDESK_BASE_URL"),
        zendesk_email=_from_env("ZENDESK_EMAIL"),
        zendesk_api_token=_from_env("ZENDESK_API_TOKEN"),
        hubspot_base_url=_from_env("HUBSPOT_BASE_URL"),
        hubspot_access_token=_from_env("HUBSPOT_ACCESS_TOKEN"),
        survey_api_base_url=_from_env("SURVEY_API_BASE_URL"),
        survey_api_key=_from_env("SURVEY_API_KEY"),
    )


# dbt's --exclude-resource-type, as its environment variable: what the pipeline's builds leave out
PIPELINE_EXCLUDED_RESOURCE_TYPES = "unit_test"


def prepare_dbt_environment() -> None:
    """Environment every dbt invocation of the pipeline runs with.

    - Settings.dbt_env(): dbt reads the reporting timezone and the history start (dbt_project.yml),
      the warehouse path and DuckDB's memory cap (profiles.yml) from the environment; they are set
      here, at run time, from the one place they are configured (ingestion/settings.py), so dbt,
      the partitions and the loaders never differ in days, files or caps.
    - DBT_EXCLUDE_RESOURCE_TYPES=unit_test: the dbt unit tests check the models' logic on given
      rows, not the data; a run need not repeat them (tests/test_dbt_unit_tests.py runs them).
    - DBT_INDIRECT_SELECTION=buildable: a test runs in the step that builds all of its parents or
      their ancestors, so a facts-to-dimension test runs with the facts, not before them.
    """
    os.environ.update(load_settings().dbt_env())
    os.environ["DBT_INDIRECT_SELECTION"] = "buildable"
    os.environ["DBT_EXCLUDE_RESOURCE_TYPES"] = PIPELINE_EXCLUDED_RESOURCE_TYPES


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())


def dbt_executable() -> str:
    """The dbt installed beside this Python (the project's virtualenv), even when it is not on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")
