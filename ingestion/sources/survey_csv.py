"""Survey tools' answer exports (CSV or Excel) dropped into a folder, each tool described by a YAML mapping.

A mapping says which files are the tool's exports, how to read them (encoding, sheet, header row),
which column holds each field (by exact name, prefix, regex or position), each KPI question's scale
and answer labels, the markers that mean "no answer", and where the submission time comes from.
Adding a survey tool is adding a mapping file: README, "Adding a survey tool".

Reading: the original file lands untouched; beside it lands a UTF-8 CSV copy whose header is
positional (c1, c2, ...), which is what DuckDB's read_csv loads. A source column can be called
anything (`t`, `filename`, a SQL keyword, Chinese text, a duplicate, nothing at all): it never
meets a SQL name, and the raw record keeps every column under its own header text.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Literal

import yaml

from ingestion.errors import SurveyMappingError
from ingestion.landing import LandingBatch
from ingestion.streams import FUTURE, Column, StreamSpec

TEXT_FIELDS = ("response_id", "ticket_id", "channel", "team", "comment")
DIMENSIONS = ("speed", "accuracy", "attitude", "resolution")
QUESTIONS = ("overall", *DIMENSIONS, "nps")
FIXABLE = ("channel", "team")  # fields a mapping may set to one value for every row of the tool
THREE_OPTIONS = ("willing", "unsure", "unwilling")
GOOD_BAD = ("good", "bad")
# Cells that mean "no answer" unless a mapping says otherwise: empty, NA / N/A, a dash, and the
# markers 问卷星 writes for a skipped or empty question. Compared after trimming, case-sensitively.
DEFAULT_MISSING = ("", "NA", "N/A", "n/a", "-", "(跳过)", "(空)")
# An Excel date cell comes as a datetime; the copy writes it like this, and every mapping reads it.
EXCEL_DATETIME = "%Y-%m-%d %H:%M:%S"
FORMATS = ("csv", "xlsx")
# Keys of the mapping format before 2026-12 and what replaced them, for a one-line migration hint.
RENAMED = {
    "file_pattern": "files",
    "date_format": "submitted_at: {column: ..., format: ...}",
    "nps_scale": "questions: {nps: {scale: ...}}",
    "nps_labels": "questions: {nps: {labels: ...}}",
}


def _glob_re(glob: str) -> str:
    """A file-name glob (* and ?) as a regex."""
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)


def _fail(path: Path, message: str) -> SurveyMappingError:
    return SurveyMappingError(f"survey mapping {path}: {message}")


@dataclass(frozen=True)
class HeaderMatch:
    """How a mapping finds a column in an export's header."""

    kind: Literal["exact", "prefix", "regex", "position"]
    value: str | int

    def describe(self) -> str:
        return f"{self.kind} {self.value!r}"

    def find(self, header: list[str], source: Path, what: str) -> int | None:
        """The column's index in `header`, None when absent; several matches are an error."""
        if self.kind == "position":
            index = int(self.value) - 1
            return index if index < len(header) else None
        if self.kind == "exact":
            hits = [i for i, h in enumerate(header) if h.strip() == str(self.value).strip()]
        elif self.kind == "prefix":
            hits = [i for i, h in enumerate(header) if h.strip().startswith(str(self.value))]
        else:
            hits = [i for i, h in enumerate(header) if re.search(str(self.value), h)]
        if len(hits) > 1:
            raise SurveyMappingError(
                f"{source}: {what} ({self.describe()}) matches {len(hits)} columns "
                f"{[header[i] for i in hits]}; make it match one"
            )
        return hits[0] if hits else None


