"""A report's charts as SVG, drawn on the server by matplotlib, to sit inline in the HTML page
(no script, no external file) and be drawn as vectors in the PDF.

matplotlib's object API (a `Figure` per chart, no pyplot) keeps no global state, so charts
can be drawn from the web app's worker threads at the same time.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from pouls.locale import translate
from pouls.report.content import Content
from pouls.report.words import channel_label, number, percent
from pouls.signals.colours import channel_colour

INK, MUTED, ACCENT, GRID = "#1f2937", "#9ca3af", "#0f766e", "#e5e7eb"
# Colours of their own, so a test can find the bars in a PDF apart from the page's text.
SENTIMENT_COLOURS = {"positive": "#1e8449", "neutral": "#a6acaf", "negative": "#c0392b"}
# Text stays text (the page's font, searchable in the PDF); no date, so a chart is the same
# bytes each time it is drawn from the same figures.
RC: dict[str, Any] = {"svg.fonttype": "none", "font.family": "DejaVu Sans", "svg.hashsalt": "pouls"}
WIDTH = 7.2  # inches: the text width of an A4 page with 2 cm margins, at 100 %


def all_charts(content: Content, lang: str) -> dict[str, str]:
    """Every chart of the report, by name, as SVG markup ready to be inlined."""
    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        charts = {
            "volume": volume(content, lang),
            "sentiment": sentiment(content, lang),
            "channels": channels(content, lang),
        }
        if any(v.total for v in content.voices):
            charts["share_of_voice"] = share_of_voice(content, lang)
        return charts


def volume(content: Content, lang: str) -> str:
    """Signals per bucket over the period, the period before as a dashed line."""
    fig = _figure(2.6)
    ax = fig.add_subplot()
    xs = list(range(len(content.series)))
    ax.plot(xs, content.previous_series, color=MUTED, linestyle="--", linewidth=1.2,
            label=translate(lang, "Previous period"))  # fmt: skip
    ax.fill_between(xs, content.series, color=ACCENT, alpha=0.15, linewidth=0)
    ax.plot(xs, content.series, color=ACCENT, linewidth=1.8, label=translate(lang, "This period"))
    ax.set_ylim(bottom=0)
    ticks = _ticks(len(xs))
    tz = ZoneInfo(content.timezone)
    ax.set_xticks(ticks, [_tick(content.buckets[i], content.bucket, tz) for i in ticks])
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncol=2, frameon=False, fontsize=8)
    _style(ax)
    return _svg(fig, "volume")


def sentiment(content: Content, lang: str) -> str:
    """How many signals of each sentiment, as horizontal bars."""
    fig = _figure(1.5)
    ax = fig.add_subplot()
    labels = list(content.sentiment)
    values = [content.sentiment[k] for k in labels]
    ax.barh([translate(lang, k) for k in labels], values,
            color=[SENTIMENT_COLOURS[k] for k in labels])  # fmt: skip
    _values(ax, values, lang)
    _style(ax, horizontal=True)
    return _svg(fig, "sentiment")


def channels(content: Content, lang: str) -> str:
    """Signals per channel, the largest first."""
    rows = list(reversed(content.channels)) or []
    fig = _figure(0.5 + 0.28 * max(len(rows), 1))
    ax = fig.add_subplot()
    values = [r.count for r in rows]
    ax.barh([channel_label(lang, r.key) for r in rows], values,
            color=[channel_colour(r.key) for r in rows])  # fmt: skip
    _values(ax, values, lang)
    _style(ax, horizontal=True)
    return _svg(fig, "channels")


def share_of_voice(content: Content, lang: str) -> str:
    """Each share-of-voice topic's share of their signals, in the topic's colour."""
    rows = sorted(content.voices, key=lambda v: v.share)
    fig = _figure(0.5 + 0.28 * len(rows))
    ax = fig.add_subplot()
    shares = [v.share for v in rows]
    ax.barh([v.name for v in rows], shares, color=[v.color or ACCENT for v in rows])
    for i, v in enumerate(rows):
        ax.annotate(
            percent(lang, v.share),
            (v.share, i),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=INK,
        )
    ax.set_xlim(0, max([*shares, 0.01]) * 1.15)
    ax.xaxis.set_major_formatter(lambda x, _: percent(lang, x))
    _style(ax, horizontal=True)
    return _svg(fig, "share_of_voice")


def _figure(height: float) -> Figure:
    fig = Figure(figsize=(WIDTH, height), dpi=100, layout="constrained")
    FigureCanvasSVG(fig)
    return fig


def _style(ax: object, horizontal: bool = False) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)  # type: ignore[attr-defined]
    ax.spines["left" if not horizontal else "bottom"].set_color(GRID)  # type: ignore[attr-defined]
    ax.spines["bottom" if not horizontal else "left"].set_color(MUTED)  # type: ignore[attr-defined]
    ax.tick_params(colors=INK, labelsize=8, length=0)  # type: ignore[attr-defined]
    ax.grid(axis="x" if horizontal else "y", color=GRID, linewidth=0.6)  # type: ignore[attr-defined]
    ax.set_axisbelow(True)  # type: ignore[attr-defined]


def _values(ax: object, values: list[int], lang: str) -> None:
    """Each bar's count written after it, in the report's language."""
    for i, v in enumerate(values):
        ax.annotate(  # type: ignore[attr-defined]
            number(lang, v),
            (v, i),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=INK,
        )
    ax.margins(x=0.12)  # type: ignore[attr-defined]


def _ticks(n: int, most: int = 8) -> list[int]:
    if n <= most:
        return list(range(n))
    step = -(-n // most)
    return list(range(0, n, step))


def _tick(when: datetime, bucket: str, tz: ZoneInfo) -> str:
    local = when.astimezone(tz)
    return f"{local:%H:%M}" if bucket == "hour" else f"{local:%d/%m}"


_XML_HEAD = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)


def _svg(fig: Figure, name: str) -> str:
    """The figure as an inline <svg> element: no XML prolog, ids unique to this chart."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": name}):  # clip-path ids unique per chart
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _METADATA.sub("", _XML_HEAD.sub("", buffer.getvalue()))  # RDF names other sites
    # matplotlib numbers its ids per figure (patch_1, text_2...): three charts in one page
    # would repeat them, so each chart's ids, and the references to them, take its name.
    svg = _ID.sub(lambda m: f'{m.group(1)}"{name}-{m.group(2)}"', svg)
    return _REF.sub(lambda m: f"{m.group(1)}#{name}-", svg)


_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_ID = re.compile(r'(\bid=)"([^"]+)"')
_REF = re.compile(r"(url\(|href=\")#")
