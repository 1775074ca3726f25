"""The sample's survey tools, exporting as the real tools do (config/survey_mappings/ describes each).

The sample's survey responses not delivered through the API go to three tools, by response id:
- wjx (问卷星): a monthly Excel download of every answer so far, long numbered question headers,
  answers as option text, "(跳过)" for a skipped question;
- tencent (腾讯问卷): a daily CSV in UTF-8 with a BOM, every cell quoted and each line ending in a
  comma, single choices with their letter ("A.非常满意"), the ticket number in 自定义字段;
- nps_retail: a daily Latin-1 CSV of an NPS-only survey with no submission time, "NA" for no answer,
  and a column named `t`.
A tool the sample does not know gets no files.
"""

from __future__ import annotations

import csv
import io
import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ingestion.local_days import day_bounds
from ingestion.sample.source import SampleSource
from ingestion.sample.surveys import SurveyResponse, nps_three_option
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
SATISFACTION = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
TENCENT_CHOICES = {5: "A.非常满意", 4: "B.满意", 3: "C.一般", 2: "D.不满意", 1: "E.非常不满意"}
THREE_OPTION_LABELS = {"willing": "愿意", "unsure": "不确定", "unwilling": "不愿意"}

WJX_HEADER = [
    "序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP",
    "1、您的工单号是？", "2、您是通过哪个渠道联系我们的？", "3、您对本次服务的总体满意度是？",
    "4、请评价本次服务—响应速度", "4、请评价本次服务—解答准确性", "4、请评价本次服务—服务态度",
    "4、请评价本次服务—问题解决", "5、您是否愿意向亲友推荐我们的服务？", "6、您希望我们通过哪种方式回访？",
    "7、您对我们还有什么意见或建议？",
]  # fmt: skip
TENCENT_HEADER = [
    "编号", "开始答题时间", "结束答题时间", "答题时长", "地理位置国家和地区", "地理位置省", "地理位置市",
    "用户类型", "用户标识", "昵称", "自定义字段", "1.本次服务您满意吗？", "2.您有多大可能向亲友推荐我们？",
    "3.还有什么想对我们说的？",
]  # fmt: skip
NPS_RETAIL_HEADER = ["Response ID", "t", "Case number", "How likely are you to recommend us to a friend?", "Comment"]
# Where a response not delivered by the API goes: (tool, share), by a hash of its id.
TOOL_SHARES = (("wjx", 0.5), ("tencent", 0.3), ("nps_retail", 0.2))


def tool_of(r: SurveyResponse) -> str:
    draw = zlib.crc32(r.response_id.encode()) % 1000 / 1000
    for tool, share in TOOL_SHARES:
        if draw < share:
            return tool
        draw -= share
    return TOOL_SHARES[-1][0]


def _draw(r: SurveyResponse, salt: str) -> float:
    return zlib.crc32(f"{r.response_id}:{salt}".encode()) % 1000 / 1000


def export_responses(source: SampleSource, start: int, end: int, tool: str) -> list[SurveyResponse]:
    """The tool's responses delivered in [start, end) (and by now), oldest first."""
    return [r for r in source.survey_responses(start, end, route="csv") if tool_of(r) == tool]


def answer_number(r: SurveyResponse) -> int:
    """The response's number in its tool (问卷星's 序号, 腾讯问卷's 编号): one sequence over the whole
    survey, never restarting in a new download. The sample takes its ticket's id (csv-<id>)."""
    return int(r.response_id.rsplit("-", 1)[1])


def _local(r: SurveyResponse, tz: str, fmt: str) -> str:
    return datetime.fromtimestamp(r.submitted, UTC).astimezone(ZoneInfo(tz)).strftime(fmt)


def _wjx_row(r: SurveyResponse) -> list:
    overall = SATISFACTION.get(r.overall, "")
    if r.defect == "overall out of range":
        overall = "特别满意"  # an option text the mapping does not know
    nps = THREE_OPTION_LABELS[nps_three_option(r.nps)]
    if r.defect == "nps out of range":
        nps = "也许"
    dims = ["(跳过)" if r.dimensions[d] is None else SATISFACTION[r.dimensions[d]]
            for d in ("speed", "accuracy", "attitude", "resolution")]  # fmt: skip
    submitted = datetime.fromtimestamp(r.submitted, UTC).astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    n = answer_number(r)
    return [
        n, submitted, f"{60 + r.submitted % 240}秒", "微信", "N/A", f"117.136.{n % 250}.{r.submitted % 250}(广东-深圳)",
        r.ticket_id or "(空)", CHANNEL_LABELS[r.channel], overall, *dims, nps, "电话回访", r.comment or "(空)",
    ]  # fmt: skip