@dataclass(frozen=True)
class Scale:
    """A question's answer scale and the rule that makes it a KPI.

    name: five_point (1-5), scale_<lo>_<hi> (another numeric range), good_bad, zero_to_ten or
    three_option (NPS). labels: answer text -> score (numeric scales) or -> good/bad, willing /
    unsure / unwilling. positive: the scores that count as satisfied (CSAT).
    """

    name: str
    low: int | None = None
    high: int | None = None
    labels: dict[str, int | str] = field(default_factory=dict)
    positive: tuple[int, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.low is not None


@dataclass(frozen=True)
class Question:
    name: str  # overall, speed, accuracy, attitude, resolution, nps
    column: HeaderMatch
    scale: Scale


@dataclass(frozen=True)
class SubmissionTime:
    """Where a response's submission time comes from: one column, a date and a time column, the
    day in the file's name, or one constant day (a file with no time at all)."""

    column: HeaderMatch | None = None
    date_column: HeaderMatch | None = None
    time_column: HeaderMatch | None = None
    formats: tuple[str, ...] = ()
    from_file_name: bool = False
    constant_date: date | None = None


@dataclass(frozen=True)
class SurveyCsvMapping:
    tool: str
    files: str  # a glob, or a name with the export's day: "wjx_{date:%Y%m%d}.csv"
    format: str  # csv or xlsx
    encoding: str  # csv only
    delimiter: str
    sheet: str | int  # xlsx: a sheet's name, or its position from 1
    header_row: int  # the header's row, from 1: rows above it (a title) are skipped
    timezone: str  # the zone the export writes times in
    missing: tuple[str, ...]
    submitted_at: SubmissionTime
    columns: dict[str, HeaderMatch]  # text field -> its column
    fixed: dict[str, str]  # channel / team -> one value for every row
    questions: dict[str, Question]
    path: Path

    @property
    def glob(self) -> str:
        return re.sub(r"\{date(:[^}]*)?\}", "*", self.files)

    @property
    def dated(self) -> bool:
        return "{date" in self.files

    def file_day(self, name: str) -> date | None:
        """The export's day, read from a name that follows a dated pattern (None: not dated / no match)."""
        match = re.fullmatch(r"(.*?)\{date(?::([^}]*))?\}(.*)", self.files)
        if not match:
            return None
        head, fmt, tail = match.group(1), match.group(2) or "%Y-%m-%d", match.group(3)
        digits = {"%Y": r"\d{4}", "%m": r"\d{2}", "%d": r"\d{2}", "%H": r"\d{2}", "%M": r"\d{2}", "%S": r"\d{2}"}
        day_re = "".join(digits.get(part, re.escape(part)) for part in re.split(r"(%[A-Za-z])", fmt) if part)
        found = re.fullmatch(_glob_re(head) + f"({day_re})" + _glob_re(tail), name)
        if not found:
            return None
        try:
            return datetime.strptime(found.group(1), fmt).date()
        except ValueError:
            return None

    def file_name(self, day: date) -> str:
        """The name of the day's export under a dated pattern (the sample writes these)."""
        return self.files.format(date=day)


# ---- reading a mapping --------------------------------------------------------------------------


def _header_match(path: Path, what: str, raw: Any) -> HeaderMatch:
    if isinstance(raw, str):
        return HeaderMatch("exact", raw)
    if isinstance(raw, dict) and len(raw) == 1:
        ((kind, value),) = raw.items()
        if kind == "position" and isinstance(value, int) and value >= 1:
            return HeaderMatch("position", value)
        if kind in ("exact", "prefix") and isinstance(value, str) and value:
            return HeaderMatch(kind, value)
        if kind == "regex" and isinstance(value, str):
            try:
                re.compile(value)
            except re.error as exc:
                raise _fail(path, f"{what}: regex {value!r} does not compile ({exc})") from exc
            return HeaderMatch("regex", value)
    raise _fail(
        path,
        f"{what}: a column is a header text, or one of {{exact: text}}, {{prefix: text}}, {{regex: pattern}}, "
        f"{{position: n}} (from 1), not {raw!r}",
    )


def _range(text: str) -> tuple[int, int] | None:
    found = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", str(text))
    return (int(found.group(1)), int(found.group(2))) if found else None


def _scores(path: Path, what: str, raw: Any, low: int, high: int) -> tuple[int, ...]:
    """`positive:` as a list of scores or a range "6-7"."""
    if isinstance(raw, str) and (bounds := _range(raw)):
        values = tuple(range(bounds[0], bounds[1] + 1))
    elif isinstance(raw, list) and all(isinstance(v, int) for v in raw):
        values = tuple(raw)
    else:
        raise _fail(path, f"{what}: positive is a list of scores or a range like '6-7', not {raw!r}")
    if not values or any(v < low or v > high for v in values):
        raise _fail(path, f"{what}: positive scores {list(values)} must lie on the scale {low}-{high}")
    return values


def _scale(path: Path, name: str, raw: dict) -> Scale:
    what = f"questions.{name}"
    declared = str(raw.get("scale", "1-5" if name != "nps" else "0-10"))
    labels = raw.get("labels") or {}
    if not isinstance(labels, dict):
        raise _fail(path, f"{what}: labels map answer texts to scores, e.g. {{非常满意: 5}}")
    labels = {str(k).strip(): v for k, v in labels.items()}
    if name == "nps":
        if declared == "three_option":
            if set(labels.values()) != set(THREE_OPTIONS):
                raise _fail(
                    path, f"{what}: scale three_option needs labels mapping answers onto each of {THREE_OPTIONS}"
                )
            return Scale("three_option", labels=labels)
        if _range(declared) != (0, 10):
            raise _fail(path, f"{what}: an NPS scale is 0-10 or three_option, not {declared!r}")
    if declared == "good_bad":
        if name != "overall":
            raise _fail(path, f"{what}: only the overall question can be good_bad; a dimension is scored 1-5")
        if labels and not set(labels.values()) <= set(GOOD_BAD):
            raise _fail(path, f"{what}: scale good_bad maps its labels onto good or bad")
        return Scale("good_bad", labels=labels)
    bounds = _range(declared)
    if bounds is None or bounds[0] >= bounds[1] or bounds[0] > 1:
        raise _fail(path, f"{what}: scale is a range like 1-5, 1-7, 1-10 or 0-10, or good_bad, not {declared!r}")
    low, high = bounds
    bad = {k: v for k, v in labels.items() if not isinstance(v, int) or not low <= v <= high}
    if bad:
        raise _fail(path, f"{what}: labels must map onto scores {low}-{high}, not {bad}")
    if name == "nps":
        return Scale("zero_to_ten", 0, 10, labels)
    if name in DIMENSIONS and bounds != (1, 5):
        raise _fail(path, f"{what}: a dimension is scored 1-5 (with labels if the export writes text), not {declared}")
    if bounds == (1, 5):
        positive = _scores(path, what, raw["positive"], 1, 5) if "positive" in raw else (4, 5)
        if positive != (4, 5):  # kpi-definitions.md: CSAT is the top two boxes of the 5-point scale
            raise _fail(path, f"{what}: on the 5-point scale CSAT positive is 4-5 (kpi-definitions.md)")
        return Scale("five_point", 1, 5, labels, positive)
    if "positive" not in raw:
        raise _fail(path, f"{what}: on a {low}-{high} scale say which scores count as satisfied, e.g. positive: 6-7")
    return Scale(f"scale_{low}_{high}", low, high, labels, _scores(path, what, raw["positive"], low, high))


def _submission_time(path: Path, raw: Any) -> SubmissionTime:
    if not isinstance(raw, dict):
        raise _fail(path, "submitted_at: give {column, format}, {date_column, time_column, format}, "
                    "{from_file_name: true} or {constant_date: YYYY-MM-DD}")  # fmt: skip
    formats = raw.get("format", [])
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    if "constant_date" in raw:
        day = raw["constant_date"]
        if not isinstance(day, date):
            raise _fail(path, f"submitted_at.constant_date is a day written YYYY-MM-DD, not {day!r}")
        return SubmissionTime(constant_date=day)
    if raw.get("from_file_name"):
        return SubmissionTime(from_file_name=True)
    if not formats:
        raise _fail(path, "submitted_at.format: how the time is written, as strptime codes, e.g. '%Y/%m/%d %H:%M:%S'")
    if "column" in raw:
        return SubmissionTime(column=_header_match(path, "submitted_at.column", raw["column"]), formats=formats)
    if "date_column" in raw and "time_column" in raw:
        return SubmissionTime(
            date_column=_header_match(path, "submitted_at.date_column", raw["date_column"]),
            time_column=_header_match(path, "submitted_at.time_column", raw["time_column"]),
            formats=formats,
        )
    raise _fail(path, "submitted_at: name its column, or a date_column and a time_column, "
                "or say from_file_name: true or constant_date: YYYY-MM-DD")  # fmt: skip


def load_mapping(path: Path) -> SurveyCsvMapping:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(path, f"is not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise _fail(path, "must be a mapping of keys to values")
    if old := [k for k in RENAMED if k in raw]:
        raise _fail(path, "uses the old format: " + "; ".join(f"'{k}' is now {RENAMED[k]}" for k in old)
                    + " (README, Adding a survey tool)")  # fmt: skip
    for key in ("tool", "files", "submitted_at", "columns", "questions"):
        if key not in raw:
            raise _fail(path, f"missing required key '{key}'")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", str(raw["tool"])):
        raise _fail(path, f"tool must be a short lower-case name (letters, digits, _), not {raw['tool']!r}")
    files = str(raw["files"])
    fmt = raw.get("format") or ("xlsx" if files.lower().endswith(".xlsx") else "csv")
    if fmt not in FORMATS:
        raise _fail(path, f"format must be one of {FORMATS}, not {fmt!r}")
    encoding = raw.get("encoding", "utf-8-sig")
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise _fail(path, f"unknown encoding {encoding!r}") from exc
    columns_raw = raw["columns"] or {}
    if unknown := set(columns_raw) - set(TEXT_FIELDS):
        raise _fail(path, f"columns: unknown fields {sorted(unknown)}; known fields are {TEXT_FIELDS}")
    if "response_id" not in columns_raw:
        raise _fail(path, "columns must name response_id")
    columns = {k: _header_match(path, f"columns.{k}", v) for k, v in columns_raw.items()}
    questions_raw = raw["questions"] or {}
    if unknown := set(questions_raw) - set(QUESTIONS):
        raise _fail(path, f"questions: unknown questions {sorted(unknown)}; known are {QUESTIONS}")
    if not questions_raw:
        raise _fail(path, f"questions must name at least one KPI question of {QUESTIONS}")
    questions = {}
    for name, q in questions_raw.items():
        q = q if isinstance(q, dict) else {"column": q}
        if "column" not in q:
            raise _fail(path, f"questions.{name}: name its column")
        questions[name] = Question(
            name, _header_match(path, f"questions.{name}.column", q["column"]), _scale(path, name, q)
        )
    fixed = {str(k): str(v) for k, v in (raw.get("fixed") or {}).items()}
    if unknown := set(fixed) - set(FIXABLE):
        raise _fail(path, f"fixed: only {FIXABLE} can be fixed, not {sorted(unknown)}")
    if both := set(fixed) & set(columns):
        raise _fail(path, f"{sorted(both)} is both a column and fixed: keep one")
    submitted = _submission_time(path, raw["submitted_at"])
    if submitted.from_file_name and "{date" not in files:
        raise _fail(path, "submitted_at.from_file_name needs the day in files, e.g. 'nps_{date:%Y%m%d}.csv'")
    missing = raw.get("missing", list(DEFAULT_MISSING))
    if not isinstance(missing, list):
        raise _fail(path, f"missing is a list of cell texts that mean no answer, not {missing!r}")
    return SurveyCsvMapping(
        tool=str(raw["tool"]),
        files=files,
        format=fmt,
        encoding=encoding,
        delimiter=str(raw.get("delimiter", ",")),
        sheet=raw.get("sheet", 1),
        header_row=int(raw.get("header_row", 1)),
        timezone=str(raw.get("timezone", "Asia/Shanghai")),
        missing=tuple(str(m).strip() for m in missing),
        submitted_at=submitted,
        columns=columns,
        fixed=fixed,
        questions=questions,
        path=path,
    )


def load_mappings(directory: Path) -> list[SurveyCsvMapping]:
    mappings = [load_mapping(p) for p in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))]
    tools = [m.tool for m in mappings]
    if len(tools) != len(set(tools)):
        raise SurveyMappingError(f"survey mappings in {directory}: tool names must be unique, got {tools}")
    return mappings


