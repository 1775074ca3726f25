"""config/survey_api.yaml: which Delighted survey types feed which KPI, and where a response keeps
its ticket id, channel and dimension answers.

Plain data, no SQL: ingestion.streams builds the raw stream from it (its rules' reasons are SQL
literals, so the types and ranges are compiled into the stream spec), and the connector reads the
file again at every load, so an edit takes effect on the next run without a code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from ingestion.errors import ConfigError
from ingestion.settings import PROJECT_ROOT

CONFIG_PATH = PROJECT_ROOT / "config" / "survey_api.yaml"
Feeds = Literal["nps", "csat", "csat_good_bad", "none"]
FEEDS: tuple[str, ...] = ("nps", "csat", "csat_good_bad", "none")
DIMENSIONS = ("speed", "accuracy", "attitude", "resolution")
# The ranges the warehouse's contract (docs/kpi-definitions.md) reads each KPI on.
_FIXED_RANGE = {"nps": (0, 10), "csat": (1, 5)}
# A name or key that is compiled into SQL literals and JSON paths: no quotes, no backslash.
_SAFE_TEXT = re.compile(r"[^'\"\\]{1,100}")
_TYPE_NAME = re.compile(r"[a-z0-9][a-z0-9_\-]{0,39}")


@dataclass(frozen=True)
class SurveyType:
    name: str  # `survey_type` as the API writes it
    feeds: Feeds
    min: int
    max: int
    good: int | None = None  # csat_good_bad: the score that counts as the positive answer


@dataclass(frozen=True)
class SurveyApiConfig:
    survey_types: tuple[SurveyType, ...]
    ticket_id_property: str | None  # person_properties key of the ticket id
    channel_property: str | None  # person_properties key of the channel
    dimension_questions: dict[str, str]  # dimension -> additional_answers question id
    path: Path

    def of(self, feeds: Feeds) -> tuple[SurveyType, ...]:
        return tuple(t for t in self.survey_types if t.feeds == feeds)


def _fail(path: Path, message: str) -> ConfigError:
    return ConfigError(f"survey API config {path}: {message}")


def _int(path: Path, where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, f"{where} must be a whole number, not {value!r}")
    return value


def _text(path: Path, where: str, value: Any) -> str:
    if not isinstance(value, str | int) or not _SAFE_TEXT.fullmatch(str(value)):
        raise _fail(path, f"{where} must be 1-100 characters without quotes or backslashes, not {value!r}")
    return str(value)


def _survey_type(path: Path, name: Any, raw: Any) -> SurveyType:
    if not isinstance(name, str) or not _TYPE_NAME.fullmatch(name):
        raise _fail(path, f"survey type {name!r} must be a lower-case name as the API writes survey_type")
    where = f"survey_types.{name}"
    if not isinstance(raw, dict):
        raise _fail(path, f"{where} must be a mapping with feeds, min and max")
    unknown = set(raw) - {"feeds", "min", "max", "good"}
    if unknown:
        raise _fail(path, f"{where} has unknown keys {sorted(unknown)}; known keys are feeds, min, max, good")
    feeds = raw.get("feeds")
    if feeds not in FEEDS:
        raise _fail(path, f"{where}.feeds must be one of {FEEDS}, not {feeds!r}")
    lo, hi = _int(path, f"{where}.min", raw.get("min")), _int(path, f"{where}.max", raw.get("max"))
    if lo > hi:
        raise _fail(path, f"{where}: min {lo} is above max {hi}")
    if feeds in _FIXED_RANGE and (lo, hi) != _FIXED_RANGE[feeds]:
        want = _FIXED_RANGE[feeds]
        raise _fail(
            path,
            f"{where} feeds {feeds}, which the KPI contract reads on {want[0]}-{want[1]}; its min/max are "
            f"{lo}-{hi}. Map a type on another scale to feeds: none",
        )
    good = raw.get("good")
    if feeds == "csat_good_bad":
        good = _int(path, f"{where}.good", good)
        if not lo <= good <= hi:
            raise _fail(path, f"{where}.good {good} is outside its range {lo}-{hi}")
    elif good is not None:
        raise _fail(path, f"{where}.good applies only to feeds: csat_good_bad")
    return SurveyType(name=name, feeds=feeds, min=lo, max=hi, good=good)


def load_config(path: Path = CONFIG_PATH) -> SurveyApiConfig:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc})") from exc
    except yaml.YAMLError as exc:
        raise _fail(path, f"is not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise _fail(path, "must be a mapping with survey_types, person_properties and dimension_questions")
    unknown = set(raw) - {"survey_types", "person_properties", "dimension_questions"}
    if unknown:
        raise _fail(path, f"unknown keys {sorted(unknown)}")
    types = raw.get("survey_types")
    if not isinstance(types, dict) or not types:
        raise _fail(path, "survey_types must map at least one survey type")
    props = raw.get("person_properties") or {}
    if not isinstance(props, dict) or set(props) - {"ticket_id", "channel"}:
        raise _fail(path, "person_properties may name only ticket_id and channel")
    dims = raw.get("dimension_questions") or {}
    if not isinstance(dims, dict) or set(dims) - set(DIMENSIONS):
        raise _fail(path, f"dimension_questions may name only {DIMENSIONS}")
    return SurveyApiConfig(
        survey_types=tuple(_survey_type(path, name, spec) for name, spec in types.items()),
        ticket_id_property=_text(path, "person_properties.ticket_id", props["ticket_id"])
        if props.get("ticket_id") is not None
        else None,
        channel_property=_text(path, "person_properties.channel", props["channel"])
        if props.get("channel") is not None
        else None,
        dimension_questions={
            d: _text(path, f"dimension_questions.{d}", dims[d]) for d in DIMENSIONS if dims.get(d) is not None
        },
        path=path,
    )
