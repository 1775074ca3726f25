"""The sample as a data source: answers "what would the API return" for a window, as of `now`.

The HTTP server (ingestion.sample.server) turns these answers into exact API payloads; tests use
the same functions to know what the source served.
"""

from __future__ import annotations

import bisect
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ingestion.local_days import local_day, local_days_between
from ingestion.sample.organisation import Company, Customer, build_organisation, last_modified
from ingestion.sample.sla import metric_events
from ingestion.sample.surveys import SurveyResponse, csat_survey_responses, ratings_updated, responses_delivered
from ingestion.sample.tickets import (
    Audit,
    SampleConfig,
    TicketLife,
    creation_days,
    metric_set,
    ticket_by_id,
    ticket_lives,
)


def sample_config_from_env() -> SampleConfig:
    return SampleConfig(
        seed=int(os.environ.get("CSKPI_SAMPLE_SEED", "20260101")),
        tickets_per_day=int(os.environ.get("CSKPI_SAMPLE_TICKETS_PER_DAY", "3000")),
        customers=int(os.environ.get("CSKPI_SAMPLE_CUSTOMERS", "50000")),
        timezone=os.environ.get("CSKPI_REPORTING_TIMEZONE", "Asia/Shanghai"),
        quiet_days=quiet_days_from_env(),
        csat_survey_share=float(os.environ.get("CSKPI_SAMPLE_CSAT_SURVEY_SHARE", "0.25")),
        long_running_per_day=_optional_int(os.environ.get("CSKPI_SAMPLE_LONG_RUNNING_PER_DAY")),
    )


