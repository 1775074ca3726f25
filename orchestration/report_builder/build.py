"""Write the service-level report of one period as a single self-contained HTML file."""

from __future__ import annotations

import os
import tempfile
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import jinja2

from orchestration.report_builder import charts
from orchestration.report_builder.config import ReportOptions, load_options
from orchestration.report_builder.data import (
    COMPARED_DIMENSIONS,
    COMPARED_KPIS,
    EDITIONS,
    TREND_KPIS,
    AgentRow,
    KpiRow,
    QualityLine,
    ReportData,
    Slice,
    agent_league,
    default_period,
    load,
)
from orchestration.report_builder.format import kpi_difference, kpi_label, kpi_value, unit
from orchestration.report_builder.i18n import (
    DEFAULT_LANGUAGE,
    FORMULAS_ZH,
    KPI_NAMES_ZH,
    QUALITY_ZH,
    SOURCES_ZH,
    TEXTS,
    check_language,
    day_label,
    period_label,
)
from orchestration.report_builder.labels import Labels
from orchestration.report_builder.period import Period
from orchestration.report_builder.plan import Action, load_plan

TEMPLATE = "service_level_report.html.j2"
# On paper, the root-cause tables of the KPIs furthest from target only (the summary's largest gaps),
# so that a month prints on six A4 pages; the HTML has every table.
PRINT_ROOT_CAUSES = 3


@dataclass(frozen=True)
class WrittenReport:
    path: Path
    period: Period
    kpis_met: int
    kpis_missed: int
    missed_without_action: list[str]
    sources_line: str  # which sources fed the marts, and how (sample, account, off)


def report_path(out_dir: Path, period: Period, language: str = DEFAULT_LANGUAGE, edition: str = "default") -> Path:
    # the manager edition names agents: a file of its own, never the one everyone is sent
    suffix = ("" if edition == "default" else f".{edition}") + ("" if language == DEFAULT_LANGUAGE else f".{language}")
    return out_dir / f"service-level-report-{period.key}{suffix}.html"


def _gap(k: KpiRow) -> float:
    """How far a missed KPI is from its target, relative to the target (0 when met or untracked)."""
    if k.met is not False or k.target in (None, 0) or k.actual is None:
        return 0.0
    return abs(k.actual - k.target) / abs(k.target)


def _trend_word(k: KpiRow, t: dict) -> str:
    words = t["trend_words"]
    if k.change is None or k.change == 0 or k.better not in ("higher", "lower"):
        return words["same"] if k.change == 0 else ""
    improved = (k.change > 0) == (k.better == "higher")
    return words["better"] if improved else words["worse"]


def _shortfall_shares(slices: list[Slice]) -> list[tuple[Slice, float | None]]:
    total = sum(s.shortfall_contribution or 0.0 for s in slices)
    return [(s, (s.shortfall_contribution / total) if total and s.shortfall_contribution is not None else None)
            for s in slices]  # fmt: skip


@dataclass(frozen=True)
class _Context:
    """What every part of one rendering shares: its words, readable labels and the minimum sample size."""

    language: str
    labels: Labels
    min_n: int

    @property
    def t(self) -> dict:
        return TEXTS[self.language]

    def category(self, value: str) -> str:
        return self.labels("category", value)

    def day(self, day: date) -> str:
        return day_label(day, self.language)

    def diff(self, kpi_code: str, delta: float | None) -> str:
        """A signed difference; rates in percentage points ("pts", "个百分点")."""
        text = kpi_difference(kpi_code, delta)
        return text.replace(" pts", " 个百分点") if self.language == "zh-CN" else text


def _top_causes(slices: list[Slice], ctx: _Context, count: int = 2) -> str:
    """The categories that pull the KPI furthest from its target, leaving out those measured on fewer
    than min_n tickets or answers: a few answers can swing a share of the shortfall either way."""
    named = [(s.value, share) for s, share in _shortfall_shares(slices)
             if share is not None and share > 0 and s.denominator >= ctx.min_n][:count]  # fmt: skip
    separator = "、" if ctx.language == "zh-CN" else ", "
    return separator.join(ctx.t["cause"].format(value=ctx.category(v), share=f"{share:.0%}") for v, share in named)


