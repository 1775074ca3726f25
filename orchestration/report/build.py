"""Write the service-level report of one period as a single self-contained HTML file."""

from __future__ import annotations

import os
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import jinja2

from orchestration.report import charts
from orchestration.report.data import (
    COMPARED_DIMENSIONS,
    COMPARED_KPIS,
    TREND_KPIS,
    KpiRow,
    ReportData,
    Slice,
    default_period,
    load,
)
from orchestration.report.format import kpi_difference, kpi_value
from orchestration.report.period import Period
from orchestration.report.plan import Action, load_plan

TEMPLATE = "service_level_report.html.j2"
DIMENSION_LABELS = {"team": "team", "channel": "channel", "category": "ticket category"}


@dataclass(frozen=True)
class WrittenReport:
    path: Path
    period: Period
    kpis_met: int
    kpis_missed: int
    missed_without_action: list[str]
    sources_line: str  # which sources fed the marts, and how (sample, account, off)


def report_path(out_dir: Path, period: Period) -> Path:
    return out_dir / f"service-level-report-{period.key}.html"


def _gap(k: KpiRow) -> float:
    """How far a missed KPI is from its target, relative to the target (0 when met or untracked)."""
    if k.met is not False or k.target in (None, 0) or k.actual is None:
        return 0.0
    return abs(k.actual - k.target) / abs(k.target)


def _trend_word(k: KpiRow) -> str:
    if k.change is None or k.change == 0 or k.better not in ("higher", "lower"):
        return "unchanged from" if k.change == 0 else ""
    improved = (k.change > 0) == (k.better == "higher")
    return "better than" if improved else "worse than"


def _shortfall_shares(slices: list[Slice]) -> list[tuple[Slice, float | None]]:
    total = sum(s.shortfall_contribution or 0.0 for s in slices)
    return [(s, (s.shortfall_contribution / total) if total and s.shortfall_contribution is not None else None)
            for s in slices]  # fmt: skip


def _top_causes(slices: list[Slice], count: int = 2) -> str:
    named = [(s.value, share) for s, share in _shortfall_shares(slices) if share is not None and share > 0][:count]
    return ", ".join(f"{value} ({share:.0%} of the shortfall)" for value, share in named)


def _gap_sentence(k: KpiRow, data: ReportData) -> str:
    side = "below" if k.better == "higher" else "above"
    sentence = (
        f"{k.kpi_name} was {kpi_value(k.kpi_code, k.actual)}, "
        f"{kpi_difference(k.kpi_code, abs(k.actual - k.target)).lstrip('+-±')} {side} its target of "
        f"{kpi_value(k.kpi_code, k.target)}"
    )
    if word := _trend_word(k):
        sentence += f", {word} the previous {data.period.period_type} ({kpi_value(k.kpi_code, k.previous)})"
    if causes := _top_causes(data.root_causes.get(k.kpi_code, [])):
        sentence += f". Largest contributors: {causes}"
    return sentence + "."


def _plan_rows(data: ReportData, actions: list[Action]) -> list[dict]:
    rows = []
    for k in sorted(data.missed, key=_gap, reverse=True):
        computed = _top_causes(data.root_causes.get(k.kpi_code, []))
        planned = [a for a in actions if a.kpi == k.kpi_code]
        for a in planned or [None]:
            rows.append({
                "kpi": k.kpi_name,
                "gap": f"{kpi_value(k.kpi_code, k.actual)} vs target {kpi_value(k.kpi_code, k.target)}",
                "root_cause": a.root_cause if a else "",
                "computed_cause": computed,
                "action": a.action if a else "no action planned",
                "owner": a.owner if a else "",
                "due": a.due.isoformat() if a else "",
                "overdue": bool(a and a.due < data.period.end),
                "resources": a.resources if a else "",
                "verification": a.verification if a else "",
                "planned": a is not None,
            })  # fmt: skip
    return rows


def _chart(chart_id: str, title: str, svg: str, table_head: tuple[str, str], table: list[tuple[str, str]]) -> dict:
    return {"id": chart_id, "title": title, "svg": svg, "points": len(table), "head": table_head, "rows": table}


