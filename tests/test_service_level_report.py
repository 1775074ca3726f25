"""The service-level report of the sample's March, built by the Dagster assets after publish.

The sample (15 Feb .. 31 Mar 2026, with the consumer-rights-day complaint surge) is built with the
real connectors and dbt, then `published_marts` and `service_level_report` are materialised. The
HTML is read back and checked against the published marts it came from.
"""

from __future__ import annotations

import re
import shutil
from contextlib import closing
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingestion.settings import PROJECT_ROOT, load_settings
from orchestration import cli
from orchestration.defs.report.assets import service_level_report
from orchestration.defs.serving.assets import published_marts
from orchestration.report.data import COMPARED_DIMENSIONS, COMPARED_KPIS, TREND_KPIS, default_period
from orchestration.report.format import kpi_value
from orchestration.report.period import last_full_month, parse_period
from orchestration.report.plan import PlanError, load_plan
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


def _month_scorecard(snapshot: Path) -> list[tuple]:
    with closing(duckdb.connect(str(snapshot), read_only=True)) as con:
        return con.execute(
            "select kpi_code, kpi_name, actual_value, is_target_met from marts.rpt_kpi_scorecard "
            "where period_type = 'month' and period_start = '2026-03-01'"
        ).fetchall()


def test_the_default_period_is_the_last_full_month_of_published_data(march):
    path, *_ = march
    assert path.name == "service-level-report-2026-03.html"
    assert last_full_month(date(2026, 3, 31)) == parse_period("2026-03")
    assert last_full_month(date(2026, 3, 30)) == parse_period("2026-02")


def test_every_scorecard_kpi_appears_with_its_actual_and_status(march):
    _, snapshot, _, doc, _ = march
    expected = _month_scorecard(snapshot)
    assert len(expected) == 23  # the contract's 15 KPIs and the 4 CSAT dimensions' share and mean
    table = zip(doc.row_attrs["scorecard-table"][1:], doc.rows["scorecard-table"][1:], strict=True)
    rows = {attrs["data-kpi"]: cells for attrs, cells in table}
    assert set(rows) == {code for code, *_ in expected}
    for code, name, actual, met in expected:
        cells = rows[code]
        assert cells[0] == name
        assert cells[4] == kpi_value(code, actual)
        assert cells[5] == ("tracked" if met is None else "met" if met else "not met"), code


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
    for code in TREND_KPIS:
        figure = doc.figures[f"trend-{code}"]
        assert figure["marks"].get(("series-incomplete", "use"), 0) == sum(c == code for c, _ in partial), code
    labels = [r[0] for r in doc.rows["chart-data"] if "(incomplete)" in r[0]]
    assert sorted(labels) == sorted(f"{week.isoformat()} (incomplete)" for _, week in partial)


def test_the_plan_lists_each_missed_kpi(march):
    _, snapshot, _, doc, settings = march
    missed = {name: code for code, name, _, met in _month_scorecard(snapshot) if met is False}
    assert missed
    every_code = {code for code, *_ in _month_scorecard(snapshot)}
    planned = {a.kpi for a in load_plan(settings.improvement_plan_path, every_code)}
    rows = doc.rows["plan-table"][1:]
    listed = {row[0].split(" ")[0] for row in rows}
    for name, code in missed.items():
        kpi_rows = [row for row in rows if row[0].startswith(name)]
        assert kpi_rows, f"{name} is not in the plan table ({listed})"
        if code not in planned:
            assert [row[2] for row in kpi_rows] == ["no action planned"], name
        else:
            assert all(row[2] != "no action planned" and row[3] and row[4] for row in kpi_rows), name
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