def _gap_sentence(k: KpiRow, data: ReportData, ctx: _Context) -> str:
    t = ctx.t
    sentence = t["gap_sentence"].format(
        kpi=k.kpi_name, actual=kpi_value(k.kpi_code, k.actual), side=t["side"].get(k.better, ""),
        difference=ctx.diff(k.kpi_code, abs(k.actual - k.target)).lstrip("+-±"),
        target=kpi_value(k.kpi_code, k.target),
    )  # fmt: skip
    if word := _trend_word(k, t):
        sentence += t["trend_sentence"].format(word=word, period_type=t["period_type"][data.period.period_type],
                                               previous=kpi_value(k.kpi_code, k.previous))  # fmt: skip
    stop = "。" if ctx.language == "zh-CN" else ". "
    if causes := _top_causes(data.root_causes.get(k.kpi_code, []), ctx):
        sentence += stop + t["largest_contributors"].format(causes=causes)
    return sentence + stop.strip()


def _plan_rows(data: ReportData, actions: list[Action], ctx: _Context) -> list[dict]:
    rows = []
    for k in sorted(data.missed, key=_gap, reverse=True):
        computed = _top_causes(data.root_causes.get(k.kpi_code, []), ctx)
        planned = [a for a in actions if a.kpi == k.kpi_code]
        for a in planned or [None]:
            rows.append({
                "kpi": k.kpi_name,
                "gap": ctx.t["gap"].format(actual=kpi_value(k.kpi_code, k.actual),
                                           target=kpi_value(k.kpi_code, k.target)),
                "root_cause": a.root_cause if a else "",
                "computed_cause": computed,
                "action": a.action if a else ctx.t["no_action"],
                "owner": a.owner if a else "",
                "due": a.due.isoformat() if a else "",
                "overdue": bool(a and a.due < data.period.end),
                "resources": a.resources if a else "",
                "verification": a.verification if a else "",
                "planned": a is not None,
            })  # fmt: skip
    return rows


def _chart(chart_id: str, title: str, svg: str, head: tuple[str, str], rows: list[tuple[str, str, str]]) -> dict:
    return {"id": chart_id, "title": title, "svg": svg, "points": len(rows), "head": (*head, "n"), "rows": rows}