def _charts(data: ReportData) -> dict[str, list[dict]]:
    by_code = {k.kpi_code: k for k in data.scorecard}
    trends = []
    for code in TREND_KPIS:
        k = by_code.get(code)
        points = [(week, value) for week, value, _ in data.trends[code] if value is not None]
        # a week that starts before the history start holds part of a week: drawn apart, labelled
        incomplete = {week for week, value, complete in data.trends[code] if value is not None and not complete}
        if k is None or not points:
            continue
        fmt = lambda v, c=code: kpi_value(c, v)  # noqa: E731
        trends.append(_chart(
            f"trend-{code}", f"{k.kpi_name} by week",
            charts.line_chart(f"{k.kpi_name} by week", points, k.target, fmt, incomplete),
            ("week from", k.kpi_name),
            [(w.isoformat() + (" (incomplete)" if w in incomplete else ""), fmt(v)) for w, v in points],
        ))  # fmt: skip
    comparisons = []
    for code in COMPARED_KPIS:
        k = by_code.get(code)
        for dim in COMPARED_DIMENSIONS:
            bars = [(s.value, s.actual) for s in data.comparisons[(code, dim)] if s.actual is not None]
            if k is None or not bars:
                continue
            fmt = lambda v, c=code: kpi_value(c, v)  # noqa: E731
            title = f"{k.kpi_name} by {DIMENSION_LABELS[dim]}"
            comparisons.append(_chart(
                f"compare-{code}-by-{dim}", title, charts.bar_chart(title, bars, k.target, k.better, fmt),
                (DIMENSION_LABELS[dim], k.kpi_name), [(label, fmt(v)) for label, v in bars],
            ))  # fmt: skip
    complaints = []
    flagged = {a.day for a in data.anomalies if a.measure == "complaint_tickets"}
    rate_days = [(d, v) for d, v, _, _ in data.complaint_days if v is not None]
    if rate_days:
        target = by_code["complaint_rate"].target if "complaint_rate" in by_code else None
        fmt = lambda v: kpi_value("complaint_rate", v)  # noqa: E731
        complaints.append(_chart(
            "complaint-rate-by-day", "Complaint rate by day", charts.complaint_chart(rate_days, flagged, target, fmt),
            ("day", "complaint rate"), [(d.isoformat() + (" (flagged)" if d in flagged else ""), fmt(v))
                                        for d, v in rate_days],
        ))  # fmt: skip
    total = sum(s.numerator for s in data.complaint_reasons)
    reasons = [(s.value, s.numerator / total) for s in data.complaint_reasons if total and s.numerator]
    if reasons:
        complaints.append(_chart(
            "complaint-reasons", "Complaint reasons (ticket category), share of complaints",
            charts.share_chart("Complaint reasons (ticket category), share of complaints", reasons),
            ("reason", "share of complaints"), [(r, f"{share:.1%}") for r, share in reasons],
        ))  # fmt: skip
    return {"trends": trends, "comparisons": comparisons, "complaints": complaints}


def _root_cause_tables(data: ReportData) -> list[dict]:
    tables = []
    for k in sorted(data.missed, key=_gap, reverse=True):
        rows = [
            {
                "value": s.value,
                "share": "-" if s.denominator_share is None else f"{s.denominator_share:.1%}",
                "actual": kpi_value(k.kpi_code, s.actual),
                "contribution": kpi_difference(k.kpi_code, s.shortfall_contribution),
                "shortfall_share": "-" if share is None else f"{share:.0%}",
                "pulls_away": (s.shortfall_contribution or 0) > 0,
            }
            for s, share in _shortfall_shares(data.root_causes.get(k.kpi_code, []))
            if s.denominator  # a category with nothing to measure has nothing to explain
        ]
        shortfall = abs(k.actual - k.target)
        tables.append({"kpi": k, "shortfall": kpi_difference(k.kpi_code, shortfall).lstrip("+-±"), "rows": rows})
    return tables


def render(data: ReportData, actions: list[Action], generated_at: datetime) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True, undefined=jinja2.StrictUndefined
    )
    environment.filters["kpi"] = lambda v, code: kpi_value(code, v)
    environment.filters["diff"] = lambda v, code: kpi_difference(code, v)
    missed = sorted(data.missed, key=_gap, reverse=True)
    tracked = [k for k in data.scorecard if k.met is None]
    return environment.get_template(TEMPLATE).render(
        data=data,
        period=data.period,
        previous=data.period.previous(),
        generated_at=generated_at,
        met=data.met,
        missed=missed,
        tracked=tracked,
        gaps=[_gap_sentence(k, data) for k in missed[:3]],
        charts=_charts(data),
        anomalies=data.anomalies,
        root_causes=_root_cause_tables(data),
        plan=_plan_rows(data, actions),
        actions_on_met=[a for a in actions if a.kpi in {k.kpi_code for k in data.met}],
        kpi_names={k.kpi_code: k.kpi_name for k in data.scorecard},
    )


def write_report(snapshot: Path, out_dir: Path, plan_path: Path, period: Period | None = None) -> WrittenReport:
    """Read the published snapshot, render the report of `period` (default: data.default_period) and
    write it atomically; a half-written file never replaces a good one."""
    if not snapshot.exists():
        raise FileNotFoundError(f"no published marts at {snapshot}: run the pipeline (make run or make demo) first")
    with closing(duckdb.connect(str(snapshot), read_only=True)) as con:
        period = period or default_period(con)
        data = load(con, period)
    actions = load_plan(plan_path, {k.kpi_code for k in data.scorecard})
    html = render(data, actions, datetime.now().astimezone())
    out_dir.mkdir(parents=True, exist_ok=True)
    path = report_path(out_dir, period)
    # a file of its own per writer: two runs may write the same period's report at once
    fd, partial = tempfile.mkstemp(dir=out_dir, prefix=f".{path.name}.", suffix=".partial")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(html)
    os.chmod(partial, 0o644)
    os.replace(partial, path)
    planned = {a.kpi for a in actions}
    return WrittenReport(
        path=path,
        period=period,
        kpis_met=len(data.met),
        kpis_missed=len(data.missed),
        missed_without_action=[k.kpi_code for k in data.missed if k.kpi_code not in planned],
        sources_line=data.sources_line,
    )
