"""Static SVG charts (matplotlib), inlined in the report so they show with JavaScript off and offline.

Values are drawn in the KPI's report unit (format.Unit), so an axis reads "60 min", "90%", never
raw seconds or a mix of units; ticks are whole steps of that unit. Every bar and point carries its
sample size (n); slices below the report's minimum n are drawn grey.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: render to files only

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from orchestration.report_builder.format import PERCENT, Unit
from orchestration.report_builder.i18n import EN

ACTUAL = "#1f5f8b"
TARGET = "#c0392b"
FLAGGED = "#e67e22"
BELOW_TARGET = "#b9770e"
INCOMPLETE = "#8a949e"
SMALL_SAMPLE = "#c5ccd3"
N_TEXT = "#5b6775"

# Chinese labels need a CJK font: Noto Sans CJK SC (Debian's fonts-noto-cjk, installed by `make setup`).
# DejaVu Sans stays first, so Latin text looks as before; a glyph it lacks falls back to Noto.
# The SVG keeps text as text: the browser draws it with the same font stack.
CJK_FONT = "Noto Sans CJK SC"

CJK_FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian/Ubuntu fonts-noto-cjk
                  "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc")  # Fedora, Arch  # fmt: skip


class MissingFont(RuntimeError):
    """A Chinese report needs a CJK font, and none is installed."""


def ensure_cjk_font() -> None:
    """Make matplotlib see Noto Sans CJK, installed after its font cache was built (the cache is not
    rebuilt by itself); a one-line error naming the package when it is not installed at all."""
    if not any(f.name == CJK_FONT for f in font_manager.fontManager.ttflist):
        path = next((p for p in CJK_FONT_FILES if Path(p).exists()), None)
        if path is None:
            raise MissingFont(
                "the zh-CN report needs the Noto Sans CJK font, which is not installed: run "
                "`apt-get install fonts-noto-cjk` (Debian/Ubuntu; `make setup` does) or use --language en"
            )
        font_manager.fontManager.addfont(path)
    # named, not the generic "sans-serif": matplotlib falls back glyph by glyph only along named families
    plt.rcParams["font.family"] = ["DejaVu Sans", CJK_FONT, "sans-serif"]


plt.rcParams.update({
    "svg.fonttype": "none",  # text stays text: smaller, searchable, printable
    "svg.hashsalt": "cs-kpi-report",  # stable element ids, so the same data gives the same file
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
})  # fmt: skip

ENGLISH = EN["charts"]


def _svg(fig: plt.Figure) -> str:
    """The figure as an inline <svg> element with no reference to any network address.

    An <svg> inside HTML needs no namespace declarations, and the prolog, DOCTYPE, generator comment
    and metadata block are not wanted in a mailed file; all of them carry http(s) URIs."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None, "Format": None,
                                                                       "Type": None})  # fmt: skip
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", svg)
    return svg.strip()


def _value_axis(axis, unit: Unit) -> None:
    """Whole steps of the unit (1, 2, 5 or 10 of it), labelled in the unit."""
    locator = MaxNLocator(nbins=5, steps=[1, 2, 5, 10], min_n_ticks=3)
    axis.set_major_locator(locator)

    def label(value: float, _: int) -> str:
        ticks = locator.tick_values(*axis.get_view_interval())
        step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
        return unit.tick(value, step)

    axis.set_major_formatter(FuncFormatter(label))


def _date_axis(ax: plt.Axes, days: Sequence[date], day_label: Callable[[date], str], every: int) -> None:
    """Ticks on the drawn days only, every `every`-th counted back from the last, each labelled with
    its own day and month: no offset text that could name another month than the ticks'."""
    ticks = list(days)[::-1][::every][::-1]
    ax.xaxis.set_major_locator(FixedLocator([_x(d) for d in ticks]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: day_label(date.fromordinal(round(v)))))
    ax.set_xlim(_x(days[0]) - 0.6 * every / 2, _x(days[-1]) + 0.6 * every / 2)