def _n(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def _charts(data: ReportData, ctx: _Context) -> dict[str, list[dict]]:
    t, words = ctx.t, ctx.t["charts"]
    by_code = {k.kpi_code: k for k in data.scorecard}
    # a week that ends after the data's last day holds part of a week too: drawn apart, like one
    # that starts before the history start
    last_whole_week_start = data.data_through - timedelta(days=6)
    trends = []
    for code in TREND_KPIS:
        k = by_code.get(code)
        points = [(week, value, n) for week, value, _, n in data.trends[code] if value is not None]
        incomplete = {week for week, value, complete, _ in data.trends[code]
                      if value is not None and (not complete or week > last_whole_week_start)}  # fmt: skip
        if k is None or not points:
            continue
        u = unit(code)
        title = t["by_week"].format(kpi=k.kpi_name)
        drawn = charts.line_chart(title, points, k.target, u, ctx.day, incomplete, words, min_n=ctx.min_n)
        trends.append(_chart(
            f"trend-{code}", title, drawn,
            (t["week_from"], k.kpi_name),
            [(w.isoformat() + (t["incomplete_mark"] if w in incomplete else ""), u.text(v), _n(n))
             for w, v, n in points],
        ))  # fmt: skip
    comparisons = []
    for code in COMPARED_KPIS:
        k = by_code.get(code)
        for dim in COMPARED_DIMENSIONS:
            bars = [(ctx.labels(dim, s.value), s.actual, s.denominator)
                    for s in data.comparisons[(code, dim)] if s.actual is not None]  # fmt: skip
            if k is None or not bars:
                continue
            u = unit(code)
            title = t["by_dimension"].format(kpi=k.kpi_name, dimension=t["dimensions"][dim])
            comparisons.append(_chart(
                f"compare-{code}-by-{dim}", title,
                charts.bar_chart(title, bars, k.target, k.better, u, ctx.min_n, words),
                (t["dimensions"][dim], k.kpi_name),
                [(label + (t["small_n"] if n < ctx.min_n else ""), u.text(v), _n(n)) for label, v, n in bars],
            ))  # fmt: skip
    complaints = []
    flagged = {a.day for a in data.anomalies if a.measure == "complaint_tickets"}
    rate_days = [(d, v, tickets) for d, v, _, tickets, _ in data.complaint_days if v is not None]
    incomplete_days = {d for d, v, _, _, complete in data.complaint_days if v is not None and not complete}
    if rate_days:
        target = by_code["complaint_rate"].target if "complaint_rate" in by_code else None
        u = unit("complaint_rate")
        title = t["complaint_rate_by_day"]
        complaints.append(_chart(
            "complaint-rate-by-day", title,
            charts.complaint_chart(rate_days, flagged, target, u, ctx.day, title, incomplete_days, words),
            (t["day"], t["complaint_rate"]),
            [(d.isoformat() + (t["flagged_mark"] if d in flagged else "")
              + (t["incomplete_mark"] if d in incomplete_days else ""), u.text(v), _n(n)) for d, v, n in rate_days],
        ))  # fmt: skip
    total = sum(s.numerator for s in data.complaint_reasons)
    reasons = [(ctx.category(s.value), s.numerator / total, s.numerator)
               for s in data.complaint_reasons if total and s.numerator]  # fmt: skip
    if reasons:
        title = t["reasons_title"]
        complaints.append(_chart(
            "complaint-reasons", title, charts.share_chart(title, reasons, words),
            (t["reason"], t["share_of_complaints"]), [(r, f"{share:.1%}", _n(n)) for r, share, n in reasons],
        ))  # fmt: skip
    return {"trends": trends, "comparisons": comparisons, "complaints": complaints}


def _root_cause_tables(data: ReportData, ctx: _Context) -> list[dict]:
    tables = []
    for k in sorted(data.missed, key=_gap, reverse=True):
        rows = [
            {
                "value": ctx.category(s.value),
                "n": f"{s.denominator:,}",
                "small": s.denominator < ctx.min_n,
                "share": "-" if s.denominator_share is None else f"{s.denominator_share:.1%}",
                "actual": kpi_value(k.kpi_code, s.actual),
                "contribution": ctx.diff(k.kpi_code, s.shortfall_contribution),
                "shortfall_share": "-" if share is None else f"{share:.0%}",
                "pulls_away": (s.shortfall_contribution or 0) > 0,
            }
            for s, share in _shortfall_shares(data.root_causes.get(k.kpi_code, []))
            if s.denominator  # a category with nothing to measure has nothing to explain
        ]
        shortfall = abs(k.actual - k.target)
        tables.append({"kpi": k, "shortfall": ctx.diff(k.kpi_code, shortfall).lstrip("+-±"), "rows": rows})
    return tables


def _in_language(k: KpiRow, language: str) -> KpiRow:
    """The KPI's name (with its report unit), formula and source in the report's language."""
    if language == "zh-CN":
        k = replace(k, kpi_name=KPI_NAMES_ZH.get(k.kpi_code, k.kpi_name),
                    formula=FORMULAS_ZH.get(k.kpi_code, k.formula),
                    data_source=SOURCES_ZH.get(k.data_source, k.data_source))  # fmt: skip
    return replace(k, kpi_name=kpi_label(k.kpi_code, k.kpi_name, language))


def _quality(data: ReportData, language: str) -> list[QualityLine]:
    if language != "zh-CN":
        return data.quality
    return [replace(q, label=QUALITY_ZH.get(q.label, (q.label, q.of_label))[0],
                    of_label=QUALITY_ZH.get(q.label, (q.label, q.of_label))[1]) for q in data.quality]  # fmt: skip


def _backlog_trend_line(data: ReportData, ctx: _Context) -> str | None:
    """The summary's backlog trend: each week's end-of-week backlog, named by the week's last day."""
    weeks = [(week, n, beyond) for week, n, beyond in data.backlog_trend if n is not None]
    if not weeks:
        return None
    values = " → ".join(f"{ctx.day(week + timedelta(days=6))} {n:,}" for week, n, _ in weeks)
    return ctx.t["backlog_trend"].format(weeks=len(weeks), values=values, beyond=f"{weeks[-1][2] or 0:,}")


def render(
    data: ReportData,
    actions: list[Action],
    generated_at: datetime,
    options: ReportOptions | None = None,
    language: str = DEFAULT_LANGUAGE,
    league: list[AgentRow] | None = None,
) -> str:
    """The report's HTML; `league` (the manager edition only) adds the agent league table."""
    options = options or load_options()
    if language == "zh-CN":
        charts.ensure_cjk_font()
    ctx = _Context(language=language, labels=Labels(language), min_n=options.min_sample_size)
    data = replace(data, scorecard=[_in_language(k, language) for k in data.scorecard])
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True, undefined=jinja2.StrictUndefined
    )
    environment.filters["kpi"] = lambda v, code: kpi_value(code, v)
    environment.filters["diff"] = lambda v, code: ctx.diff(code, v)
    missed = sorted(data.missed, key=_gap, reverse=True)
    tracked = [k for k in data.scorecard if k.met is None]
    return environment.get_template(TEMPLATE).render(
        t=ctx.t,
        language=language,
        data=data,
        period=data.period,
        period_label=period_label(data.period, language),
        previous_label=period_label(data.period.previous(), language),
        generated_at=generated_at,
        met=data.met,
        missed=missed,
        tracked=tracked,
        gaps=[_gap_sentence(k, data, ctx) for k in missed[:3]],
        backlog_trend=_backlog_trend_line(data, ctx),
        charts=_charts(data, ctx),
        anomalies=data.anomalies,
        root_causes=_root_cause_tables(data, ctx),
        plan=_plan_rows(data, actions, ctx),
        quality=_quality(data, language),
        min_n=ctx.min_n,
        print_root_causes=PRINT_ROOT_CAUSES,
        partial_through=data.data_through if data.data_through < data.period.days[-1] else None,
        actions_on_met=[a for a in actions if a.kpi in {k.kpi_code for k in data.met}],
        kpi_names={k.kpi_code: k.kpi_name for k in data.scorecard},
        league=None if league is None else [_league_row(rank, a, ctx) for rank, a in enumerate(league, start=1)],
    )


