"""Survey CSV exports dropped into a folder, each tool described by a YAML mapping.

A mapping names the export's file pattern, encoding, date format and which column holds each
field; adding a survey tool is adding a mapping file. The original file lands untouched; a UTF-8
copy beside it is what DuckDB's read_csv loads (DuckDB reads only UTF-8/UTF-16/Latin-1 natively).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ingestion.errors import SurveyMappingError
from ingestion.landing import LandingBatch
from ingestion.streams import FUTURE, Column, StreamSpec

FIELDS = (
    "response_id",
    "submitted_at",
    "ticket_id",
    "channel",
    "overall",
    "speed",
    "accuracy",
    "attitude",
    "resolution",
    "nps",
    "comment",
)
REQUIRED_FIELDS = ("response_id", "submitted_at", "overall")
NPS_SCALES = ("zero_to_ten", "three_option")
THREE_OPTIONS = ("willing", "unsure", "unwilling")


@dataclass(frozen=True)
class SurveyCsvMapping:
    tool: str
    file_pattern: str  # e.g. "wjx_export_{date:%Y%m%d}.csv": one export per local day
    encoding: str
    delimiter: str
    date_format: str  # strptime format of submitted_at, in `timezone`
    timezone: str
    nps_scale: str
    nps_labels: dict[str, str]  # three_option: source label -> willing / unsure / unwilling
    columns: dict[str, str]  # field -> column header in the export
    path: Path

    def file_name(self, day: date) -> str:
        return self.file_pattern.format(date=day)


def _fail(path: Path, message: str) -> SurveyMappingError:
    return SurveyMappingError(f"survey mapping {path}: {message}")


def load_mapping(path: Path) -> SurveyCsvMapping:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(path, f"is not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise _fail(path, "must be a mapping of keys to values")
    for key in ("tool", "file_pattern", "encoding", "date_format", "nps_scale", "columns"):
        if key not in raw:
            raise _fail(path, f"missing required key '{key}'")
    try:
        codecs.lookup(raw["encoding"])
    except LookupError as exc:
        raise _fail(path, f"unknown encoding {raw['encoding']!r}") from exc
    if raw["nps_scale"] not in NPS_SCALES:
        raise _fail(path, f"nps_scale must be one of {NPS_SCALES}, not {raw['nps_scale']!r}")
    columns = raw["columns"]
    unknown = set(columns) - set(FIELDS)
    if unknown:
        raise _fail(path, f"unknown fields {sorted(unknown)}; known fields are {FIELDS}")
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        raise _fail(path, f"columns must name {missing}")
    labels = raw.get("nps_labels") or {}
    if raw["nps_scale"] == "three_option":
        if "nps" not in columns:
            raise _fail(path, "nps_scale three_option needs a column for 'nps'")
        bad = {v for v in labels.values() if v not in THREE_OPTIONS}
        if bad or set(labels.values()) != set(THREE_OPTIONS):
            raise _fail(path, f"nps_labels must map source labels onto each of {THREE_OPTIONS}")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", str(raw["tool"])):
        raise _fail(path, f"tool must be a short lower-case name (letters, digits, _), not {raw['tool']!r}")
    if "{date" not in raw["file_pattern"]:
        raise _fail(path, "file_pattern must contain the export day, e.g. 'tool_{date:%Y%m%d}.csv'")
    return SurveyCsvMapping(
        tool=str(raw["tool"]),
        file_pattern=raw["file_pattern"],
        encoding=raw["encoding"],
        delimiter=raw.get("delimiter", ","),
        date_format=raw["date_format"],
        timezone=raw.get("timezone", "Asia/Shanghai"),
        nps_scale=raw["nps_scale"],
        nps_labels={str(k): str(v) for k, v in labels.items()},
        columns={k: str(v) for k, v in columns.items()},
        path=path,
    )


def load_mappings(directory: Path) -> list[SurveyCsvMapping]:
    mappings = [load_mapping(p) for p in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))]
    tools = [m.tool for m in mappings]
    if len(tools) != len(set(tools)):
        raise SurveyMappingError(f"survey mappings in {directory}: tool names must be unique, got {tools}")
    return mappings


def land_export(mapping: SurveyCsvMapping, drop_dir: Path, day: date, batch: LandingBatch) -> Path | None:
    """Land the day's export as received plus a UTF-8 copy; return the copy (None: no export that day)."""
    source = drop_dir / mapping.file_name(day)
    if not source.exists():
        return None
    original = source.read_bytes()
    batch.write_file(source.name, original)
    try:
        text = original.decode(mapping.encoding)
    except UnicodeDecodeError as exc:
        raise SurveyMappingError(
            f"{source}: cannot be decoded as {mapping.encoding} (mapping {mapping.path}) at byte {exc.start}; "
            "fix the mapping's encoding or re-export the file"
        ) from exc
    text = text.removeprefix("\ufeff")
    header = next(csv.reader(io.StringIO(text), delimiter=mapping.delimiter), [])
    absent = [f"{field} -> {col!r}" for field, col in mapping.columns.items() if col not in header]
    if absent:
        raise SurveyMappingError(
            f"{source}: the mapping {mapping.path} names columns the export lacks: {absent}; header is {header}"
        )
    return batch.write_file(source.stem + ".utf8.csv", text.encode("utf-8"))


