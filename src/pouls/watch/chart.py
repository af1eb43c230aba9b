"""An alert's series as a chart with axes and time ticks: bars, the usual level dashed, the
alert's step in red. PNG for e-mails (an image a mail client shows), SVG for pages.

Drawn by matplotlib's object API (a `Figure` per chart, no pyplot: no global state, so pages
draw charts from worker threads at once), as reports draw theirs. Tick labels are written by
the caller's formatters and Babel, in the reader's language and time zone.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

BAR, ALERT, BASELINE = "#94a3b8", "#dc2626", "#2563eb"
INK, MUTED, GRID = "#1f2937", "#6b7280", "#e5e7eb"
PAGE = (6.4, 2.2)  # inches: 640 × 220 CSS px
MAIL = (4.8, 1.4)  # the 480 × 140 the notices' <img> asks for, drawn at twice the pixels
RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "svg.hashsalt": "pouls-alert",
}
_XML_HEAD = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)


def png(
    values: Sequence[float],
    *,
    baseline: float | None = None,
    alert_from: int | None = None,
    end: datetime | None = None,
    step: timedelta | None = None,
    lang: str = "en",
    tz: ZoneInfo | None = None,
    value_label: Callable[[float], str] | None = None,
) -> bytes:
    """The chart as a PNG for e-mails: 960 × 280 pixels, shown at 480 × 140."""
    buffer = io.BytesIO()
    fig = _draw(values, baseline, alert_from, end, step, lang, tz, value_label, MAIL)
    fig.savefig(buffer, format="png", dpi=200, metadata={"Software": None})
    return buffer.getvalue()


def svg(
    values: Sequence[float],
    *,
    baseline: float | None = None,
    alert_from: int | None = None,
    end: datetime | None = None,
    step: timedelta | None = None,
    lang: str = "en",
    tz: ZoneInfo | None = None,
    value_label: Callable[[float], str] | None = None,
) -> str:
    """The chart as an inline <svg> element (no XML prolog), text kept as text."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        fig = _draw(values, baseline, alert_from, end, step, lang, tz, value_label, PAGE)
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _XML_HEAD.sub("", buffer.getvalue())


def _draw(
    values: Sequence[float],
    baseline: float | None,
    alert_from: int | None,
    end: datetime | None,
    step: timedelta | None,
    lang: str,
    tz: ZoneInfo | None,
    value_label: Callable[[float], str] | None,
    size: tuple[float, float],
) -> Any:
    # Imported here: matplotlib takes a second to load, and only pages and notices with a
    # chart need it (importing this module must stay cheap for the CLI).
    from matplotlib.dates import AutoDateLocator, date2num, num2date
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig = Figure(figsize=size, dpi=100, layout="constrained")
    ax = fig.add_subplot()
    n = len(values)
    colours = [ALERT if alert_from is not None and i >= alert_from else BAR for i in range(n)]
    if end is not None and step is not None and n:
        # Bucket i starts n-1-i steps before the last one, which ends at `end`.
        starts = [end - (n - i) * step for i in range(n)]
        width = step / timedelta(days=1)
        ax.bar([date2num(t) for t in starts], values, width=width * 0.85, align="edge",
               color=colours)  # fmt: skip
        zone = tz or ZoneInfo("UTC")
        span = end - starts[0]
        pattern = "HH:mm" if span <= timedelta(hours=36) else "d MMM"
        locator = AutoDateLocator(tz=zone, minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(
            FuncFormatter(
                lambda x, _: str(format_datetime(num2date(x), pattern, tzinfo=zone, locale=lang))
            )
        )
        ax.set_xlim(date2num(starts[0]), date2num(end))
    else:
        ax.bar(range(n), values, width=0.85, color=colours)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    if baseline is not None and baseline > 0:
        ax.axhline(baseline, color=BASELINE, linestyle="--", linewidth=1.2)
    ax.set_ylim(bottom=0, top=max([*values, baseline or 0.0, 1e-9]) * 1.1)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=value_label is None))
    if value_label is not None:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: value_label(y)))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(GRID)
    ax.spines["bottom"].set_color(MUTED)
    ax.tick_params(colors=INK, labelsize=8)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    return fig