def _x(d: date) -> int:
    return d.toordinal()


def _legend(ax: plt.Axes) -> None:
    """Under the plot, where it hides no point or label."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False, fontsize=8)


def _n_row(ax: plt.Axes, xs: Sequence[float], ns: Sequence[int | None], label: str) -> None:
    """Each point's sample size in a row above the plot, aligned with its point."""
    for x, n in zip(xs, ns, strict=True):
        if n is not None:
            ax.text(x, 1.02, f"{n:,}", transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=5.5,
                    color=N_TEXT, rotation=90, gid="sample-size")  # fmt: skip
    ax.text(1.0, 1.02, f" {label}", transform=ax.transAxes, ha="left", va="bottom", fontsize=6, color=N_TEXT)


def _target_line(ax: plt.Axes, target: float | None, unit: Unit, t: Mapping[str, str], vertical: bool = False) -> None:
    """Dashed, thin and behind every mark and label, so it never covers a value."""
    if target is None:
        return
    line = ax.axvline if vertical else ax.axhline
    line(unit.shown(target), color=TARGET, linestyle="--", linewidth=1.0, alpha=0.8, zorder=0.5,
         label=t["target"].format(value=unit.text(target)), gid="target")  # fmt: skip


def _apart(ax: plt.Axes, points: Sequence[tuple[date, float]], unit: Unit, gid: str, label: str, **marker) -> None:
    """Points drawn apart from the line (an incomplete week or day, a week with too few answers)."""
    if points:
        ax.plot([_x(d) for d, _ in points], [unit.shown(v) for _, v in points], linestyle="none", marker="o",
                markersize=4, label=label, gid=gid, zorder=2, **marker)  # fmt: skip


def _finish_by_day(
    fig: plt.Figure, ax: plt.Axes, title: str, points: Sequence[tuple[date, float, int | None]], target: float | None,
    unit: Unit, day_label: Callable[[date], str], every: int, t: Mapping[str, str],
) -> str:  # fmt: skip
    """A chart by day or week: its target line, title, axes, each point's n above it, legend and grid."""
    _target_line(ax, target, unit, t)
    ax.set_title(title, loc="left", fontsize=10, pad=22)
    _value_axis(ax.yaxis, unit)
    _date_axis(ax, [d for d, _, _ in points], day_label, every=every)
    _n_row(ax, [_x(d) for d, _, _ in points], [n for _, _, n in points], t["n"])
    _legend(ax)
    ax.grid(axis="y", alpha=0.3)
    return _svg(fig)