def _tencent_row(r: SurveyResponse) -> list[str]:
    overall = TENCENT_CHOICES.get(r.overall, "")
    if r.defect == "unknown survey scale":
        overall = "F.其他"
    if _draw(r, "nps-only") < 0.1:
        overall = ""  # answered only the NPS question
    nps = str(r.nps) if r.defect != "nps out of range" else "11"
    ended = _local(r, "Asia/Shanghai", "%Y-%m-%d %H:%M:%S")
    started = datetime.fromtimestamp(r.submitted - 95, UTC).astimezone(ZoneInfo("Asia/Shanghai"))
    return [
        str(answer_number(r)), started.strftime("%Y-%m-%d %H:%M:%S"), ended, "95", "中国", "广东省", "深圳市",
        "微信用户", f"oX{zlib.crc32(r.response_id.encode()):08x}", "", str(r.ticket_id or ""), overall, nps, r.comment,
    ]  # fmt: skip


def _nps_retail_row(r: SurveyResponse) -> list[str]:
    nps = "NA" if _draw(r, "na") < 0.05 else str(r.nps)
    if r.defect == "nps out of range":
        nps = "11"
    comment = r.comment if r.comment.isascii() and r.comment else "NA"
    return [r.response_id, f"T{r.submitted % 7 + 1:02d}", str(r.ticket_id or "NA"), nps, comment]


def _write(path: Path, body: bytes) -> Path:
    """Write as a tool's download lands: whole, under its name, replacing an older download."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(body)
    tmp.replace(path)
    return path


def _csv(rows: list[list[str]], trailing_comma: bool = False, quote_all: bool = False) -> str:
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\n").writerows(
        [*row, ""] if trailing_comma else row for row in rows
    )
    if trailing_comma:  # 腾讯问卷 ends each line with a bare comma, not an empty quoted cell
        return buf.getvalue().replace(',""\n', ",\n")
    return buf.getvalue()


def _wjx_month(source: SampleSource, mapping: SurveyCsvMapping, drop_dir: Path, month: date) -> Path | None:
    """The download of the month's answers, as of now (a later run downloads it again, grown)."""
    import openpyxl

    start, _ = day_bounds(source.config.timezone, month)
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    end, _ = day_bounds(source.config.timezone, next_month)
    rows = export_responses(source, start, min(end, source.now + 1), "wjx")
    if not rows:
        return None
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(WJX_HEADER)
    for r in rows:
        sheet.append(_wjx_row(r))
    buf = io.BytesIO()
    book.save(buf)
    return _write(drop_dir / f"108397328_{month:%Y%m}_客户满意度回访.xlsx", buf.getvalue())


def _daily(
    source: SampleSource, mapping: SurveyCsvMapping, drop_dir: Path, day: date, render: Callable[[list], bytes]
) -> Path | None:
    start, end = day_bounds(source.config.timezone, day)
    if end > source.now:  # the day's export comes once the day is over
        return None
    path = drop_dir / mapping.file_name(day).replace("*", "235959")
    if path.exists():
        return path
    return _write(path, render(export_responses(source, start, end, mapping.tool)))


def write_sample_exports(
    source: SampleSource, mappings: list[SurveyCsvMapping], drop_dir: Path, first: date, last: date
) -> list[Path]:
    """Drop each sample tool's exports of the days first..last, as the tools would by now."""
    written: list[Path | None] = []
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    for mapping in mappings:
        if mapping.tool == "wjx":
            months = sorted({d.replace(day=1) for d in days})
            written += [_wjx_month(source, mapping, drop_dir, m) for m in months]
        elif mapping.tool == "tencent":
            render = lambda rs: _csv(  # noqa: E731
                [TENCENT_HEADER, *(_tencent_row(r) for r in rs)],
                trailing_comma=True, quote_all=True,
            ).encode("utf-8-sig")  # fmt: skip
            written += [_daily(source, mapping, drop_dir, d, render) for d in days]
        elif mapping.tool == "nps_retail":
            render = lambda rs: _csv([NPS_RETAIL_HEADER, *(_nps_retail_row(r) for r in rs)]).encode("latin-1")  # noqa: E731
            written += [_daily(source, mapping, drop_dir, d, render) for d in days]
    return [p for p in written if p is not None]
