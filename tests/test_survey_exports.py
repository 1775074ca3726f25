"""Survey tools' exports, read through their shipped mappings, loaded and built into the marts.

The fixtures (tests/fixtures/survey_exports/, written by make_fixtures.py there) are exports in
each tool's real download layout; every expected number below is worked out by hand from them.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion import pipeline
from ingestion.errors import SurveyMappingError, TotalLossError
from ingestion.settings import PROJECT_ROOT, load_settings
from ingestion.sources.survey_csv import load_mapping
from tests.conftest import REAL_ACCOUNT_VARIABLES
from tests.dbt_build import dbt_build
from tests.fixtures.survey_exports import make_fixtures

FIXTURES = PROJECT_ROOT / "tests/fixtures/survey_exports"
WJX_FILE = "108397328_0_客户满意度回访.xlsx"
TENCENT_FILE = "9799234_20260318213015.csv"
RETAIL_FILE = "nps_export_2026-03-18.csv"
D = date(2026, 3, 18)
D1 = date(2026, 3, 19)

# A tool of our own on a 1-7 scale, where 6-7 count as satisfied: one answer a day on D+2.
PANEL7_MAPPING = """
tool: panel7
files: "panel7_{date:%Y%m%d}.csv"
submitted_at: {column: Answered, format: "%Y-%m-%d %H:%M"}
columns: {response_id: Id}
questions:
  overall: {column: Satisfaction (1-7), scale: 1-7, positive: 6-7}
"""
PANEL7_FILE = "panel7_20260320.csv"
PANEL7_ROWS = "Id,Answered,Satisfaction (1-7)\np1,2026-03-20 10:00,7\np2,2026-03-20 11:00,5\np3,2026-03-20 12:00,6\n"


def _use_accounts_with_drops(tmp: Path, monkeypatch: pytest.MonkeyPatch, mappings: Path) -> Path:
    """A deployment whose only source is a survey drop folder (every API source is off)."""
    for name in (*REAL_ACCOUNT_VARIABLES, "CSKPI_SOURCES"):
        monkeypatch.delenv(name, raising=False)
    drops = tmp / "drops"
    drops.mkdir()
    monkeypatch.setenv("CSKPI_DATA_DIR", str(tmp / "data"))
    monkeypatch.setenv("CSKPI_SURVEY_DROP_DIR", str(drops))
    monkeypatch.setenv("CSKPI_SURVEY_MAPPING_DIR", str(mappings))
    return drops


def _mappings(tmp: Path, *extra: tuple[str, str]) -> Path:
    directory = tmp / "mappings"
    directory.mkdir()
    for name in ("wjx.yaml", "tencent.yaml", "nps_retail.yaml"):
        shutil.copy(PROJECT_ROOT / "config/survey_mappings" / name, directory / name)
    for name, text in extra:
        (directory / name).write_text(text, "utf-8")
    return directory


def _ingest_all(run_id: str, first: date, last: date, messages: list[str] | None = None) -> None:
    settings = load_settings()
    say = messages.append if messages is not None else (lambda _: None)
    for ingest in pipeline.DAILY_INGESTS:
        ingest(settings, first, last, run_id, say)
    for ingest in pipeline.REFERENCE_INGESTS:
        ingest(settings, run_id, say)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The three shipped tools' fixtures and a 1-7 tool, loaded by the pipeline and built by dbt."""
    tmp = tmp_path_factory.mktemp("survey_exports")
    with pytest.MonkeyPatch.context() as monkeypatch:
        drops = _use_accounts_with_drops(tmp, monkeypatch, _mappings(tmp, ("panel7.yaml", PANEL7_MAPPING)))
        for name in (WJX_FILE, TENCENT_FILE, RETAIL_FILE):
            shutil.copy(FIXTURES / name, drops / name)
        (drops / PANEL7_FILE).write_text(PANEL7_ROWS, "utf-8")
        messages: list[str] = []
        _ingest_all("run-1", D, date(2026, 3, 20), messages)
        warehouse = load_settings().warehouse_path
        dbt_build(warehouse, tmp)
    with closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        yield con, messages