def line_chart(
    title: str,
    points: Sequence[tuple[date, float, int | None]],
    target: float | None,
    unit: Unit,
    day_label: Callable[[date], str],
    incomplete: Collection[date] = (),
    t: Mapping[str, str] = ENGLISH,
    min_n: int = 0,
) -> str:
    """A KPI by week with its target as a dashed line and each week's n above it. Incomplete weeks
    (history covers part of them) are hollow grey points apart from the line: never drawn as real
    lows or highs. Weeks with n below `min_n` are grey points apart from the line too: too few to
    judge either way."""
    fig, ax = plt.subplots(figsize=(6.2, 2.7))
    small = {d for d, _, n in points if n is not None and n < min_n and d not in incomplete}
    whole = [(d, v) for d, v, _ in points if d not in incomplete and d not in small]
    ax.plot([_x(d) for d, _ in whole], [unit.shown(v) for _, v in whole], color=ACTUAL, marker="o", markersize=3,
            linewidth=1.6, label=t["actual"], gid="series-actual", zorder=2)  # fmt: skip
    _apart(ax, [(d, v) for d, v, _ in points if d in small], unit, "series-small-sample",
           t["small_sample"].format(min_n=min_n), color=SMALL_SAMPLE)  # fmt: skip
    _apart(ax, [(d, v) for d, v, _ in points if d in incomplete], unit, "series-incomplete", t["incomplete_week"],
           markerfacecolor="none", markeredgecolor=INCOMPLETE)  # fmt: skip
    return _finish_by_day(fig, ax, title, points, target, unit, day_label, 4, t)


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, float, int | None]],
    target: float | None,
    better: str,
    unit: Unit,
    min_n: int = 0,
    t: Mapping[str, str] = ENGLISH,
) -> str:
    """One bar per team, channel or category, labelled with its value and n; bars on the wrong side of
    the target are amber, bars with n below `min_n` grey (too few answers to judge either way)."""
    fig, ax = plt.subplots(figsize=(6.2, 0.32 * max(len(bars), 3) + 1.0))
    labels = [label for label, _, _ in bars]
    values = [unit.shown(value) for _, value, _ in bars]

    def colour(value: float, n: int | None) -> str:
        if n is not None and n < min_n:
            return SMALL_SAMPLE
        if target is not None and (value < target if better == "higher" else value > target):
            return BELOW_TARGET
        return ACTUAL

    colours = [colour(value, n) for _, value, n in bars]
    drawn = ax.barh(labels, values, color=colours, gid="series-bars", zorder=2)
    ax.invert_yaxis()
    for bar, (_, value, n) in zip(drawn, bars, strict=True):
        text = unit.text(value) + ("" if n is None else f"  n={n:,}")
        ax.annotate(text, (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=7.5, zorder=3,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})  # fmt: skip
    _target_line(ax, target, unit, t, vertical=True)
    handles, _ = ax.get_legend_handles_labels()
    if SMALL_SAMPLE in colours:
        handles.append(Patch(color=SMALL_SAMPLE, label=t["small_sample"].format(min_n=min_n)))
    if handles:  # under the axis, where it covers no bar or label
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.5 / (0.32 * max(len(bars), 3) + 1.0)
                  - 0.08), ncol=2, frameon=False, fontsize=8)  # fmt: skip
    ax.set_title(title, loc="left", fontsize=10)
    _value_axis(ax.xaxis, unit)
    ax.set_xlim(0, max([*values, unit.shown(target) if target is not None else 0]) * 1.35 or 1)
    ax.grid(axis="x", alpha=0.3)
    return _svg(fig)


def complaint_chart(
    days: Sequence[tuple[date, float, int | None]],
    flagged: set[date],
    target: float | None,
    unit: Unit,
    day_label: Callable[[date], str],
    title: str,
    incomplete: Collection[date] = (),
    t: Mapping[str, str] = ENGLISH,
) -> str:
    """Daily complaint rate with the anomaly check's flagged days circled, each day's n above it and
    incomplete days (before the history start) hollow grey, apart from the line."""
    fig, ax = plt.subplots(figsize=(6.2, 2.7))
    whole = [(d, v) for d, v, _ in days if d not in incomplete]
    ax.plot([_x(d) for d, _ in whole], [unit.shown(v) for _, v in whole], color=ACTUAL, marker="o", markersize=3,
            linewidth=1.4, label=t["complaint_rate"], gid="series-actual", zorder=2)  # fmt: skip
    _apart(ax, [(d, v) for d, v, _ in days if d in incomplete], unit, "series-incomplete", t["incomplete_day"],
           markerfacecolor="none", markeredgecolor=INCOMPLETE)  # fmt: skip
    marked = [(d, v) for d, v, _ in days if d in flagged]
    if marked:
        ax.scatter(
            [_x(d) for d, _ in marked], [unit.shown(v) for _, v in marked], s=60, facecolors="none",
            edgecolors=FLAGGED, linewidths=1.8, zorder=3, label=t["flagged"], gid="flagged-days",
        )  # fmt: skip
    return _finish_by_day(fig, ax, title, days, target, unit, day_label, 7, t)


def share_chart(title: str, shares: Sequence[tuple[str, float, int | None]], t: Mapping[str, str] = ENGLISH) -> str:
    """Shares of a whole (complaint reasons), largest first; n is each share's count."""
    return bar_chart(title, shares, None, "higher", PERCENT, t=t)