# ---- finding and landing exports ----------------------------------------------------------------


def exports_for(mapping: SurveyCsvMapping, drop_dir: Path, first: date, last: date) -> list[Path]:
    """The tool's exports a run of the days first..last reads, by name.

    A dated export (its day in its name) is read by the runs of its day; an undated one (a
    download named by the tool, holding many days) by every run, until it was loaded once
    (its content digest is the ledger cursor of its load).
    """
    if not drop_dir.is_dir():
        return []
    found = []
    for path in sorted(drop_dir.iterdir()):
        if not path.is_file() or not fnmatch(path.name, mapping.glob) or path.name.endswith(".part"):
            continue
        if mapping.dated:
            day = mapping.file_day(path.name)
            if day is None or not first <= day <= last:
                continue
        found.append(path)
    return found


def content_digest(mapping: SurveyCsvMapping, path: Path) -> str:
    """The export's content and the mapping's text, hashed: loading them again can change nothing.

    A CSV is hashed byte for byte. An Excel workbook is a zip whose document properties and entry
    times record when it was saved: downloading the same answers again gives other bytes, so its
    parts are hashed by name and content, the properties (docProps/) left out.
    """
    digest = hashlib.sha256()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as book:
            for name in sorted(book.namelist()):
                if not name.startswith("docProps/"):
                    digest.update(name.encode() + b"\0" + book.read(name) + b"\0")
    else:
        digest.update(path.read_bytes())
    digest.update(mapping.path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class LandedExport:
    source: Path  # the file in the drop folder
    original: Path  # its landed copy, byte for byte
    copy: Path  # the UTF-8 CSV with a positional header that DuckDB reads
    header: list[str]  # the header as the export wrote it
    keys: list[str]  # each column's key in the raw record: its header, made unique
    rows: int  # data rows (blank rows not counted)
    file_day: date | None


def record_keys(header: list[str]) -> list[str]:
    """A key per column for the raw record: the header text, except that an empty header is
    "(column N)" and a repeated one gets " (2)", " (3)": JSON keeps one value per key."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for n, name in enumerate(header, start=1):
        key = name.strip() or f"(column {n})"
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key} ({seen[key]})")
    return keys


def _cell(value: Any) -> str:
    """An Excel cell as the text a CSV export would hold: 5.0 -> "5", a date cell -> EXCEL_DATETIME."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime(EXCEL_DATETIME)
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, timedelta):
        return str(int(value.total_seconds()))
    return str(value)


