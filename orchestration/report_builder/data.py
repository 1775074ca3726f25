"""What the service-level report shows, read from the published marts and nothing else.

Every number is a mart value: the scorecard's actuals, targets and previous periods, the
breakdown's slices and shortfall contributions, and the anomaly check's own function over
fct_kpi_daily. Python only selects, orders and words them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from expectations.anomaly import TRAILING_DAYS, Anomaly, daily_volumes, find_anomalies
from orchestration.report_builder.period import Period, last_full_month, period_containing

# Trend charts: these KPIs, by ISO week, over the 26 weeks that end with the report period. First
# response is shown as FRT attainment, the headline: each ticket against its own channel's and
# level's target. The FRT mean mixes phone seconds with email hours, so a team or a week with
# more email looks slower however well it answers; it stays in the scorecard table.
TREND_KPIS = ("csat_rate", "nps", "fcr_rate", "frt_attainment")
TREND_WEEKS = 26
# The summary's backlog trend: the backlog at the end of each of the last weeks that end by the
# report period's end (rpt_kpi_scorecard's week rows of backlog and backlog_beyond_sla).
BACKLOG_TREND_WEEKS = 8
# Comparison charts: these KPIs by team and by channel over the report period.
COMPARED_KPIS = ("fcr_rate", "frt_attainment", "csat_rate")
COMPARED_DIMENSIONS = ("team", "channel")
# How the report names rpt_sources' sources, in its order (ingestion.settings.SOURCE_NAMES).
SOURCE_LABELS = {
    "zendesk": "Zendesk",
    "hubspot": "HubSpot",
    "survey_api": "survey API",
    "survey_csv": "survey tool exports",
}


@dataclass(frozen=True)
class KpiRow:
    """One scorecard row of the report period (rpt_kpi_scorecard)."""

    kpi_code: str
    kpi_name: str
    formula: str
    data_source: str
    better: str
    target: float | None
    actual: float | None
    met: bool | None
    previous: float | None
    change: float | None
    benchmark: float | None
    numerator: int
    denominator: int
    immature: int | None  # tickets whose clock for this KPI has not run out (none for KPIs without one)
    complete: bool  # the period starts on or after the history start (rpt_kpi_scorecard.is_complete)


@dataclass(frozen=True)
class Slice:
    """One team, channel or category of a KPI over the report period (rpt_kpi_breakdown)."""

    value: str
    numerator: int
    denominator: int
    actual: float | None
    denominator_share: float | None
    shortfall_contribution: float | None


@dataclass(frozen=True)
class QualityLine:
    """Tickets of the period set aside from some KPIs, for the data-quality note (fct_kpi_daily)."""

    label: str
    tickets: int
    of: int  # the tickets the KPI measured (or all tickets, for exclusions)
    of_label: str

    @property
    def share(self) -> float | None:
        return self.tickets / self.of if self.of else None


# (label, count part, base parts, what the base counts); the base of a quarantine is the KPI's
# counted tickets plus the quarantined ones
QUALITY_LINES = (
    ("Excluded from every KPI (spam, deleted, test, merged)", "excluded_tickets",
     ("tickets_created", "excluded_tickets"), "tickets"),
    ("Left out of AHT: solved before their first assignment (negative handle time)", "quarantined_handle_tickets",
     ("handled_tickets", "quarantined_handle_tickets"), "tickets with a handle time"),
    ("Left out of FRT and FRT attainment: first reply before creation", "quarantined_first_response_tickets",
     ("tickets_with_first_reply", "quarantined_first_response_tickets"), "tickets with a first reply"),
    # maturity: a KPI's clock still running at the data's newest event; counted once it runs out
    ("Not yet in FCR: still inside the reopen window", "fcr_immature_tickets",
     ("fcr_tickets", "fcr_immature_tickets"), "tickets"),
    ("Not yet in complaint escalation compliance: complaints under 24 h old", "complaints_immature_at_24h",
     ("complaint_tickets",), "complaints"),
    ("Not yet in complaint feedback within 48 h: complaints under 48 h old", "complaints_immature_at_48h",
     ("complaint_tickets",), "complaints"),
    ("Not yet in the escalation SLA: L2/L3 tickets younger than their escalation time",
     "escalation_immature_tickets", ("tickets_created",), "tickets"),
    ("Not yet in the resolution SLA: tickets younger than their resolution time", "resolution_immature_tickets",
     ("tickets_due_resolution", "resolution_immature_tickets"), "tickets with a resolution time"),
)  # fmt: skip


@dataclass(frozen=True)
class SlaRow:
    """One SLA metric over the report period (fct_sla_daily's parts, summed)."""

    metric: str
    met: int
    breached: int
    open: int
    at_risk: int

    @property
    def attainment(self) -> float | None:
        measured = self.met + self.breached
        return self.met / measured if measured else None


# The SLA table's order: Zendesk's metrics as a ticket meets them
SLA_METRICS = ("first_reply_time", "next_reply_time", "periodic_update_time", "pausable_update_time",
               "requester_wait_time", "agent_work_time", "resolution_time")  # fmt: skip


@dataclass
class ReportData:
    period: Period
    data_through: date  # the last day the published marts hold
    days_with_data: int  # days of the period with at least one ticket or response
    scorecard: list[KpiRow]
    trends: dict[str, list[tuple[date, float | None, bool, int]]]  # kpi -> (week start, actual, complete, n)
    comparisons: dict[tuple[str, str], list[Slice]]  # (kpi, dimension) -> slices
    complaint_days: list[tuple[date, float | None, int, int, bool]]  # day, rate, complaints, tickets, complete
    anomalies: list[Anomaly]  # the volume anomaly check's findings for the period's days
    complaint_reasons: list[Slice]  # complaint_rate by category: numerator = complaints
    root_causes: dict[str, list[Slice]] = field(default_factory=dict)  # missed kpi -> slices by category
    quality: list[QualityLine] = field(default_factory=list)  # the data-quality note
    sources: list[tuple[str, str]] = field(default_factory=list)  # (label, mode) of each source that fed the marts
    previous_complete: bool | None = None  # the previous period's completeness; None: not in the marts
    # (week start, open tickets at the week's end, of them beyond their resolution time); None: not covered
    backlog_trend: list[tuple[date, int | None, int | None]] = field(default_factory=list)
    sla: list[SlaRow] = field(default_factory=list)  # SLA attainment by metric (none: no SLA targets)
    sla_sources: list[str] = field(default_factory=list)  # where the targets came from (fct_sla_daily.sla_source)

    @property
    def complete(self) -> bool:
        """The period starts on or after the history start: history covers all of it."""
        return all(k.complete for k in self.scorecard)

    @property
    def sources_line(self) -> str:
        """E.g. "Sources: Zendesk (account), HubSpot (off), survey API (off), survey tool exports (account)"."""
        return "Sources: " + ", ".join(f"{label} ({mode})" for label, mode in self.sources)

    @property
    def sources_off(self) -> list[str]:
        return [label for label, mode in self.sources if mode == "off"]

    @property
    def missed(self) -> list[KpiRow]:
        return [k for k in self.scorecard if k.met is False]

    @property
    def met(self) -> list[KpiRow]:
        return [k for k in self.scorecard if k.met is True]


@dataclass(frozen=True)
class AgentRow:
    """One agent of the manager edition's league table: fct_agent_daily's parts summed over the period
    (kpi-definitions.md, "Agent attribution"), the name from the staff snapshot."""

    agent_id: int
    name: str
    team: str | None  # the agent's default group
    solved: int  # solved tickets attributed to the agent: the table's rank and its n
    frt_seconds: float | None
    aht_seconds: float | None
    fcr_rate: float | None
    csat_rate: float | None
    csat_responses: int


EDITIONS = ("default", "manager")
# The league table's rates, as the scorecard computes them: sum(numerator) / sum(denominator) of the
# agent's fct_agent_daily rows (kpi.sql's kpi_formulas)
LEAGUE_RATES = {
    "frt_seconds": ("first_response_seconds_sum", "tickets_with_first_reply"),
    "aht_seconds": ("handle_seconds_sum", "handled_tickets"),
    "fcr_rate": ("one_touch_resolved_tickets", "fcr_tickets"),
    "csat_rate": ("csat_positive_responses", "csat_responses"),
}


def agent_league(con: duckdb.DuckDBPyConnection, period: Period, staff: str) -> list[AgentRow]:
    """Agents ranked by solved tickets over `period` (then by id), with their FRT, AHT, FCR and CSAT.
    `staff` is the attached staff snapshot's catalog; an agent it does not name is "agent <id>". Rows
    with no agent (unassigned tickets) are no one's and are left out."""
    rates = ", ".join(f"sum({n}) * 1.0 / nullif(sum({d}), 0) as {code}" for code, (n, d) in LEAGUE_RATES.items())
    rows = con.execute(
        f"select a.agent_id, coalesce(s.agent_name, 'agent ' || cast(a.agent_id as varchar)), s.default_group_name, "
        "a.solved, a.frt_seconds, a.aht_seconds, a.fcr_rate, a.csat_rate, a.csat_responses "
        f"from (select agent_id, sum(solved_tickets) as solved, {rates}, "
        "sum(csat_responses) as csat_responses from marts.fct_agent_daily "
        "where kpi_date >= ? and kpi_date < ? and agent_id is not null group by agent_id) as a "
        f"left join {staff}.staff.dim_agent as s on s.agent_id = a.agent_id "
        "order by a.solved desc, a.agent_id",
        [period.start, period.end],
    ).fetchall()
    return [AgentRow(*r) for r in rows]


class NoPublishedData(RuntimeError):
    """The published marts hold nothing for the asked period."""


def data_through(con: duckdb.DuckDBPyConnection) -> date | None:
    return con.execute("select max(kpi_date) from marts.fct_kpi_daily").fetchone()[0]


def default_period(con: duckdb.DuckDBPyConnection) -> Period:
    """The last full month of published data; the month so far while no full month is published
    (a new warehouse, a short backfill), so that a daily run always gets a report."""
    through = data_through(con)
    if through is None:
        raise NoPublishedData("the published marts are empty: nothing to report")
    full = last_full_month(through)
    has_rows = con.execute(
        "select count(*) from marts.rpt_kpi_scorecard where period_type = 'month' and period_start = ?", [full.start]
    ).fetchone()[0]
    return full if has_rows else period_containing("month", through)


def _scorecard(con: duckdb.DuckDBPyConnection, period: Period) -> list[KpiRow]:
    rows = con.execute(
        "select kpi_code, kpi_name, formula, data_source, better, target_value, actual_value, is_target_met, "
        "previous_value, change_value, benchmark_value, numerator, denominator, immature_tickets, is_complete "
        "from marts.rpt_kpi_scorecard where period_type = ? and period_start = ? order by data_source, kpi_code",
        [period.period_type, period.start],
    ).fetchall()
    return [KpiRow(*r) for r in rows]


def _trends(con: duckdb.DuckDBPyConnection, period: Period) -> dict[str, list[tuple[date, float | None, bool, int]]]:
    first_week = period.end - timedelta(days=7 * TREND_WEEKS)
    rows = con.execute(
        "select kpi_code, period_start, actual_value, is_complete, denominator from marts.rpt_kpi_scorecard "
        "where period_type = 'week' and period_start >= ? and period_start < ? and kpi_code in "
        f"({', '.join('?' for _ in TREND_KPIS)}) order by kpi_code, period_start",
        [first_week, period.end, *TREND_KPIS],
    ).fetchall()
    trends: dict[str, list[tuple[date, float | None, bool, int]]] = {k: [] for k in TREND_KPIS}
    for code, week, actual, complete, n in rows:
        trends[code].append((week, actual, complete, n))
    return trends


def _backlog_trend(con: duckdb.DuckDBPyConnection, period: Period) -> list[tuple[date, int | None, int | None]]:
    """The backlog at the end of each of the BACKLOG_TREND_WEEKS ISO weeks that end by the period's end."""
    rows = con.execute(
        "select period_start, "
        "max(case when kpi_code = 'backlog' then actual_value end), "
        "max(case when kpi_code = 'backlog_beyond_sla' and actual_value is not null then numerator end) "
        "from marts.rpt_kpi_scorecard where period_type = 'week' and kpi_code in ('backlog', 'backlog_beyond_sla') "
        "and period_start <= ? group by period_start order by period_start desc limit ?",
        [period.end - timedelta(days=7), BACKLOG_TREND_WEEKS],
    ).fetchall()
    return [(week, None if backlog is None else int(backlog), beyond) for week, backlog, beyond in reversed(rows)]


def _sla(con: duckdb.DuckDBPyConnection, period: Period) -> tuple[list[SlaRow], list[str]]:
    """The period's SLA targets by metric, and the sources of their targets."""
    rows = con.execute(
        "select sla_metric, sum(sla_met), sum(sla_breached), sum(sla_open), sum(sla_at_risk) "
        "from marts.fct_sla_daily where sla_date >= ? and sla_date < ? group by sla_metric",
        [period.start, period.end],
    ).fetchall()
    order = {m: n for n, m in enumerate(SLA_METRICS)}
    sla = sorted((SlaRow(*r) for r in rows), key=lambda r: (order.get(r.metric, len(order)), r.metric))
    sources = con.execute(
        "select distinct sla_source from marts.fct_sla_daily where sla_date >= ? and sla_date < ? order by 1",
        [period.start, period.end],
    ).fetchall()
    return sla, [s[0] for s in sources]


def _is_complete(con: duckdb.DuckDBPyConnection, period: Period) -> bool | None:
    row = con.execute(
        "select bool_and(is_complete) from marts.rpt_kpi_scorecard where period_type = ? and period_start = ?",
        [period.period_type, period.start],
    ).fetchone()
    return row[0] if row else None


def _slices(con: duckdb.DuckDBPyConnection, period: Period, kpi: str, dimension: str, order: str) -> list[Slice]:
    rows = con.execute(
        "select dimension_value, numerator, denominator, actual_value, denominator_share, shortfall_contribution "
        "from marts.rpt_kpi_breakdown where period_type = ? and period_start = ? and kpi_code = ? and dimension = ? "
        f"order by {order}, dimension_value",
        [period.period_type, period.start, kpi, dimension],
    ).fetchall()
    return [Slice(*r) for r in rows]


def _complaint_days(con: duckdb.DuckDBPyConnection, period: Period) -> list[tuple[date, float | None, int, int, bool]]:
    return con.execute(
        "select period_start, actual_value, numerator, denominator, is_complete from marts.rpt_kpi_scorecard "
        "where period_type = 'day' and kpi_code = 'complaint_rate' and period_start >= ? and period_start < ? "
        "order by period_start",
        [period.start, period.end],
    ).fetchall()


def _quality(con: duckdb.DuckDBPyConnection, period: Period) -> list[QualityLine]:
    parts = sorted({p for _, count, base, _ in QUALITY_LINES for p in (count, *base)})
    row = con.execute(
        f"select {', '.join(f'coalesce(sum({p}), 0)' for p in parts)} from marts.fct_kpi_daily "
        "where kpi_date >= ? and kpi_date < ?",
        [period.start, period.end],
    ).fetchone()
    sums = dict(zip(parts, row, strict=True))
    return [QualityLine(label, sums[count], sum(sums[b] for b in base), of_label)
            for label, count, base, of_label in QUALITY_LINES]  # fmt: skip


def sources(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(label, mode) of every source rpt_sources lists: sample, account or off."""
    modes = dict(con.execute("select source, mode from marts.rpt_sources").fetchall())
    return [(label, modes[name]) for name, label in SOURCE_LABELS.items() if name in modes]


def load(con: duckdb.DuckDBPyConnection, period: Period) -> ReportData:
    """Everything the report shows for `period`, from a connection to the published marts."""
    through = data_through(con)
    scorecard = _scorecard(con, period)
    if through is None or not scorecard:
        raise NoPublishedData(
            f"the published marts hold no data for {period.label}"
            + (f" (they cover up to {through})" if through else " (they are empty)")
        )
    complaint_days = _complaint_days(con, period)
    volumes = daily_volumes(con, period.start - timedelta(days=TRAILING_DAYS), period.end - timedelta(days=1))
    report = ReportData(
        period=period,
        data_through=through,
        days_with_data=sum(1 for d in period.days if d in volumes),
        scorecard=scorecard,
        trends=_trends(con, period),
        comparisons={
            (kpi, dim): _slices(con, period, kpi, dim, "denominator desc")
            for kpi in COMPARED_KPIS
            for dim in COMPARED_DIMENSIONS
        },
        complaint_days=complaint_days,
        anomalies=find_anomalies(volumes, period.days, ("tickets_created", "complaint_tickets")),
        complaint_reasons=_slices(con, period, "complaint_rate", "category", "numerator desc"),
        quality=_quality(con, period),
        sources=sources(con),
        previous_complete=_is_complete(con, period.previous()),
        backlog_trend=_backlog_trend(con, period),
    )
    report.sla, report.sla_sources = _sla(con, period)
    for kpi in report.missed:
        report.root_causes[kpi.kpi_code] = _slices(
            con, period, kpi.kpi_code, "category", "shortfall_contribution desc nulls last"
        )
    return report