def count_rows(utf8: Path, mapping: SurveyCsvMapping) -> int:
    """Data rows of a landed export as Python's csv module reads them (quoted line breaks included,
    blank lines not): the count the loader's rows must match."""
    with open(utf8, encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter=mapping.delimiter)
        next(rows, None)
        return sum(1 for row in rows if row)


def _q(value: str) -> str:
    return value.replace("'", "''")


def stream_spec(mapping: SurveyCsvMapping) -> StreamSpec:
    """The raw stream of one tool's exports: same table for every tool, scoped by `survey_tool`."""

    def field(name: str) -> str:
        col = mapping.columns.get(name)
        return f"nullif(trim(rec->>'{_q(col)}'), '')" if col else "null"

    def score(name: str) -> str:
        return f"try_cast({field(name)} as integer)"

    submitted = (
        f"timezone('UTC', timezone('{mapping.timezone}', try_strptime({field('submitted_at')}, "
        f"'{_q(mapping.date_format)}')))::timestamp"
    )
    if mapping.nps_scale == "three_option":
        cases = " ".join(f"when '{_q(k)}' then '{v}'" for k, v in mapping.nps_labels.items())
        nps_answer = f"case {field('nps')} {cases} else {field('nps')} end"
        nps_rule = (f"nps_answer is not null and nps_answer not in {THREE_OPTIONS}", "unknown nps answer")
    else:
        nps_answer = field("nps")
        nps_rule = (
            "nps_answer is not null and (try_cast(nps_answer as integer) is null "
            "or try_cast(nps_answer as integer) not between 0 and 10)",
            "nps out of range",
        )
    rules = [
        ("id is null", "missing id"),
        ("submitted_at is null", "unparseable submitted_at"),
        (f"submitted_at > {FUTURE}", "future submitted_at"),
        (f"{field('overall')} is not null and overall_score is null", "overall score not a number"),
        ("overall_score is not null and overall_score not between 1 and 5", "overall score out of range"),
    ]
    for dim in ("speed", "accuracy", "attitude", "resolution"):
        rules.append((f"{dim}_score is not null and {dim}_score not between 1 and 5", f"{dim} score out of range"))
    rules.append(nps_rule)
    return StreamSpec(
        source="surveys",
        stream="csv_responses",
        mode="partition",
        reader=(
            # the row as received; merge-patching filename to null drops read_csv's own column
            """select filename, json_merge_patch(to_json(t), '{"filename": null}') as rec """
            "from read_csv({files}, all_varchar=true, header=true, "
            f"delim='{_q(mapping.delimiter)}', filename=true) t"
        ),
        columns=(
            Column("survey_tool", f"'{_q(mapping.tool)}'", "varchar"),
            Column("id", field("response_id"), "varchar"),
            Column("submitted_at", submitted, "timestamp"),
            Column("ticket_id", f"try_cast({field('ticket_id')} as bigint)", "bigint"),
            Column("channel", field("channel"), "varchar"),
            Column("overall_score", score("overall"), "integer"),
            Column("speed_score", score("speed"), "integer"),
            Column("accuracy_score", score("accuracy"), "integer"),
            Column("attitude_score", score("attitude"), "integer"),
            Column("resolution_score", score("resolution"), "integer"),
            Column("nps_answer", nps_answer, "varchar"),
            Column("nps_scale", f"'{mapping.nps_scale}'", "varchar"),
            Column("comment", field("comment"), "varchar"),
        ),
        rules=tuple(rules),
        key="id",
        version="submitted_at",
    )