def _xlsx_rows(mapping: SurveyCsvMapping, source: Path) -> list[list[str]]:
    # python-calamine: a Rust reader, ~12x faster than openpyxl on a 50,000-row sheet (README)
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(source))
        if isinstance(mapping.sheet, int):
            sheet = book.get_sheet_by_index(mapping.sheet - 1)
        else:
            sheet = book.get_sheet_by_name(mapping.sheet)
    except Exception as exc:  # calamine raises its own error types for a broken or foreign file
        raise SurveyMappingError(
            f"{source}: cannot be read as an Excel workbook with sheet {mapping.sheet!r} "
            f"(mapping {mapping.path}): {exc}; re-export it as .xlsx or fix the mapping's sheet"
        ) from exc
    return [[_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]


def _csv_rows(mapping: SurveyCsvMapping, source: Path, original: bytes) -> list[list[str]]:
    try:
        text = original.decode(mapping.encoding)
    except UnicodeDecodeError as exc:
        raise SurveyMappingError(
            f"{source}: cannot be decoded as {mapping.encoding} (mapping {mapping.path}) at byte {exc.start}; "
            "fix the mapping's encoding or re-export the file"
        ) from exc
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=mapping.delimiter))


def land_export(mapping: SurveyCsvMapping, source: Path, batch: LandingBatch) -> LandedExport:
    """Land the export as received plus the UTF-8 copy DuckDB reads."""
    original = source.read_bytes()
    landed = batch.write_file(source.name, original)
    rows = _xlsx_rows(mapping, source) if mapping.format == "xlsx" else _csv_rows(mapping, source, original)
    if len(rows) < mapping.header_row:
        raise SurveyMappingError(f"{source}: has no header row {mapping.header_row} (mapping {mapping.path})")
    header = [h.strip() for h in rows[mapping.header_row - 1]]
    data = [r for r in rows[mapping.header_row :] if any(c.strip() for c in r)]
    width = max([len(header), *(len(r) for r in data)])
    header += [""] * (width - len(header))  # a row longer than the header keeps its cells, unnamed
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([f"c{n}" for n in range(1, width + 1)])
    writer.writerows(r + [""] * (width - len(r)) for r in data)
    copy = batch.write_file(source.stem + ".utf8.csv", buf.getvalue().encode("utf-8"))
    export = LandedExport(source, landed, copy, header, record_keys(header), len(data), mapping.file_day(source.name))
    check_columns(mapping, export)
    return export