def _optional_int(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


def quiet_days_from_env() -> tuple[date, ...]:
    """CSKPI_SAMPLE_QUIET_DAYS: local days with no new tickets, as `2026-03-14,2026-03-15` or a range
    `2026-03-02..2026-03-16`."""
    days: list[date] = []
    for part in filter(None, (p.strip() for p in os.environ.get("CSKPI_SAMPLE_QUIET_DAYS", "").split(","))):
        first, _, last = part.partition("..")
        day, end = date.fromisoformat(first), date.fromisoformat(last or first)
        while day <= end:
            days.append(day)
            day += timedelta(days=1)
    return tuple(days)


def sample_now_from_env() -> int:
    """The sample's clock: CSKPI_SAMPLE_NOW (ISO 8601) pins it, for reproducible runs and tests."""
    pinned = os.environ.get("CSKPI_SAMPLE_NOW")
    if not pinned:
        return int(time.time())
    moment = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _between(rows: list, start: int, end: int, key: Callable) -> list:
    """The rows of a list sorted by `key` whose key is in [start, end)."""
    return rows[bisect.bisect_left(rows, start, key=key) : bisect.bisect_left(rows, end, key=key)]


# A clock still running when its ticket's life ends breaches when its target runs out: at most the
# longest sample target (2 days) after the ticket's last audit, plus a day for a system update.
SLA_EXTRA_DAYS = 3


@dataclass
class SampleSource:
    config: SampleConfig
    now: int

    @classmethod
    def from_env(cls) -> SampleSource:
        if int(os.environ.get("CSKPI_SAMPLE_TICKETS_PER_DAY", "3000")) > 30_000:
            raise ValueError("CSKPI_SAMPLE_TICKETS_PER_DAY is at most 30000")
        return cls(sample_config_from_env(), sample_now_from_env())

    def __post_init__(self) -> None:
        self._ticket_buckets: dict[tuple[date, bool], dict[date, list[tuple[int, int, TicketLife]]]] = {}
        self._audit_buckets: dict[tuple[date, bool], dict[date, list[Audit]]] = {}
        self._crm_versions: dict[str, list] = {}
        self._tickets_by_day: dict[date, list[tuple[int, int, dict]]] = {}
        self._audits_by_day: dict[date, list[Audit]] = {}
        self._metric_event_buckets: dict[tuple[date, bool], dict[date, list[dict]]] = {}
        self._metric_events_by_day: dict[date, list[dict]] = {}

    def _days(self, start: int, end: int):
        first, last = local_days_between(self.config.timezone, start, min(end, self.now + 1))
        day = first
        while day <= last:
            yield day
            day += timedelta(days=1)

    def _buckets(self, created_day: date, long_running_only: bool = False):
        """Tickets and audits created on one day, bucketed by the local day of their last change
        (a ticket's `generated_timestamp`, the key the export is ordered by; an audit's time)."""
        key = (created_day, long_running_only)
        if key not in self._ticket_buckets:
            tz = self.config.timezone
            tickets: dict[date, list] = {}
            audits: dict[date, list] = {}
            for life in ticket_lives(self.config, created_day, long_running_only=long_running_only):
                visible = [a for a in life.audits if a.at <= self.now]
                if not visible:
                    continue
                last = life.generated_at(self.now)
                tickets.setdefault(local_day(tz, last), []).append((last, life.id, life))
                for a in visible:
                    audits.setdefault(local_day(tz, a.at), []).append(a)
            self._ticket_buckets[key] = tickets
            self._audit_buckets[key] = audits
        return self._ticket_buckets[key], self._audit_buckets[key]

    # A paging client asks for the same day once per page: each local day's answer is drawn once,
    # sorted, and then sliced, so a day of 30k tickets is not re-sorted for each of its pages.
    def _updated_on(self, day: date, kind: int, key: Callable) -> list:
        """Bucket `kind` (0 tickets, 1 audits) of every creation day that can reach `day`, sorted."""
        # a system update can carry a ticket's last change a day past its lifetime, hence + 1
        rows = [
            row
            for created_day, long_running_only in creation_days(day, day, extra_days=1)
            for row in self._buckets(created_day, long_running_only)[kind].get(day, ())
        ]
        rows.sort(key=key)
        return rows

    def _tickets_on(self, day: date) -> list[tuple[int, int, dict]]:
        if day not in self._tickets_by_day:
            rows = self._updated_on(day, 0, key=lambda r: (r[0], r[1]))
            self._tickets_by_day[day] = [(last, ticket_id, life.state_at(self.now)) for last, ticket_id, life in rows]
        return self._tickets_by_day[day]

    def _audits_on(self, day: date) -> list[Audit]:
        if day not in self._audits_by_day:
            self._audits_by_day[day] = self._updated_on(day, 1, key=lambda a: (a.at, a.id))
        return self._audits_by_day[day]

    def tickets_updated(self, start: int, end: int) -> list[tuple[int, int, dict]]:
        """(generated_timestamp, ticket_id, record) of tickets whose current version was generated in the window."""
        out: list[tuple[int, int, dict]] = []
        for day in self._days(start, end):
            out.extend(_between(self._tickets_on(day), start, end, key=lambda r: r[0]))
        return out

    def metric_set(self, ticket_id: int) -> dict | None:
        """Zendesk's metric set of a ticket as of now (a sample ticket id encodes its creation day)."""
        return metric_set(ticket_by_id(self.config, ticket_id), self.now)

    def audits_between(self, start: int, end: int) -> list[Audit]:
        out: list[Audit] = []
        for day in self._days(start, end):
            out.extend(_between(self._audits_on(day), start, end, key=lambda a: a.at))
        return out

    def _metric_event_bucket(self, created_day: date, long_running_only: bool) -> dict[date, list[dict]]:
        """The metric events of the tickets created on one day, by the local day of their time."""
        key = (created_day, long_running_only)
        if key not in self._metric_event_buckets:
            tz = self.config.timezone
            buckets: dict[date, list[dict]] = {}
            for life in ticket_lives(self.config, created_day, long_running_only=long_running_only):
                for ev in metric_events(life):
                    at = int(datetime.fromisoformat(ev["time"].replace("Z", "+00:00")).timestamp())
                    if at <= self.now:
                        buckets.setdefault(local_day(tz, at), []).append({**ev, "_at": at})
            self._metric_event_buckets[key] = buckets
        return self._metric_event_buckets[key]

    def metric_events_between(self, start: int, end: int) -> list[dict]:
        """Ticket metric events whose time is in [start, end), in time order (then id)."""
        out: list[dict] = []
        for day in self._days(start, end):
            if day not in self._metric_events_by_day:
                rows = [
                    ev
                    for created_day, long_running_only in creation_days(day, day, extra_days=SLA_EXTRA_DAYS)
                    for ev in self._metric_event_bucket(created_day, long_running_only).get(day, ())
                ]
                rows.sort(key=lambda ev: (ev["_at"], ev["id"]))
                self._metric_events_by_day[day] = rows
            out.extend(_between(self._metric_events_by_day[day], start, end, key=lambda ev: ev["_at"]))
        return [{k: v for k, v in ev.items() if k != "_at"} for ev in out]

    def satisfaction_ratings(self, start: int, end: int) -> list[dict]:
        """Zendesk satisfaction ratings whose current version was updated in [start, end)."""
        return ratings_updated(self.config, start, min(end, self.now + 1), self.now)

    def csat_survey_responses(self, start: int, end: int, by: str = "updated_at") -> list[dict]:
        """Zendesk CSAT survey responses (newer CSAT) whose current version's `by` time is in [start, end)."""
        return csat_survey_responses(self.config, start, min(end, self.now + 1), self.now, by)

    def survey_responses(self, start: int, end: int, route: str) -> list[SurveyResponse]:
        return responses_delivered(self.config, start, end, self.now, route)

    @property
    def organisation(self):
        return build_organisation(self.config.seed, self.config.customers)

    def contacts_modified_since(self, since_ms: int) -> list[tuple[int, Customer]]:
        """(lastmodified_epoch, customer) with lastmodified >= since, as of now, oldest first."""
        return self._modified_since("contacts", since_ms)

    def companies_modified_since(self, since_ms: int) -> list[tuple[int, Company]]:
        return self._modified_since("companies", since_ms)

    def _modified_since(self, kind: str, since_ms: int) -> list:
        if kind not in self._crm_versions:
            objects = self.organisation.customers if kind == "contacts" else self.organisation.companies
            rows = []
            for obj in objects:
                modified = last_modified(obj.created_epoch, obj.modify_period_days, self.now)
                if modified is not None:
                    rows.append((modified, obj))
            rows.sort(key=lambda r: (r[0], getattr(r[1], "contact_id", None) or r[1].company_id))
            self._crm_versions[kind] = rows
        rows = self._crm_versions[kind]
        return rows[bisect.bisect_left(rows, since_ms, key=lambda r: r[0] * 1000) :]
