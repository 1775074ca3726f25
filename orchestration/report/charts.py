"""Static SVG charts (matplotlib), inlined in the report so they show with JavaScript off and offline."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Collection, Sequence
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display: render to files only

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

ACTUAL = "#1f5f8b"
TARGET = "#c0392b"
FLAGGED = "#e67e22"
BELOW_TARGET = "#b9770e"
INCOMPLETE = "#8a949e"

plt.rcParams.update({
    "svg.fonttype": "none",  # text stays text: smaller, searchable, printable
    "svg.hashsalt": "cs-kpi-report",  # stable element ids, so the same data gives the same file
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
})  # fmt: skip


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


def _dates_and_legend(ax: plt.Axes) -> None:
    """Few, short date labels; the legend under the plot, where it hides no point."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False, fontsize=8)


def line_chart(
    title: str,
    points: Sequence[tuple[date, float | None]],
    target: float | None,
    fmt: Callable[[float], str],
    incomplete: Collection[date] = (),
) -> str:
    """A KPI by week with its target as a dashed line. Incomplete weeks (history covers part of them)
    are hollow grey points apart from the line: never drawn as real lows or highs."""
    fig, ax = plt.subplots(figsize=(6.2, 2.6))
    shown = [(d, v) for d, v in points if v is not None]
    xs = [d for d, _ in shown if d not in incomplete]
    ys = [v for d, v in shown if d not in incomplete]
    ax.plot(xs, ys, color=ACTUAL, marker="o", markersize=3, linewidth=1.6, label="actual", gid="series-actual")
    partial = [(d, v) for d, v in shown if d in incomplete]
    if partial:
        ax.plot(
            [d for d, _ in partial], [v for _, v in partial], linestyle="none", marker="o", markersize=4,
            markerfacecolor="none", markeredgecolor=INCOMPLETE, label="incomplete week (before the history start)",
            gid="series-incomplete",
        )  # fmt: skip
    if target is not None:
        ax.axhline(target, color=TARGET, linestyle="--", linewidth=1.2, label=f"target {fmt(target)}", gid="target")
    ax.set_title(title, loc="left", fontsize=10)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v)))
    _dates_and_legend(ax)
    ax.grid(axis="y", alpha=0.3)
    return _svg(fig)


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, float | None]],
    target: float | None,
    better: str,
    fmt: Callable[[float], str],
) -> str:
    """One bar per team or channel; bars on the wrong side of the target are coloured apart."""
    shown = [(label, value) for label, value in bars if value is not None]
    fig, ax = plt.subplots(figsize=(6.2, 0.35 * max(len(shown), 3) + 0.9))
    labels = [label for label, _ in shown]
    values = [value for _, value in shown]

    def misses(v: float) -> bool:
        return target is not None and (v < target if better == "higher" else v > target)

    colours = [BELOW_TARGET if misses(v) else ACTUAL for v in values]
    bars_drawn = ax.barh(labels, values, color=colours, gid="series-bars")
    ax.invert_yaxis()
    for bar, value in zip(bars_drawn, values, strict=True):
        ax.annotate(fmt(value), (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=8)  # fmt: skip
    if target is not None:
        ax.axvline(target, color=TARGET, linestyle="--", linewidth=1.2, label=f"target {fmt(target)}", gid="target")
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.set_title(title, loc="left", fontsize=10)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v)))
    ax.grid(axis="x", alpha=0.3)
    ax.margins(x=0.15)
    return _svg(fig)


def complaint_chart(
    days: Sequence[tuple[date, float | None]],
    flagged: set[date],
    target: float | None,
    fmt: Callable[[float], str],
) -> str:
    """Daily complaint rate with the anomaly check's flagged days marked."""
    fig, ax = plt.subplots(figsize=(6.2, 2.6))
    xs = [d for d, v in days if v is not None]
    ys = [v for _, v in days if v is not None]
    ax.plot(xs, ys, color=ACTUAL, marker="o", markersize=3, linewidth=1.4, label="complaint rate", gid="series-actual")
    marked = [(d, v) for d, v in days if d in flagged and v is not None]
    if marked:
        ax.scatter(
            [d for d, _ in marked], [v for _, v in marked], s=60, facecolors="none", edgecolors=FLAGGED,
            linewidths=1.8, zorder=3, label="flagged by the volume anomaly check", gid="flagged-days",
        )  # fmt: skip
    if target is not None:
        ax.axhline(target, color=TARGET, linestyle="--", linewidth=1.2, label=f"target {fmt(target)}", gid="target")
    ax.set_title("Complaint rate by day", loc="left", fontsize=10)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt(v)))
    _dates_and_legend(ax)
    ax.grid(axis="y", alpha=0.3)
    return _svg(fig)


def share_chart(title: str, shares: Sequence[tuple[str, float]]) -> str:
    """Shares of a whole (complaint reasons), largest first."""
    return bar_chart(title, shares, None, "higher", lambda v: f"{v:.0%}")