def _tool(con, tool: str) -> dict:
    """What a BI user computes from fct_survey_responses for one tool."""
    row = con.execute(
        """
        select count(*),
               count(is_csat_positive), count(*) filter (where is_csat_positive),
               avg(overall_score), count(overall_score),
               count(nps_category), count(*) filter (where nps_category = 'promoter'),
               count(*) filter (where nps_category = 'detractor'),
               avg(speed_score), count(speed_score)
        from marts.fct_survey_responses where survey_source = ?
        """,
        [tool],
    ).fetchone()
    keys = ("responses", "csat_answers", "csat_positive", "csat_mean", "csat_scored", "nps_answers",
            "promoters", "detractors", "speed_mean", "speed_answers")  # fmt: skip
    return dict(zip(keys, row, strict=True))


def test_wjx_excel_export(built):
    con, messages = built
    # Six rows: 1-4 answered, 5 skipped every question (loaded, counted, left out of the KPIs),
    # 6 answered an option text the survey does not have (特别满意): rejected.
    assert any(f"[wjx] {WJX_FILE}: fetched 6, loaded 5, rejected 1" in m and "1 answered no KPI question" in m
               for m in messages), messages  # fmt: skip
    t = _tool(con, "wjx")
    assert t["responses"] == 4
    # Overall 非常满意 5, 满意 4, 一般 3, 不满意 2: 4-5 is satisfied -> CSAT 2 / 4 = 50 %, mean 14 / 4 = 3.5.
    assert (t["csat_positive"], t["csat_answers"], t["csat_mean"]) == (2, 4, 3.5)
    # Speed 5, (跳过), 3, 2: three answers, mean 10 / 3.
    assert (t["speed_answers"], t["speed_mean"]) == (3, pytest.approx(10 / 3))
    # 愿意 promoter, 不确定 passive, 不愿意 twice detractors: NPS (1 - 2) / 4 = -25.
    assert (t["promoters"], t["detractors"], t["nps_answers"]) == (1, 2, 4)
    # The export holds two days: each row counts on its own submission day (18th: 1, 2; 19th: 3, 4).
    days = con.execute(
        "select submitted_date, count(*) from marts.fct_survey_responses where survey_source = 'wjx' group by 1"
    ).fetchall()
    assert sorted(days) == [(D, 2), (D1, 2)]
    reject = con.execute("select record_id, reason from raw._rejects where scope = 'wjx'").fetchall()
    assert reject == [("wjx:6", "overall answer is neither a number nor a label of its scale")]


def test_tencent_csv_export(built):
    con, messages = built
    # 105 answered NPS 11: rejected. 103's 自定义字段 is "ZD-88", no ticket number: kept, not linked.
    assert any(f"[tencent] {TENCENT_FILE}: fetched 5, loaded 4, rejected 1" in m and "1 ticket id(s)" in m
               for m in messages), messages  # fmt: skip
    t = _tool(con, "tencent")
    assert t["responses"] == 4
    # A.非常满意 5, B.满意 4, D.不满意 2; 104 answered only NPS: CSAT 2 / 3, mean 11 / 3.
    assert (t["csat_positive"], t["csat_answers"], t["csat_mean"]) == (2, 3, pytest.approx(11 / 3))
    # NPS 10, 9 promoters, 7 passive, 6 detractor: (2 - 1) / 4 = 25.
    assert (t["promoters"], t["detractors"], t["nps_answers"]) == (2, 1, 4)
    rows = con.execute(
        "select response_id, channel, submitted_date from marts.fct_survey_responses "
        "where survey_source = 'tencent' order by 1"
    ).fetchall()
    # the channel is the mapping's fixed one; "18-Mar-2026 00:01:00" (the newer date style) is the 18th
    assert rows == [(f"tencent:{n}", "wechat", D) for n in (101, 102, 103, 104)]
    unlinked = con.execute("select ticket_ref, ticket_id from raw.surveys__csv_responses where id = '103'")
    assert unlinked.fetchall() == [("ZD-88", None)]


