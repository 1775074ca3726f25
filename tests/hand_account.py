"""A hand-built account (tests/golden_fixture.py's builders, in the sources' API shapes) loaded by
the real loader, one run at a time, as the pipeline's runs load it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from ingestion import loader
from ingestion.loader import LoadWindow
from ingestion.settings import PROJECT_ROOT
from ingestion.sources import survey_csv
from ingestion.streams import (
    ALL_HTTP_STREAMS,
    HUBSPOT_COMPANIES,
    HUBSPOT_CONTACTS,
    SURVEY_API_RESPONSES,
    ZENDESK_GROUPS,
    ZENDESK_TICKET_EVENTS,
    ZENDESK_TICKET_FIELDS,
    ZENDESK_TICKET_METRICS,
    ZENDESK_TICKETS,
    ZENDESK_USERS,
    StreamSpec,
)
from tests.golden_fixture import Ticket, reference_pages, ticket_events_page

REFERENCE_STREAMS = (
    (ZENDESK_GROUPS, "groups"),
    (ZENDESK_USERS, "users"),
    (ZENDESK_TICKET_FIELDS, "ticket_fields"),
    (HUBSPOT_CONTACTS, "contacts"),
    (HUBSPOT_COMPANIES, "companies"),
)


class HandAccount:
    def __init__(self, work: Path, timezone: str = "Asia/Shanghai") -> None:
        self.warehouse = work / "warehouse.duckdb"
        self.pages = work / "pages"
        self.pages.mkdir(parents=True, exist_ok=True)
        self.timezone = timezone

    def connect(self) -> duckdb.DuckDBPyConnection:
        return loader.connect(self.warehouse)

    def local(self, day: date, hour: int = 0, minute: int = 0) -> int:
        """Epoch seconds of a local wall-clock time in the account's timezone."""
        return int(datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(self.timezone)).timestamp())

    def window(self, first: date, last: date) -> LoadWindow:
        """The load window of the local days [first, last]: from first's midnight to the next day's after last."""
        start, end = self.local(first), self.local(last + timedelta(days=1))
        utc = [datetime.fromtimestamp(t, UTC).replace(tzinfo=None) for t in (start, end)]
        return LoadWindow(utc[0], utc[1], first, last, self.timezone)

    def load(self, con, spec: StreamSpec, name: str, payload, run: str, window: LoadWindow | None = None) -> None:
        page = self.pages / f"{run}-{name}.json"
        page.write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
        loader.load(con, spec, [page], run_id=run, batch_id=f"{run}-{name}", landing_dir=None, pages=1, window=window)

    def load_reference(self, con, reference: dict | None = None) -> None:
        """Every stream exists (empty when this account has no records of it), then the groups,
        agents, ticket fields and CRM of reference_pages()."""
        mapping = survey_csv.load_mapping(PROJECT_ROOT / "config/survey_mappings/wjx.yaml")
        for spec in (*ALL_HTTP_STREAMS, survey_csv.stream_spec(mapping)):
            loader.create_empty(con, spec)
        reference = reference or reference_pages()
        for spec, name in REFERENCE_STREAMS:
            self.load(con, spec, name, reference[name], run="reference")

    def load_run(self, con, run: str, first: date, last: date, tickets: Iterable[Ticket], surveys=()) -> None:
        """One run of the local days [first, last]: the versions of the tickets updated in it, the
        audits made in it, and the survey responses (Delighted shape) given."""
        window = self.window(first, last)
        start, end = self.local(first), self.local(last + timedelta(days=1))
        changed = [t for t in tickets if max(a[0] for a in t.audits) >= start]
        events = ticket_events_page(changed) if changed else {"ticket_events": [], "end_of_stream": True}
        events["ticket_events"] = [a for a in events["ticket_events"] if start <= a["timestamp"] < end]
        page = {"tickets": [t.record() for t in changed], "metric_sets": [], "end_of_stream": True}
        self.load(con, ZENDESK_TICKETS, "tickets", page, run, window)
        # Zendesk's metric_sets come in the ticket pages
        self.load(con, ZENDESK_TICKET_METRICS, "tickets", page, run)
        self.load(con, ZENDESK_TICKET_EVENTS, "ticket_events", events, run, window)
        self.load(con, SURVEY_API_RESPONSES, "api_responses", list(surveys), run, window)