def _matches(mapping: SurveyCsvMapping) -> dict[str, HeaderMatch]:
    """Every column the mapping names: text fields, questions and the submission time's columns."""
    st = mapping.submitted_at
    times = {"submitted_at.column": st.column, "submitted_at.date_column": st.date_column,
             "submitted_at.time_column": st.time_column}  # fmt: skip
    return {
        **mapping.columns,
        **{q.name: q.column for q in mapping.questions.values()},
        **{what: match for what, match in times.items() if match is not None},
    }


def _resolved(mapping: SurveyCsvMapping, export: LandedExport) -> dict[str, str]:
    """Field or question -> its key in the raw record (absent columns left out)."""
    found: dict[str, str] = {}
    for what, match in _matches(mapping).items():
        index = match.find(export.header, export.source, what)
        if index is not None:
            found[what] = export.keys[index]
    return found


def check_columns(mapping: SurveyCsvMapping, export: LandedExport) -> None:
    """Every column the mapping names is in the export: the error names each missing one."""
    found = _resolved(mapping, export)
    if absent := [f"{what} -> {m.describe()}" for what, m in _matches(mapping).items() if what not in found]:
        raise SurveyMappingError(
            f"{export.source}: the mapping {mapping.path} names columns the export lacks: {absent}; "
            f"header is {export.header}"
        )