def test_nps_only_export_without_a_date_column(built):
    con, messages = built
    # R-5 answered NA: skipped and counted, not rejected; nothing else is wrong.
    assert any(f"[nps_retail] {RETAIL_FILE}: fetched 6, loaded 6, rejected 0" in m and "1 answered no KPI" in m
               for m in messages), messages  # fmt: skip
    t = _tool(con, "nps_retail")
    # 10, 9 promoters; 8 passive; 3, 0 detractors: NPS (2 - 2) / 5 = 0. No CSAT question at all.
    assert (t["responses"], t["promoters"], t["detractors"], t["nps_answers"]) == (5, 2, 2, 5)
    assert (t["csat_answers"], t["csat_scored"]) == (0, 0)
    # every response counts on the file's day; the channel is the mapping's fixed one
    assert con.execute(
        "select distinct submitted_date, channel from marts.fct_survey_responses where survey_source = 'nps_retail'"
    ).fetchall() == [(D, "email")]


def test_published_daily_kpis_add_the_tools_up(built):
    con, _ = built
    p = dict(zip(*_parts(con, D), strict=True))
    # On the 18th: wjx 1, 2; tencent 101-104; nps_retail R-1..R-4, R-6 -> 2 + 4 + 5 = 11 responses.
    assert p["survey_responses"] == 11
    # CSAT: wjx 5, 4 and tencent 5, 4, 2 -> 4 of 5 satisfied, sum 20 (mean 4.0).
    assert (p["csat_positive_responses"], p["csat_responses"], p["csat_score_sum"]) == (4, 5, 20)
    # NPS: promoters wjx 1 + tencent 2 + retail 2 = 5; detractors 0 + 1 + 2 = 3; answers 2 + 4 + 5 = 11.
    assert (p["nps_promoters"], p["nps_detractors"], p["nps_responses"]) == (5, 3, 11)
    nps = con.execute(
        "select actual_value from marts.rpt_kpi_scorecard where period_type = 'day' and period_start = ? "
        "and kpi_code = 'nps'",
        [D],
    ).fetchone()[0]
    assert nps == pytest.approx(100 * (5 - 3) / 11)  # 18.18


def test_a_seven_point_scale_counts_in_csat_but_not_in_the_five_point_mean(built):
    con, _ = built
    p = dict(zip(*_parts(con, date(2026, 3, 20)), strict=True))
    # 7 and 6 are satisfied (positive: 6-7), 5 is not: CSAT 2 / 3; no 5-point answer, so no mean.
    assert (p["csat_positive_responses"], p["csat_responses"], p["csat_scored_responses"]) == (2, 3, 0)
    # the answers on their own scale, for a mean there: (7 + 5 + 6) / 3 = 6 on 1-7
    assert con.execute(
        "select csat_scale, min(csat_scale_min), max(csat_scale_max), avg(csat_value) "
        "from marts.fct_survey_responses where survey_source = 'panel7' group by 1"
    ).fetchall() == [("scale_1_7", 1, 7, 6.0)]


def _parts(con, day: date) -> tuple[list[str], tuple]:
    cursor = con.execute("select * from marts.fct_kpi_daily where kpi_date = ? limit 0", [day])
    names = [d[0] for d in cursor.description]
    sums = ", ".join(f"sum({n})" for n in names if n.startswith(("survey_", "csat_", "nps_")))
    wanted = [n for n in names if n.startswith(("survey_", "csat_", "nps_"))]
    return wanted, con.execute(f"select {sums} from marts.fct_kpi_daily where kpi_date = ?", [day]).fetchone()


# ---- loading, without dbt ------------------------------------------------------------------------


@pytest.fixture
def drops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return _use_accounts_with_drops(tmp_path, monkeypatch, _mappings(tmp_path))


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with closing(duckdb.connect(str(load_settings().warehouse_path), read_only=True)) as con:
        return con.execute(sql, params or []).fetchall()


