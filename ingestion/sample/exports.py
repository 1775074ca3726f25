"""The sample survey tool's daily CSV export (GBK, Chinese headers), as a team would drop it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ingestion.sample.source import SampleSource
from ingestion.sample.surveys import SurveyResponse
from ingestion.sample.window import day_bounds
from ingestion.sources.survey_csv import SurveyCsvMapping

CHANNEL_LABELS = {
    "phone": "电话",
    "chat": "在线客服",
    "email": "邮件",
    "app": "APP",
    "wechat": "微信",
    "social": "微博",
    "web_form": "网页表单",
    "other": "其他",
}


def _row(r: SurveyResponse, mapping: SurveyCsvMapping) -> dict[str, str]:
    tz = ZoneInfo(mapping.timezone)
    labels = {v: k for k, v in mapping.nps_labels.items()}
    from ingestion.sample.surveys import nps_three_option

    nps = labels[nps_three_option(r.nps)]
    overall = str(r.overall)
    if r.defect == "overall out of range":
        overall = "7"
    elif r.defect == "nps out of range":
        nps = "也许"  # not one of the tool's three options
    elif r.defect == "unknown survey scale":
        overall = "8"
    values = {
        "response_id": r.response_id,
        "submitted_at": datetime.fromtimestamp(r.submitted, UTC).astimezone(tz).strftime(mapping.date_format),
        "ticket_id": str(r.ticket_id or ""),
        "channel": CHANNEL_LABELS[r.channel],
        "overall": overall,
        **{
            d: "" if r.dimensions[d] is None else str(r.dimensions[d])
            for d in ("speed", "accuracy", "attitude", "resolution")
        },
        "nps": nps,
        "comment": r.comment,
    }
    return {mapping.columns[k]: v for k, v in values.items() if k in mapping.columns}


def export_responses(source: SampleSource, day: date) -> list[SurveyResponse]:
    start, end = day_bounds(source.config.timezone, day)
    return source.survey_responses(start, end, route="csv")


def write_daily_export(source: SampleSource, mapping: SurveyCsvMapping, drop_dir: Path, day: date) -> Path | None:
    """Drop the day's export like the tool would, once the day is over; never overwrite a drop."""
    _, end = day_bounds(source.config.timezone, day)
    if end > source.now:
        return None
    path = drop_dir / mapping.file_name(day)
    if path.exists():
        return path
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(mapping.columns.values()), delimiter=mapping.delimiter)
    writer.writeheader()
    for r in export_responses(source, day):
        writer.writerow(_row(r, mapping))
    drop_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(buf.getvalue().encode(mapping.encoding))
    tmp.replace(path)
    return path