# ---- the raw stream -----------------------------------------------------------------------------


def _q(value: str) -> str:
    return value.replace("'", "''")


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join(f"'{_q(v)}'" for v in values)


def _json_path(key: str) -> str:
    """The JSON path of column `key` in the raw record, as a SQL literal (quoted: any text is safe)."""
    return "'" + _q('$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"') + "'"


# Memory: DuckDB gives every JSON function in a statement its own parse buffers (~13 MB each on a
# 问卷星 export, measured), shares a repeated subexpression only outside a case's branches, binds
# `case x when a ... when b` as a copy of x per label and `x between a and b` as two copies, and
# plans a list of five or more constants after `in` (or in list_contains) as a hash join of its
# own. Cells read one by one, each inside the answer's case, inside a score's label case, read
# again by each rule, made hundreds of JSON reads and 155 joins of one statement: a 15,000-row
# export needed more than 3 GB (bench, 2026-03-31). So a row's record is read once, as the list
# of the mapping's cells (`cells` below), the same expression in every column; a label is a map
# lookup; a marker is found with list_position; and the rules read the typed columns by name.


def _label_case(expr: str, labels: dict[str, int | str], otherwise: str) -> str:
    """The label's value when `expr` is one of the labels, else `otherwise` (a label's value is never null)."""
    if not labels:
        return otherwise
    entries = ", ".join(
        f"'{_q(k)}': " + (str(v) if isinstance(v, int) else f"'{_q(str(v))}'") for k, v in labels.items()
    )
    return f"coalesce(map_extract_value(MAP {{{entries}}}, {expr}), {otherwise})"