def test_hostile_headers_are_kept_under_their_own_names(tmp_path, monkeypatch):
    mapping = """
tool: hostile
files: "hostile_{date:%Y%m%d}.csv"
submitted_at: {column: filename, format: "%Y-%m-%d %H:%M:%S"}
columns:
  response_id: t
  comment: {position: 9}
questions:
  overall: {column: select, scale: 1-5}
  nps: {column: {regex: "^dup"}, scale: 0-10}
"""
    mappings = tmp_path / "m"
    mappings.mkdir()
    (mappings / "hostile.yaml").write_text(mapping, "utf-8")
    drops = _use_accounts_with_drops(tmp_path, monkeypatch, mappings)
    # names a loader could trip on: a row alias, read_csv's own column, SQL keywords, a space, a
    # quote, Chinese, JSON-path characters, the raw table's own column names, an empty header
    header = 't,filename,rec,select,"my col","a""b",中文,$.x,"",_record,order,dupe'
    row = "r1,2026-03-18 10:00:00,x,4,v1,v2,v3,v4,a comment,v5,v6,9"
    (drops / "hostile_20260318.csv").write_text(f"{header}\n{row}\n", "utf-8")
    result = pipeline.ingest_survey_csv(load_settings(), D, D, "run-1")
    assert (result.records_fetched, result.records_loaded) == (1, 1)
    (record,) = _rows("select _record::varchar from raw.surveys__csv_responses")[0]
    assert json.loads(record) == {
        "t": "r1", "filename": "2026-03-18 10:00:00", "rec": "x", "select": "4", "my col": "v1", 'a"b': "v2",
        "中文": "v3", "$.x": "v4", "(column 9)": "a comment", "_record": "v5", "order": "v6", "dupe": "9",
    }  # fmt: skip
    assert _rows(
        "select id, submitted_at::varchar, csat_value, nps_answer, comment from raw.surveys__csv_responses"
    ) == [("r1", "2026-03-18 02:00:00", 4, "9", "a comment")]


def test_duplicate_header_names_both_kept(tmp_path, monkeypatch):
    mapping = """
tool: dups
files: "dups.csv"
submitted_at: {constant_date: 2026-03-18}
columns: {response_id: {position: 1}}
questions: {nps: {column: {position: 3}, scale: 0-10}}
"""
    mappings = tmp_path / "m"
    mappings.mkdir()
    (mappings / "dups.yaml").write_text(mapping, "utf-8")
    drops = _use_accounts_with_drops(tmp_path, monkeypatch, mappings)
    (drops / "dups.csv").write_text("id,score,score\nx1,3,8\n", "utf-8")
    pipeline.ingest_survey_csv(load_settings(), D, D, "run-1")
    assert _rows("select _record::varchar, nps_answer from raw.surveys__csv_responses") == [
        ('{"id":"x1","score":"3","score (2)":"8"}', "8")
    ]


def test_a_file_whose_rows_all_fail_fails_the_run_naming_it(drops):
    rows = [[f"{n}", "2026/03/18 10:00:00", "1秒", "", "", "", 1, "微信", "满意", "", "", "", "", "也许", "", ""]
            for n in range(1, 11)]  # fmt: skip
    make_fixtures.write_wjx(drops / WJX_FILE, rows)  # ten rows, every NPS answer "也许": none is an option
    with pytest.raises(TotalLossError) as failed:
        pipeline.ingest_survey_csv(load_settings(), D, D, "run-1")
    assert str(failed.value) == (
        f"surveys.csv_responses[wjx] {WJX_FILE}: all 10 records were rejected, none loaded "
        "(unknown nps answer (10)). Fix the mapping or the source, then re-run; the rejects are in raw._rejects"
    )


