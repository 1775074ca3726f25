"""Survey CSV exports in GBK and Latin-1, read through YAML mappings and loaded with read_csv."""

from __future__ import annotations

from contextlib import closing
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion import pipeline
from ingestion.errors import SurveyMappingError
from ingestion.settings import PROJECT_ROOT, load_settings
from ingestion.sources.survey_csv import load_mapping

DAY = date(2026, 3, 18)

WJX_HEADER = "答卷编号,提交时间,工单号,渠道,总体满意度,响应速度,解答准确性,服务态度,问题解决,推荐意愿,意见建议\n"
WJX_ROWS = (
    "r1,2026/03/18 09:30:00,73965800001,在线客服,5,5,4,5,5,愿意,非常满意\n"
    "r2,2026/03/18 23:59:59,,微信,3,2,3,4,3,不确定,回复太慢\n"
    "r3,2026/03/18 10:00:00,73965800002,电话,7,5,5,5,5,愿意,分数超出范围\n"  # CSAT 7 on a 5-point scale
    "r4,2026/03/18 11:00:00,73965800003,邮件,4,,4,4,4,也许,未知选项\n"  # not one of the three options
)

LATIN1_MAPPING = """
tool: satisfacao
file_pattern: "export-{date:%d-%m-%Y}.csv"
encoding: latin-1
delimiter: ";"
date_format: "%d/%m/%Y %H:%M"
timezone: Europe/Lisbon
nps_scale: zero_to_ten
columns:
  response_id: Réponse
  submitted_at: Date de réponse
  ticket_id: Ticket
  overall: Satisfação
  nps: Recommandation
  comment: Commentaire
"""
LATIN1_ROWS = (
    "Réponse;Date de réponse;Ticket;Satisfação;Recommandation;Commentaire\n"
    "a-1;18/03/2026 09:15;42;4;9;Très bien, merci\n"
    "a-2;18/03/2026 17:40;;2;11;Résolution lente\n"  # NPS 11 does not exist
    "a-3;pas une date;43;5;10;Parfait\n"  # unparseable submission time
)


@pytest.fixture
def drops(sample_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    drop_dir = tmp_path / "drops"
    drop_dir.mkdir()
    monkeypatch.setenv("CSKPI_SURVEY_DROP_DIR", str(drop_dir))
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "wjx.yaml").write_text((PROJECT_ROOT / "config/survey_mappings/wjx.yaml").read_text("utf-8"), "utf-8")
    (mappings / "satisfacao.yaml").write_text(LATIN1_MAPPING, "utf-8")
    monkeypatch.setenv("CSKPI_SURVEY_MAPPING_DIR", str(mappings))
    (drop_dir / "wjx_export_20260318.csv").write_bytes((WJX_HEADER + WJX_ROWS).encode("gbk"))
    (drop_dir / "export-18-03-2026.csv").write_bytes(LATIN1_ROWS.encode("latin-1"))
    return drop_dir


def _rows(sql: str) -> list[tuple]:
    with closing(duckdb.connect(str(load_settings().warehouse_path), read_only=True)) as con:
        return con.execute(sql).fetchall()


def test_gbk_and_latin1_exports_load_through_their_mappings(drops):
    result = pipeline.ingest_survey_csv(load_settings(), DAY, DAY, "run-1")
    assert (result.records_loaded, result.records_rejected) == (3, 4)

    wjx = _rows(
        "select id, submitted_at::varchar, channel, overall_score, speed_score, nps_answer, comment "
        "from raw.surveys__csv_responses where survey_tool = 'wjx' order by id"
    )
    assert wjx == [
        # 09:30 in Shanghai is 01:30 UTC
        ("r1", "2026-03-18 01:30:00", "在线客服", 5, 5, "willing", "非常满意"),
        ("r2", "2026-03-18 15:59:59", "微信", 3, 2, "unsure", "回复太慢"),
    ]
    latin = _rows(
        "select id, submitted_at::varchar, overall_score, nps_answer, nps_scale, comment "
        "from raw.surveys__csv_responses where survey_tool = 'satisfacao'"
    )
    # Lisbon is on UTC in March (before the last Sunday).
    assert latin == [("a-1", "2026-03-18 09:15:00", 4, "9", "zero_to_ten", "Très bien, merci")]

    rejects = _rows("select scope, record_id, reason from raw._rejects order by scope, record_id")
    assert rejects == [
        ("satisfacao", "a-2", "nps out of range"),
        ("satisfacao", "a-3", "unparseable submitted_at"),
        ("wjx", "r3", "overall score out of range"),
        ("wjx", "r4", "unknown nps answer"),
    ]
    # The original file lands untouched, beside the UTF-8 copy that was loaded.
    landed = sorted((load_settings().landing_dir / "surveys").rglob("wjx_export_20260318*"))
    assert [p.name for p in landed] == ["wjx_export_20260318.csv", "wjx_export_20260318.utf8.csv"]
    assert landed[0].read_bytes() == (drops / "wjx_export_20260318.csv").read_bytes()


def test_reloading_an_export_replaces_it(drops):
    for run in ("run-1", "run-2"):
        pipeline.ingest_survey_csv(load_settings(), DAY, DAY, run)
    assert _rows("select count(*) from raw.surveys__csv_responses") == [(3,)]
    assert _rows("select count(*) from raw._rejects") == [(4,)]


def test_a_day_without_an_export_keeps_what_was_loaded(drops):
    pipeline.ingest_survey_csv(load_settings(), DAY, DAY, "run-1")
    for f in drops.iterdir():
        f.unlink()
    messages: list[str] = []
    pipeline.ingest_survey_csv(load_settings(), DAY, DAY, "run-2", messages.append)
    assert _rows("select count(*) from raw.surveys__csv_responses") == [(3,)]
    assert any("no export" in m for m in messages)


def test_wrong_encoding_is_a_clear_error(drops, tmp_path):
    (drops / "wjx_export_20260318.csv").write_bytes((WJX_HEADER + WJX_ROWS).encode("utf-16"))
    with pytest.raises(SurveyMappingError, match="cannot be decoded as gbk"):
        pipeline.ingest_survey_csv(load_settings(), DAY, DAY, "run-1")


def test_a_mapping_naming_a_missing_column_is_a_clear_error(drops):
    (drops / "export-18-03-2026.csv").write_bytes(LATIN1_ROWS.replace("Satisfação", "Note").encode("latin-1"))
    with pytest.raises(SurveyMappingError, match="overall -> 'Satisfação'"):
        pipeline.ingest_survey_csv(load_settings(), DAY, DAY, "run-1")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("encoding: latin-1", "encoding: klingon"), "unknown encoding"),
        (("nps_scale: zero_to_ten", "nps_scale: stars"), "nps_scale must be one of"),
        (("  overall: Satisfação\n", ""), "columns must name"),
        (('file_pattern: "export-{date:%d-%m-%Y}.csv"', 'file_pattern: "export.csv"'), "must contain the export day"),
        (("tool: satisfacao", 'tool: "x\'; drop table raw._rejects; --"'), "tool must be a short lower-case name"),
    ],
)
def test_bad_mappings_are_refused(tmp_path, change, message):
    path = tmp_path / "bad.yaml"
    path.write_text(LATIN1_MAPPING.replace(*change), "utf-8")
    with pytest.raises(SurveyMappingError, match=message):
        load_mapping(path)