def _league_row(rank: int, agent: AgentRow, ctx: _Context) -> dict:
    """One agent's cells, in the report's units (FRT minutes, AHT hours, rates in percent)."""
    return {
        "rank": rank,
        "name": agent.name,
        "team": ctx.labels("team", agent.team) if agent.team else "-",
        "solved": _n(agent.solved),
        "frt": kpi_value("frt_seconds", agent.frt_seconds),
        "aht": kpi_value("aht_seconds", agent.aht_seconds),
        "fcr": kpi_value("fcr_rate", agent.fcr_rate),
        "csat": kpi_value("csat_rate", agent.csat_rate),
        "csat_n": _n(agent.csat_responses),
        "small": agent.solved < ctx.min_n,
    }


def write_report(
    snapshot: Path,
    out_dir: Path,
    plan_path: Path,
    period: Period | None = None,
    language: str = DEFAULT_LANGUAGE,
    edition: str = "default",
    staff_snapshot: Path | None = None,
) -> WrittenReport:
    """Read the published snapshot, render the report of `period` (default: data.default_period) in
    `language` (en or zh-CN) and write it atomically; a half-written file never replaces a good one.
    The manager edition adds the agent league table, named from the published staff snapshot."""
    check_language(language, "the report language")
    if edition not in EDITIONS:
        raise ValueError(f"the report edition must be one of {', '.join(EDITIONS)}, not {edition!r}")
    if not snapshot.exists():
        raise FileNotFoundError(f"no published marts at {snapshot}: run the pipeline (make run or make demo) first")
    if edition == "manager" and (staff_snapshot is None or not staff_snapshot.exists()):
        raise FileNotFoundError(f"no published staff data at {staff_snapshot}: the manager edition names agents "
                                "from it; run the pipeline (make run or make demo) first")  # fmt: skip
    league = None
    with closing(duckdb.connect(str(snapshot), read_only=True)) as con:
        period = period or default_period(con)
        data = load(con, period)
        if edition == "manager":
            con.execute(f"attach '{staff_snapshot}' as staff_file (read_only)")
            league = agent_league(con, period, "staff_file")
    actions = load_plan(plan_path, {k.kpi_code for k in data.scorecard}, period.days[-1])
    html = render(data, actions, datetime.now().astimezone(), language=language, league=league)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = report_path(out_dir, period, language, edition)
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