def test_dropping_an_export_again_and_an_overlapping_newer_one_keeps_each_response_once(drops):
    messages: list[str] = []
    make_fixtures.write_wjx(drops / WJX_FILE, make_fixtures.WJX_ROWS[:4])
    pipeline.ingest_survey_csv(load_settings(), D, D, "run-1", messages.append)
    # the same download again: unchanged, not read again
    pipeline.ingest_survey_csv(load_settings(), D, D, "run-2", messages.append)
    assert f"surveys.csv_responses[wjx] {WJX_FILE}: loaded before with this mapping, unchanged; skipped" in messages
    # a newer download, all six rows, under another name: rows 1-4 are duplicates; 5 new, 6 rejected
    make_fixtures.write_wjx(drops / WJX_FILE.replace("_0_", "_1_"), make_fixtures.WJX_ROWS)
    result = pipeline.ingest_survey_csv(load_settings(), D, D1, "run-3", messages.append)
    assert (result.records_loaded, result.duplicates_dropped, result.records_rejected) == (1, 4, 1)
    assert _rows("select id, count(*) from raw.surveys__csv_responses group by 1 order by 1") == [
        (str(n), 1) for n in range(1, 6)
    ]
    # a dated export read again (a re-run of its day) is all duplicates
    shutil.copy(FIXTURES / TENCENT_FILE, drops / TENCENT_FILE)
    first = pipeline.ingest_survey_csv(load_settings(), D, D, "run-4")
    again = pipeline.ingest_survey_csv(load_settings(), D, D, "run-5")
    tencent = [r for r in again.per_partition if r.notes.get("file") == TENCENT_FILE]
    assert [(r.records_loaded, r.duplicates_dropped, r.records_rejected) for r in tencent] == [(0, 4, 1)]
    assert first.records_loaded == 4


def test_the_same_answers_downloaded_again_later_are_unchanged(drops):
    """问卷星's download is a new workbook each time: other save times, the same cells. It is skipped."""
    messages: list[str] = []
    make_fixtures.write_wjx(drops / WJX_FILE, make_fixtures.WJX_ROWS[:4])
    pipeline.ingest_survey_csv(load_settings(), D, D, "run-1", messages.append)
    # the same cells saved a year later: every entry's zip time and the document's times differ
    saved = drops / WJX_FILE
    with zipfile.ZipFile(saved) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    parts["docProps/core.xml"] = re.sub(rb"2\d\d\d-", b"2031-", parts["docProps/core.xml"])
    with zipfile.ZipFile(saved, "w", zipfile.ZIP_DEFLATED) as book:
        for name, body in parts.items():
            book.writestr(zipfile.ZipInfo(name, date_time=(2031, 1, 2, 3, 4, 5)), body)
    again = pipeline.ingest_survey_csv(load_settings(), D, D, "run-2", messages.append)
    assert f"surveys.csv_responses[wjx] {WJX_FILE}: loaded before with this mapping, unchanged; skipped" in messages
    assert again.notes == {"unchanged_exports_skipped": [WJX_FILE]}
    # a day later the download holds a fifth response: the file is read again; response 5 loads (1),
    # responses 1-4 are held, counted duplicates (4)
    make_fixtures.write_wjx(saved, make_fixtures.WJX_ROWS[:5])
    grown = pipeline.ingest_survey_csv(load_settings(), D, D, "run-3")
    assert (grown.notes, grown.records_loaded, grown.duplicates_dropped) == ({}, 1, 4)


def test_wrong_encoding_is_a_clear_error(drops):
    (drops / TENCENT_FILE).write_bytes((FIXTURES / TENCENT_FILE).read_text("utf-8-sig").encode("utf-16"))
    with pytest.raises(SurveyMappingError, match="cannot be decoded as utf-8-sig"):
        pipeline.ingest_survey_csv(load_settings(), D, D, "run-1")


def test_a_mapping_naming_a_missing_column_is_a_clear_error(drops):
    text = (FIXTURES / TENCENT_FILE).read_text("utf-8-sig").replace("自定义字段", "来源渠道")
    (drops / TENCENT_FILE).write_bytes(text.encode("utf-8-sig"))
    lacks = re.escape("names columns the export lacks: [\"ticket_id -> exact '自定义字段'\"]")
    with pytest.raises(SurveyMappingError, match=lacks):
        pipeline.ingest_survey_csv(load_settings(), D, D, "run-1")


