"""The service-level report of the sample's March, built by the Dagster assets after publish.

The sample (15 Feb .. 31 Mar 2026, with the consumer-rights-day complaint surge) is built with the
real connectors and dbt, then `published_marts` and `service_level_report` are materialised. The
HTML is read back and checked against the published marts it came from.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from contextlib import closing
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingestion.settings import PROJECT_ROOT, load_settings
from orchestration import cli
from orchestration.defs.report.assets import service_level_report
from orchestration.defs.serving.assets import published_marts
from orchestration.report_builder.data import COMPARED_DIMENSIONS, COMPARED_KPIS, TREND_KPIS, default_period
from orchestration.report_builder.format import kpi_label, kpi_value
from orchestration.report_builder.period import last_full_month, parse_period
from orchestration.report_builder.plan import PlanError, load_plan
from tests.conftest import use_small_sample

FIRST, LAST = date(2026, 2, 15), date(2026, 3, 31)
SURGE = (date(2026, 2, 20), date(2026, 3, 22))  # ingestion/sample/tickets.py complaint_surge
CHARTS = (
    [f"trend-{k}" for k in TREND_KPIS]
    + [f"compare-{k}-by-{d}" for k in COMPARED_KPIS for d in COMPARED_DIMENSIONS]
    + ["complaint-rate-by-day", "complaint-reasons"]
)


class _Doc(HTMLParser):
    """Each figure's points, the marks drawn in its SVG groups, and every table's rows."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, dict] = {}
        self.rows: dict[str, list[list[str]]] = {}  # table id, data-kpi or class -> rows of cell text
        self.row_attrs: dict[str, list[dict]] = {}
        self._figure: dict | None = None
        self._groups: list[str] = []  # ids of the open SVG <g> elements
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "figure":
            self._figure = self.figures[a["id"]] = {"points": int(a["data-points"]), "groups": {}, "marks": {}}
        elif self._figure is not None and tag == "g":
            self._groups.append(a.get("id", ""))
            self._figure["groups"][a.get("id", "")] = self._figure["groups"].get(a.get("id", ""), 0) + 1
        elif self._figure is not None and tag in ("use", "path") and self._groups:
            # a marker (<use>) or drawn shape (<path>) counts for the nearest enclosing named group
            key = (
                self._groups[-1]
                if tag == "path"
                else next((g for g in reversed(self._groups) if g.startswith("series-") or g == "flagged-days"), ""),
                tag,
            )
            self._figure["marks"][key] = self._figure["marks"].get(key, 0) + 1
        if tag == "table":
            self._table = a.get("id") or a.get("data-kpi") or a.get("class", "")
            self.rows.setdefault(self._table, [])
            self.row_attrs.setdefault(self._table, [])
        elif tag == "tr" and self._table:
            self._row = []
            self.row_attrs[self._table].append(a)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "g" and self._figure is not None:
            self._groups.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._figure = None
        elif tag == "g" and self._figure is not None and self._groups:
            self._groups.pop()
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.rows[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def march(tmp_path_factory):
    """(report path, published snapshot, report html, parsed document, dagster home)."""
    from tests import sample_warehouse

    work = tmp_path_factory.mktemp("report")
    home = work / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_small_sample(work, monkeypatch)
        monkeypatch.setenv("CSKPI_SAMPLE_TICKETS_PER_DAY", "100")
        monkeypatch.setenv("CSKPI_SAMPLE_NOW", "2026-04-02T00:00:00+08:00")
        # history starts on the sample's first day, a Sunday: its ISO week and February are partial
        monkeypatch.setenv("CSKPI_HISTORY_START", FIRST.isoformat())
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        sample_warehouse.build(FIRST, LAST, work)
        with dg.DagsterInstance.get() as instance:
            result = dg.materialize([published_marts, service_level_report], instance=instance)
        assert result.success
        settings = load_settings()
        written = result.asset_materializations_for_node("report__service_level_report")[0].metadata
        path = Path(written["path"].value)
        html = path.read_text(encoding="utf-8")
        doc = _Doc()
        doc.feed(html)
        yield path, settings.snapshot_path, html, doc, settings


def _month_scorecard(snapshot: Path, *extra: str) -> list[tuple]:
    with closing(duckdb.connect(str(snapshot), read_only=True)) as con:
        return con.execute(
            f"select {', '.join(('kpi_code', 'kpi_name', 'actual_value', 'is_target_met', *extra))} "
            "from marts.rpt_kpi_scorecard where period_type = 'month' and period_start = '2026-03-01'"
        ).fetchall()


def test_the_default_period_is_the_last_full_month_of_published_data(march):
    path, *_ = march
    assert path.name == "service-level-report-2026-03.html"
    assert last_full_month(date(2026, 3, 31)) == parse_period("2026-03")
    assert last_full_month(date(2026, 3, 30)) == parse_period("2026-02")


def test_the_summary_gives_the_backlog_at_the_end_of_each_of_the_last_weeks(march):
    _, snapshot, html, _, _ = march
    # The March report: of the last 8 ISO weeks that end by 31 March, the published data holds 7, from
    # the week of Monday 9 Feb (only 15 Feb, the history's first day) to that of 23 Mar; each is named
    # by its Sunday, 15 Feb .. 29 Mar.
    sundays = [date(2026, 2, 15) + timedelta(days=7 * k) for k in range(7)]
    with closing(duckdb.connect(str(snapshot), read_only=True)) as con:
        weeks = dict(con.execute(
            "select period_start, numerator from marts.rpt_kpi_scorecard where period_type = 'week' "
            "and kpi_code = 'backlog'").fetchall())  # fmt: skip
        last_beyond = con.execute(
            "select numerator from marts.rpt_kpi_scorecard where period_type = 'week' "
            "and kpi_code = 'backlog_beyond_sla' and period_start = '2026-03-23'"
        ).fetchone()[0]
    # the sample has tickets open for weeks (long-running ones): never an empty backlog
    assert all(weeks[s - timedelta(days=6)] > 0 for s in sundays)
    values = " → ".join(f"{s.day} {s:%b} {weeks[s - timedelta(days=6)]:,}" for s in sundays)
    line = (f'<p id="backlog-trend">Backlog trend, open tickets at the end of each of the last 7 weeks: {values}. '
            f"At the end of the last, {last_beyond:,} beyond their resolution time.</p>")  # fmt: skip
    assert line in html


def test_every_scorecard_kpi_appears_with_its_actual_and_status(march):
    _, snapshot, _, doc, _ = march
    expected = _month_scorecard(snapshot, "denominator")
    # the contract's 15 KPIs, the business-hours FRT, the 4 CSAT dimensions' share and mean, backlog,
    # backlog beyond SLA, net flow, 8 SLA KPIs
    assert len(expected) == 35
    table = zip(doc.row_attrs["scorecard-table"][1:], doc.rows["scorecard-table"][1:], strict=True)
    rows = {attrs["data-kpi"]: cells for attrs, cells in table}
    assert set(rows) == {code for code, *_ in expected}
    for code, name, actual, met, n in expected:
        cells = rows[code]
        assert cells[0] == kpi_label(code, name)  # durations in the report's unit: "First response time (min)"
        assert cells[4] == kpi_value(code, actual)
        assert cells[5] == f"{n:,}"  # the sample size: the KPI's denominator
        assert cells[6] == ("tracked" if met is None else "met" if met else "not met"), code
    # One unit per KPI, named in the label: the seed's "First response time (s)" is shown in
    # minutes (4,428 s is 73.8 min), "Average handle time (s)" in hours (38,479 s is 10.7 h).
    frt = next(a for c, _, a, _, _ in expected if c == "frt_seconds")
    assert rows["frt_seconds"][0] == "First response time (min)"
    assert rows["frt_seconds"][4] == f"{frt / 60:,.1f} min"
    assert rows["aht_seconds"][0] == "Average handle time (h)"
    assert rows["aht_seconds"][4].endswith(" h")


def test_sla_attainment_by_metric_follows_the_scorecard(march):
    """The sample's one SLA policy sets first reply, next reply and requester wait targets
    (ingestion/sample/sla.py): the table has those three metrics, each with the month's parts from the
    published fct_sla_daily and the attainment the scorecard shows for it."""
    _, snapshot, _, doc, _ = march
    with closing(duckdb.connect(str(snapshot), read_only=True)) as con:
        parts = {
            m: (met, breached, open_, at_risk)
            for m, met, breached, open_, at_risk in con.execute(
                "select sla_metric, sum(sla_met), sum(sla_breached), sum(sla_open), sum(sla_at_risk) "
                "from marts.fct_sla_daily where sla_date >= '2026-03-01' and sla_date < '2026-04-01' group by 1"
            ).fetchall()
        }
    scorecard = {code: actual for code, _, actual, _ in _month_scorecard(snapshot)}
    rows = {cells[0]: cells for cells in doc.rows["sla-table"][1:]}
    assert set(rows) == {"First reply", "Next reply", "Requester wait"}
    for label, metric, code in (
        ("First reply", "first_reply_time", "sla_first_reply_attainment"),
        ("Next reply", "next_reply_time", "sla_next_reply_attainment"),
        ("Requester wait", "requester_wait_time", "sla_requester_wait_attainment"),
    ):
        met, breached, open_, at_risk = parts[metric]
        assert met + breached > 0, metric
        assert rows[label][1:] == [f"{met:,}", f"{breached:,}", kpi_value(code, scorecard[code]), f"{open_:,}",
                                   f"{at_risk:,}"]  # fmt: skip
        assert rows[label][3] == kpi_value(code, met / (met + breached))


def test_each_chart_is_there_with_its_data_points(march):
    _, _, _, doc, _ = march
    assert set(CHARTS) <= set(doc.figures), set(CHARTS) - set(doc.figures)
    for chart in CHARTS:
        figure = doc.figures[chart]
        assert figure["points"] > 0, chart
        # the points drawn in the SVG: a marker each on line charts (incomplete weeks apart), a bar each on bar charts
        drawn = (
            figure["marks"].get(("series-actual", "use"), 0)
            + figure["marks"].get(("series-incomplete", "use"), 0)
            + figure["marks"].get(("series-small-sample", "use"), 0)
            + figure["groups"].get("series-bars", 0)
        )
        assert drawn == figure["points"], (chart, drawn, figure["points"])


def test_the_complaint_surge_days_are_marked(march):
    _, _, _, doc, _ = march
    flagged = [a["data-day"] for a in doc.row_attrs["flagged-days"][1:] if a["data-measure"] == "complaint_tickets"]
    assert flagged, "no complaint day of March was flagged"
    assert all(SURGE[0].isoformat() <= d <= SURGE[1].isoformat() for d in flagged), flagged
    # one circle drawn around each flagged day's point
    assert doc.figures["complaint-rate-by-day"]["marks"].get(("flagged-days", "path"), 0) == len(flagged)
    data_rows = doc.rows["chart-data"]
    for day in flagged:
        assert any(r[0] == f"{day} (flagged)" for r in data_rows), day


def test_the_first_partial_week_and_month_are_shown_as_incomplete(march):
    _, snapshot, html, doc, _ = march
    with closing(duckdb.connect(str(snapshot), read_only=True)) as con:
        complete = dict(con.execute(
            "select period_type || ' ' || period_start, bool_and(is_complete) from marts.rpt_kpi_scorecard "
            "where period_type in ('week', 'month') group by 1"
        ).fetchall())  # fmt: skip
    # History starts on Sunday 15 February: its ISO week (from Monday 9 February) and February are
    # partial; the next week, from Monday 16 February, and March are whole.
    assert complete["week 2026-02-09"] is False and complete["week 2026-02-16"] is True
    assert complete["month 2026-02-01"] is False and complete["month 2026-03-01"] is True
    # March's report: its own period is whole, the previous month (February) is not, and says so
    assert 'id="period-incomplete"' not in html
    assert 'id="previous-incomplete"' in html and "February 2026 is incomplete" in html
    # Every trend point of a week that starts before the history start (the partial week of 9
    # February, and earlier weeks holding only surveys submitted before the sample's first ticket day)
    # is drawn apart from the line and labelled incomplete in the chart's data; no other is.
    with closing(duckdb.connect(str(snapshot), read_only=True)) as con:
        partial = con.execute(
            "select kpi_code, period_start from marts.rpt_kpi_scorecard where period_type = 'week' "
            "and not is_complete and actual_value is not null and period_start >= '2025-10-01' and kpi_code in "
            f"({', '.join('?' for _ in TREND_KPIS)})",
            list(TREND_KPIS),
        ).fetchall()
    assert all(week < FIRST for _, week in partial)
    assert {code for code, week in partial if week == date(2026, 2, 9)} >= {"fcr_rate", "frt_attainment"}
    # the week of Monday 30 March ends on 5 April, after the data's last day (31 March): partial too
    with closing(duckdb.connect(str(snapshot), read_only=True)) as con:
        partial += con.execute(
            "select kpi_code, period_start from marts.rpt_kpi_scorecard where period_type = 'week' "
            "and period_start = '2026-03-30' and actual_value is not null and kpi_code in "
            f"({', '.join('?' for _ in TREND_KPIS)})",
            list(TREND_KPIS),
        ).fetchall()
    assert {code for code, week in partial if week == date(2026, 3, 30)} >= {"frt_attainment", "csat_rate"}
    for code in TREND_KPIS:
        figure = doc.figures[f"trend-{code}"]
        assert figure["marks"].get(("series-incomplete", "use"), 0) == sum(c == code for c, _ in partial), code
    labels = [r[0] for r in doc.rows["chart-data"] if "(incomplete)" in r[0]]
    assert sorted(labels) == sorted(f"{week.isoformat()} (incomplete)" for _, week in partial)


def test_the_plan_lists_each_missed_kpi(march):
    _, snapshot, _, doc, settings = march
    missed = {kpi_label(code, name): code for code, name, _, met in _month_scorecard(snapshot) if met is False}
    assert missed
    every_code = {code for code, *_ in _month_scorecard(snapshot)}
    planned = {a.kpi for a in load_plan(settings.improvement_plan_path, every_code, date(2026, 3, 31))}
    rows = doc.rows["plan-table"][1:]
    listed = {row[0].split(" ")[0] for row in rows}
    for name, code in missed.items():
        kpi_rows = [row for row in rows if row[0].startswith(name)]
        assert kpi_rows, f"{name} is not in the plan table ({listed})"
        if code not in planned:
            assert [row[2] for row in kpi_rows] == ["no action planned"], name
        else:
            assert all(row[2] != "no action planned" and row[3] and row[4] for row in kpi_rows), name
    # the sample plan's due dates are relative (+14d, +30d, +45d): 14 April, 30 April and 15 May after
    # March's last day, so none is past due at the period's end
    assert {row[4] for row in rows if row[2] != "no action planned"} == {"2026-04-14", "2026-04-30", "2026-05-15"}
    # each missed KPI has a root-cause table whose contributions come from rpt_kpi_breakdown
    assert {code for code in missed.values()} <= set(doc.rows)


def test_the_file_references_no_network_resource(march):
    _, _, html, _, _ = march
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=""", html)
    assert "@media print" in html


def test_make_report_writes_a_chosen_period_and_refuses_a_bad_one(march, capsys):
    _, _, _, _, settings = march
    assert cli.main(["report", "--period", "2026-W11"]) == 0
    week = settings.reports_dir / "service-level-report-2026-W11.html"
    assert str(week) in capsys.readouterr().out
    assert "week 2026-W11 (09 Mar - 15 Mar 2026)" in week.read_text(encoding="utf-8")
    with pytest.raises(SystemExit, match=r"2026-13.*YYYY-MM"):
        cli.main(["report", "--period", "2026-13"])
    assert cli.main(["report", "--period", "2025-01"]) == 1
    assert "no data for January 2025" in capsys.readouterr().err


def test_a_wrong_plan_entry_is_named(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("actions:\n  - kpi: fcr\n    root_cause: x\n    action: y\n    owner: z\n    due: 2026-04-01\n")
    with pytest.raises(PlanError, match=r"action 1: kpi 'fcr' is not a KPI code"):
        load_plan(plan, {"fcr_rate"})
    plan.write_text("actions:\n  - kpi: fcr_rate\n    action: y\n    owner: z\n    due: soon\n")
    with pytest.raises(PlanError, match="missing root_cause"):
        load_plan(plan, {"fcr_rate"})
    plan.write_text("actions:\n  - kpi: fcr_rate\n    root_cause: x\n    action: y\n    owner: z\n    due: soon\n")
    with pytest.raises(PlanError, match="due 'soon' is not a date"):
        load_plan(plan, {"fcr_rate"})
    # a due date relative to the period: 30 days after its last day, 31 March, is 30 April
    plan.write_text("actions:\n  - kpi: fcr_rate\n    root_cause: x\n    action: y\n    owner: z\n    due: +30d\n")
    assert load_plan(plan, {"fcr_rate"}, date(2026, 3, 31))[0].due == date(2026, 4, 30)
    with pytest.raises(PlanError, match=r"due '\+30d' is relative to a report period"):
        load_plan(plan, {"fcr_rate"})


def test_before_a_full_month_is_published_the_default_is_the_month_so_far(tmp_path):
    with closing(duckdb.connect(str(tmp_path / "published.duckdb"))) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_kpi_daily as select date '2026-03-18' as kpi_date")
        con.execute(
            "create table marts.rpt_kpi_scorecard as select 'month' as period_type, date '2026-03-01' as period_start"
        )
        assert default_period(con) == parse_period("2026-03")
        con.execute("insert into marts.rpt_kpi_scorecard values ('month', date '2026-02-01')")
        assert default_period(con) == parse_period("2026-02")


# Readable labels of the report_labels seed the report must show instead of raw values (worked out
# from dbt_project/seeds/report_labels.csv by hand)
CATEGORY_LABELS = {"billing": "Billing", "delivery": "Delivery", "product_defect": "Product defect",
                   "account": "Account", "refund": "Refund", "usage_question": "Usage question",
                   "uncategorised": "Uncategorised", "no linked ticket": "No linked ticket"}  # fmt: skip
MIN_N = 30  # config/report.yaml min_sample_size


def _breakdown(snapshot: Path, kpi: str, dimension: str) -> dict[str, int]:
    with closing(duckdb.connect(str(snapshot), read_only=True)) as con:
        return dict(con.execute(
            "select dimension_value, denominator from marts.rpt_kpi_breakdown where period_type = 'month' "
            "and period_start = '2026-03-01' and kpi_code = ? and dimension = ? and actual_value is not null",
            [kpi, dimension],
        ).fetchall())  # fmt: skip


def test_every_bar_shows_its_sample_size_and_small_slices_are_set_apart(march):
    _, snapshot, html, doc, _ = march
    # CSAT by team: each bar's data row carries the team's n; teams under 30 answers are "(small n)"
    # and their bars grey (#c5ccd3), e.g. the Complaints Desk's handful of answers
    teams = _breakdown(snapshot, "csat_rate", "team")
    figure_html = html[html.index('id="compare-csat_rate-by-team"') :]
    figure_html = figure_html[: figure_html.index("</figure>")]
    data_rows = re.findall(r"<tr><td>([^<]*)</td><td class=\"num\">[^<]*</td><td class=\"num\">([^<]*)</td>",
                           figure_html)  # fmt: skip
    assert len(data_rows) == len(teams)
    small = {team for team, n in teams.items() if n < MIN_N}
    assert small, "the sample has no team under 30 CSAT answers: the check checks nothing"
    for label, n in data_rows:
        label = unescape(label)
        team = label.removesuffix(" (small n)")
        assert n == f"{teams.get(team, teams.get(team.lower(), -1)):,}", label
        assert label.endswith(" (small n)") == (teams.get(team, teams.get(team.lower())) < MIN_N), label
    assert figure_html.count("fill: #c5ccd3") == len(small) + 1  # and the legend's swatch
    # each bar's label says its n ("80.6%  n=98") in the SVG itself
    assert len(re.findall(r"n=[\d,]+", figure_html)) == len(teams)
    # channels and categories read as words: "Web form", not web_form
    labels = [r[0] for r in doc.rows["chart-data"]]
    assert "Web form" in labels and not any("_" in label for label in labels)
    # the "largest contributors" never name a category measured on fewer than 30
    names = {a["data-kpi"]: c[0] for a, c in zip(doc.row_attrs["scorecard-table"][1:],
                                                 doc.rows["scorecard-table"][1:], strict=True)}  # fmt: skip
    for code, *_ in _month_scorecard(snapshot):
        below = [CATEGORY_LABELS[c] for c, n in _breakdown(snapshot, code, "category").items() if n < MIN_N]
        computed = [row[1] for row in doc.rows["plan-table"][1:] if row[0].startswith(names[code] + " ")]
        assert not any(f"{label} (" in text for label in below for text in computed), code


def test_dates_are_labelled_in_their_own_month(march):
    _, _, html, _, _ = march
    figure_html = html[html.index('id="complaint-rate-by-day"') :]
    figure_html = figure_html[: figure_html.index("</figure>")]
    # March's days, one tick a week counted back from the 31st: 3, 10, 17, 24 and 31 March
    ticks = re.findall(r">(\d{1,2} [A-Z][a-z]{2})<", figure_html)
    assert ticks == ["3 Mar", "10 Mar", "17 Mar", "24 Mar", "31 Mar"], ticks


# The guides' terms for the headline KPIs, and the sample's March values, formatted by hand: FRT in
# minutes (actual seconds / 60, one decimal), rates as percentages with one decimal, NPS with one.
ZH_NAMES = {"frt_seconds": "首次响应时间（分钟）", "fcr_rate": "首次解决率", "csat_rate": "客户满意度（4-5分占比）",
            "nps": "净推荐值", "complaint_rate": "投诉率"}  # fmt: skip
ZH_PLAN_HEAD = ["未达标指标", "根因分析", "改进措施", "责任人", "完成时间", "所需资源", "验证方式"]


def _by_hand(code: str, actual: float) -> str:
    if code == "frt_seconds":
        return f"{actual / 60:,.1f} min"
    if code == "nps":
        return f"{actual:.1f}"
    return f"{actual * 100:.1f}%"


@pytest.fixture(scope="module")
def march_zh(march, tmp_path_factory):
    from orchestration.report_builder.build import write_report

    _, snapshot, _, _, settings = march
    out = tmp_path_factory.mktemp("report_zh")
    written = write_report(snapshot, out, settings.improvement_plan_path, parse_period("2026-03"), "zh-CN")
    html = written.path.read_text(encoding="utf-8")
    doc = _Doc()
    doc.feed(html)
    return written.path, html, doc


def test_the_report_in_chinese_shows_every_kpi_with_its_value(march, march_zh):
    _, snapshot, _, doc_en, _ = march
    path, html, doc = march_zh
    assert path.name == "service-level-report-2026-03.zh-CN.html"
    assert '<html lang="zh-CN">' in html
    assert "<h2>2. 服务水平测量指标表</h2>" in html and "<h2>7. 改进计划</h2>" in html
    assert doc.rows["plan-table"][0] == ZH_PLAN_HEAD
    rows = {a["data-kpi"]: c for a, c in zip(doc.row_attrs["scorecard-table"][1:], doc.rows["scorecard-table"][1:],
                                              strict=True)}  # fmt: skip
    rows_en = {a["data-kpi"]: c for a, c in zip(doc_en.row_attrs["scorecard-table"][1:],
                                                 doc_en.rows["scorecard-table"][1:], strict=True)}  # fmt: skip
    expected = _month_scorecard(snapshot)
    assert set(rows) == {code for code, *_ in expected} and len(rows) == 35
    for code, _, actual, met in expected:
        name, value, status = rows[code][0], rows[code][4], rows[code][6]
        assert re.search(r"[\u4e00-\u9fff]", name), (code, name)  # a Chinese name for every KPI
        assert value == rows_en[code][4], code  # the same value as the English report's
        assert status == ("仅跟踪" if met is None else "达标" if met else "未达标"), code
        if code in ZH_NAMES:
            assert (name, value) == (ZH_NAMES[code], _by_hand(code, actual)), code
    # the charts speak Chinese too, in a CJK font the SVG names
    assert "首次解决率（按团队）" in html and "Noto Sans CJK SC" in html
    days = html[html.index('id="complaint-rate-by-day"') :]
    assert re.findall(r">(3月\d{1,2}日)<", days[: days.index("</figure>")]) == ["3月3日", "3月10日", "3月17日",
                                                                              "3月24日", "3月31日"]  # fmt: skip


def test_the_language_comes_from_its_one_setting(march, monkeypatch, capsys):
    _, _, _, _, settings = march
    monkeypatch.setenv("CSKPI_REPORT_LANGUAGE", "zh-CN")
    assert cli.main(["report", "--period", "2026-W11"]) == 0
    zh = settings.reports_dir / "service-level-report-2026-W11.zh-CN.html"
    assert str(zh) in capsys.readouterr().out
    assert "2026年第11周（3月9日 - 3月15日）" in zh.read_text(encoding="utf-8")
    monkeypatch.setenv("CSKPI_REPORT_LANGUAGE", "fr")
    with pytest.raises(ValueError, match=r"CSKPI_REPORT_LANGUAGE must be one of en, zh-CN, not 'fr'"):
        load_settings()


def _chromium() -> str:
    """Debian's chromium, which `make test` installs (make print-tools); skipped outside CI without it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "chromium is not installed: run `make print-tools` (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def _flat(text: str) -> str:
    """Text compared across PDF and HTML: NFKC (a PDF's ligatures as plain letters), without any
    whitespace (line breaks fall differently on paper), each Chinese character as one placeholder:
    the CJK font shares glyphs between simplified and traditional forms, so a PDF's text can read
    a character back as its variant (户 as 戶)."""
    return re.sub(
        r"[\u2e80-\u2fdf\u3400-\u9fff\uf900-\ufaff]", "字", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    )


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_month_prints_on_six_a4_pages_with_no_row_split(march, march_zh, language, tmp_path):
    from pypdf import PdfReader

    chromium = _chromium()
    path, doc = (march[0], march[3]) if language == "en" else (march_zh[0], march_zh[2])
    pdf, png = path.with_suffix(".pdf"), path.with_suffix(".page1.png")
    run = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
    subprocess.run([*run, f"--print-to-pdf={pdf}", path.as_uri()], check=True, capture_output=True, timeout=120)
    pages = PdfReader(pdf).pages
    texts = [_flat(p.extract_text()) for p in pages]
    assert 1 <= len(pages) <= 6, len(pages)
    # A4 (595 x 842 pt), portrait; the improvement plan's page landscape
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages]
    assert set(sizes) <= {(595, 842), (842, 595)}, sizes
    plan_heading = _flat("7. Improvement plan" if language == "en" else "7. 改进计划")
    assert [sizes[n] for n, text in enumerate(texts) if plan_heading in text] == [(842, 595)]
    # every page's footer: the period and "page n / N"
    period, page = ("March 2026", "page") if language == "en" else ("2026年3月", "第")
    for n, text in enumerate(texts, start=1):
        assert _flat(f"{period} · {page} {n} / {len(pages)}") in text, (n, text[:80])
    # the summary and the whole scorecard on page 1
    summary = _flat("1. Summary" if language == "en" else "1. 概览")
    assert summary in texts[0]
    formulas = _flat("each KPI's formula is in the HTML report" if language == "en" else "各指标的计算公式见 HTML 报告")
    assert formulas in texts[0]
    # no printed table row split over two pages: each row's cells, in order, on one page (the
    # scorecard's formula and source columns are not printed, which a line under its note says;
    # unplanned plan rows and all but the first three root-cause tables print as a line of their
    # own; chart data tables and SLA attainment by metric, whose attainments are the scorecard's SLA
    # rows, only on screen)
    printed = {"scorecard-table": lambda cells: [c for i, c in enumerate(cells) if i not in (1, 2)],
               "flagged-days": list, "data-quality-note": list, "plan-table": list}  # fmt: skip
    screen_only = ("chart-data", "root-cause", "sla-table")
    root_causes = [t for t in doc.rows if t not in printed and t not in screen_only][:3]
    checked = 0
    for table in [*printed, *root_causes]:
        keep = printed.get(table, list)
        for attrs, cells in zip(doc.row_attrs[table], doc.rows[table], strict=True):
            if "unplanned" in attrs.get("class", "") or not cells:
                continue
            row = _flat("".join(keep(cells)))
            on = [n for n, text in enumerate(texts, start=1) if row in text]
            assert on, f"{table} row {cells[:2]} is split across pages (or not printed)"
            if table == "scorecard-table":
                assert 1 in on, f"scorecard row {cells[0]} is not on page 1"
            checked += 1
    assert checked >= 23 + 3 + 8  # the scorecard, the planned actions, the data-quality lines at least
    # page 1 as a picture, for a person to look at: the print layout at A4 width (96 dpi)
    page1 = tmp_path / "page1.html"
    html = path.read_text(encoding="utf-8").replace("@media print {", "@media all {")
    page1.write_text(html.replace("</style>", "html { padding: 10mm 10mm 13mm; }</style>"), encoding="utf-8")
    subprocess.run([*run, "--hide-scrollbars", "--window-size=794,1123", f"--screenshot={png}", page1.as_uri()],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    assert png.stat().st_size > 10_000
    print(f"{language}: {len(pages)} pages, {pdf}, page 1: {png}")


def test_a_trend_week_under_the_minimum_n_is_a_grey_point_apart_from_the_line():
    from orchestration.report_builder import charts
    from orchestration.report_builder.format import unit

    # three weeks, n 12, 40 and 55, the minimum 30: week 1 is grey and apart, the line joins weeks 2 and 3
    weeks = [(date(2026, 3, 2), 0.71, 12), (date(2026, 3, 9), 0.80, 40), (date(2026, 3, 16), 0.83, 55)]
    svg = charts.line_chart("CSAT", weeks, 0.9, unit("csat_rate"), lambda d: d.isoformat(), min_n=30)
    doc = _Doc()
    doc.feed(f'<figure id="t" data-points="3">{svg}</figure>')
    marks = doc.figures["t"]["marks"]
    assert (marks.get(("series-actual", "use"), 0), marks.get(("series-small-sample", "use"), 0)) == (2, 1)
    assert "n below 30: too few to judge" in svg