def stream_spec(mapping: SurveyCsvMapping, export: LandedExport | None = None) -> StreamSpec:
    """The raw stream of one export: the same table for every tool, keyed by tool and response id.

    Without an export (creating the table, or filling a column a release added from old records)
    columns are found by the exact names the mapping gives; others read as null.
    """
    if export is not None:
        keys = _resolved(mapping, export)
    else:
        keys = {what: str(m.value) for what, m in _matches(mapping).items() if m.kind == "exact"}
    markers = _sql_list(mapping.missing) or "''"
    # Every cell the mapping reads, trimmed, a missing-answer marker as null: one JSON read per row.
    read = list(dict.fromkeys(keys.values()))
    cells = (
        f"list_transform(json_extract_string(rec, [{', '.join(_json_path(k) for k in read)}]), "
        f"lambda v: case when list_position([{markers}], coalesce(trim(v), '')) is not null then null "
        "else trim(v) end)"
    )

    def answer(what: str) -> str:
        """The trimmed cell; null when absent or a missing-answer marker."""
        if what in mapping.fixed:
            return f"'{_q(mapping.fixed[what])}'"
        if what not in keys:
            return "null::varchar"
        return f"{cells}[{read.index(keys[what]) + 1}]"

    def value(q: Question) -> str:
        """A numeric answer's score: its label's, or the number written."""
        return _label_case(answer(q.name), q.scale.labels, f"try_cast({answer(q.name)} as integer)")

    def parse(text: str) -> str:
        formats = (*mapping.submitted_at.formats, EXCEL_DATETIME)
        return "coalesce(" + ", ".join(f"try_strptime({text}, '{_q(f)}')" for f in formats) + ")"

    st = mapping.submitted_at
    if st.constant_date or st.from_file_name:
        day = st.constant_date or (export.file_day if export else None)
        local = f"'{day.isoformat()} 00:00:00'::timestamp" if day else "null::timestamp"
    elif st.column:
        local = parse(answer("submitted_at.column"))
    else:
        local = parse(f"{answer('submitted_at.date_column')} || ' ' || {answer('submitted_at.time_column')}")
    submitted = f"timezone('UTC', timezone('{_q(mapping.timezone)}', {local}))::timestamp"

    # The rules read the typed columns by name (the loader evaluates them over its parsed row): a
    # score's expression is not spelled out again in each rule.
    rules: list[tuple[str, str]] = [
        ("id is null", "missing id"),
        ("submitted_at is null", "unparseable submitted_at"),
        (f"submitted_at > {FUTURE}", "future submitted_at"),
    ]
    overall = mapping.questions.get("overall")
    csat_value = csat_positive = "null"
    csat_scale = csat_low = csat_high = "null"
    if overall is not None:
        s = overall.scale
        csat_scale = f"'{s.name}'"
        if s.numeric:
            csat_value = value(overall)
            csat_low, csat_high = str(s.low), str(s.high)
            # `in` keeps a null score null; it is written once per statement, so a join at most
            csat_positive = f"({csat_value}) in ({', '.join(map(str, s.positive))})"
            rules.append((f"{answer('overall')} is not null and csat_value is null",
                          "overall answer is neither a number nor a label of its scale"))  # fmt: skip
            rules.append((f"csat_value not between {s.low} and {s.high}", "overall score out of range"))
        else:  # good_bad: its labels, or the words good / bad
            verdict = _label_case(answer("overall"), s.labels, f"lower({answer('overall')})")
            csat_positive = f"map_extract_value(MAP {{'good': true, 'bad': false}}, {verdict})"
            rules.append((f"{answer('overall')} is not null and is_csat_positive is null", "unknown good/bad answer"))
        csat_scale = f"case when {answer('overall')} is not null then {csat_scale} end"

    dims: dict[str, str] = {}
    for dim in DIMENSIONS:
        q = mapping.questions.get(dim)
        if q is None:
            dims[dim] = "null"
            continue
        dims[dim] = value(q)
        rules.append((f"{answer(dim)} is not null and {dim}_score is null",
                      f"{dim} answer is neither a number nor a label of its scale"))  # fmt: skip
        rules.append((f"{dim}_score not between 1 and 5", f"{dim} score out of range"))

    nps = mapping.questions.get("nps")
    nps_answer = nps_scale = "null"
    if nps is not None:
        nps_scale = f"case when {answer('nps')} is not null then '{nps.scale.name}' end"
        if nps.scale.name == "three_option":
            nps_answer = _label_case(answer("nps"), nps.scale.labels, answer("nps"))
            rules.append((f"nps_answer not in ({_sql_list(THREE_OPTIONS)})", "unknown nps answer"))
        else:
            nps_answer = f"cast(({value(nps)}) as varchar)"
            rules.append((f"{answer('nps')} is not null and nps_answer is null",
                          "nps answer is neither a number nor a label of its scale"))  # fmt: skip
            # nps_answer is the score as text: cast back, the same whole number
            rules.append(("cast(nps_answer as integer) not between 0 and 10", "nps out of range"))

    answered = [answer(q) for q in mapping.questions]
    has_kpi_answer = " or ".join(f"{a} is not null" for a in answered)
    tool = f"'{_q(mapping.tool)}'"
    return StreamSpec(
        source="surveys",
        stream="csv_responses",
        mode="versions",
        # the copy's header is c1..cN; the record rebuilds every column under its own header text
        reader=(
            "select filename, json_object("
            + ", ".join(f"'{_q(k)}', c{n}" for n, k in enumerate(export.keys if export else [], start=1))
            + ") as rec from read_csv({files}, header=true, all_varchar=true, delim=',', quote='\"', "
            "escape='\"', filename=true)"
        ),
        columns=(
            Column("survey_tool", tool, "varchar"),
            Column("id", answer("response_id"), "varchar"),
            Column("response_key", f"{tool} || ':' || {answer('response_id')}", "varchar"),
            Column("submitted_at", submitted, "timestamp"),
            Column("ticket_ref", answer("ticket_id"), "varchar"),
            # a ticket id that is no whole number links no ticket: counted per export, never guessed
            Column("ticket_id", f"try_cast({answer('ticket_id')} as bigint)", "bigint"),
            Column("channel", answer("channel"), "varchar"),
            Column("team", answer("team"), "varchar"),
            Column("csat_scale", csat_scale, "varchar"),
            Column("csat_scale_min", csat_low, "integer"),
            Column("csat_scale_max", csat_high, "integer"),
            Column("csat_value", csat_value, "integer"),
            Column("is_csat_positive", csat_positive, "boolean"),
            *(Column(f"{d}_score", dims[d], "integer") for d in DIMENSIONS),
            Column("nps_scale", nps_scale, "varchar"),
            Column("nps_answer", nps_answer, "varchar"),
            Column("comment", answer("comment"), "varchar"),
            Column("has_kpi_answer", has_kpi_answer or "false", "boolean"),
        ),
        rules=tuple(rules),
        # Every row of an export belongs to its load, dated by its own submission time (a monthly
        # export holds a month): a (tool, response, time) raw holds already is a counted duplicate.
        key="response_key",
        version="submitted_at",
    )