BASE = """
tool: x
files: "x_{date:%Y%m%d}.csv"
submitted_at: {column: When, format: "%Y-%m-%d"}
columns: {response_id: Id}
questions:
  overall: {column: Score, scale: 1-5}
"""
OVERALL = "  overall: {column: Score, scale: 1-5}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("files: ", "file_pattern: "), "uses the old format: 'file_pattern' is now files"),
        (("scale: 1-5", "scale: 1-7"), "on a 1-7 scale say which scores count as satisfied"),
        (("scale: 1-5", "scale: 1-5, positive: 3-5"), "on the 5-point scale CSAT positive is 4-5"),
        (("scale: 1-5", "scale: stars"), "scale is a range like 1-5"),
        ((OVERALL + "\n", ""), "at least one KPI question"),
        (("  overall:", "  speed:"), None),  # a dimension alone is a KPI question
        ((OVERALL, "  speed: {column: S, scale: 1-7, positive: [7]}"), "a dimension is scored 1-5"),
        ((OVERALL, "  nps: {column: N, scale: three_option}"), "three_option needs labels"),
        (("{column: When, format: \"%Y-%m-%d\"}", "{column: When}"), "submitted_at.format"),
        (("{column: When, format: \"%Y-%m-%d\"}", "{from_file_name: true}"), None),
        (("x_{date:%Y%m%d}.csv", "x.csv"), None),
        (("columns: {response_id: Id}", "columns: {response_id: {prefix: ''}}"), "a column is a header text"),
        (("columns: {response_id: Id}", "columns: {response_id: {regex: '('}}"), "does not compile"),
        (("tool: x", 'tool: "x\'; drop table raw._rejects; --"'), "tool must be a short lower-case name"),
    ],
)  # fmt: skip
def test_mappings_are_checked_with_a_message_that_says_what_to_write(tmp_path, change, message):
    path = tmp_path / "m.yaml"
    path.write_text(BASE.replace(*change), "utf-8")
    if message is None:
        load_mapping(path)
    else:
        with pytest.raises(SurveyMappingError, match=message):
            load_mapping(path)


def test_a_prefix_that_matches_two_columns_is_refused(drops):
    text = (FIXTURES / TENCENT_FILE).read_text("utf-8-sig").replace("3.还有什么", "1.还有什么")
    (drops / TENCENT_FILE).write_bytes(text.encode("utf-8-sig"))
    with pytest.raises(SurveyMappingError, match=re.escape("overall (prefix '1.') matches 2 columns")):
        pipeline.ingest_survey_csv(load_settings(), D, D, "run-1")


def test_a_bench_size_excel_export_loads_under_a_modest_memory_limit(drops, monkeypatch):
    # The bench's 问卷星 download of 2026-03 (13,700 tickets a day) held 14,712 rows, 1.1 MB, and its
    # load died at DuckDB's 3 GB cap: the statement read the JSON record hundreds of times. 500 MB
    # is a sixth of that cap and several times what the load needs now.
    monkeypatch.setenv("CSKPI_DUCKDB_MEMORY_LIMIT", "500MB")
    copies = 2_500
    rows = [[n * 6 + row[0], *row[1:]] for n in range(copies) for row in make_fixtures.WJX_ROWS]
    make_fixtures.write_wjx(drops / "108397328_1_客户满意度回访.xlsx", rows)
    result = pipeline.ingest_survey_csv(load_settings(), D, D1, "run-1")
    # Each copy of the six fixture rows has its own 序号: rows 1-5 load (5 answered no KPI question,
    # still loaded), row 6 (特别满意) is rejected. 2,500 copies: 15,000 read, 12,500 loaded, 2,500 rejected.
    counts = (result.records_fetched, result.records_loaded, result.records_rejected, result.duplicates_dropped)
    assert counts == (15_000, 12_500, 2_500, 0)
    # Per copy overall 非常满意 5 + 满意 4 + 一般 3 + 不满意 2 (row 5 skipped): 14 -> 35,000 over 10,000
    # answers; speed 5, (跳过), 3, 2 -> 10 over 3, 25,000 over 7,500; NPS 愿意, 不确定, 不愿意, 不愿意 -> 1
    # willing, 2,500.
    assert _rows(
        "select count(*), count(distinct id), sum(csat_value), count(csat_value), sum(speed_score), "
        "count(speed_score), count(*) filter (where nps_answer = 'willing') from raw.surveys__csv_responses"
    ) == [(12_500, 12_500, 35_000, 10_000, 25_000, 7_500, 2_500)]
    assert _rows("select count(*), count(distinct payload_md5) from raw._rejects where scope = 'wjx'") == [
        (2_500, 2_500)
    ]
