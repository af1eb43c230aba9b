"""A report's content as a self-contained HTML page (styles and SVG charts inline, nothing
fetched) and as a PDF made from that same page by WeasyPrint, offline; files written whole.

WeasyPrint lays pages out with Pango: where the library is missing, the error names the
Debian packages to install instead of a loader's traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from pouls.locale import scores, translate
from pouls.report import ReportError
from pouls.report.charts import all_charts
from pouls.report.content import Content
from pouls.report.glyphs import printable
from pouls.report.words import (
    NO_PANGO,
    PDF_FAILED,
    change,
    channel_label,
    day,
    moment,
    number,
    percent,
)
from pouls.watch import titles

log = logging.getLogger("pouls.report")

Format = Literal["html", "pdf"]
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
_EPSILON = timedelta(microseconds=1)  # the last moment of a half-open period

_env = Environment(
    loader=PackageLoader("pouls.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def html(content: Content, lang: str | None = None) -> str:
    """The report as one HTML document that needs nothing else to be read."""
    lang = lang or content.report.lang
    tz = ZoneInfo(content.timezone)

    def _(text: str, **values: object) -> str:
        return translate(lang, text, **values)

    def when(value: datetime, precise: bool = False) -> str:
        return (moment if precise else day)(lang, value, tz)

    figures = content.totals
    page = _env.get_template("report.html")
    return page.render(
        c=content,
        lang=lang,
        _=_,
        when=when,
        last_day=when(content.period.until - _EPSILON),
        previous_last_day=when(content.previous.until - _EPSILON),
        number=lambda v: number(lang, v),
        score=lambda v, signed=False: scores.score(lang, v, signed),
        points=lambda v: scores.points(lang, v),
        percent=lambda v: percent(lang, v),
        change=lambda v: change(lang, v),
        channel=lambda k: channel_label(lang, k),
        alert_title=lambda a: titles.title(a.kind, a.facts, lang),  # the alerts list's words
        paragraphs=_paragraphs,
        css_string=_css_string,
        charts={k: Markup(v) for k, v in all_charts(content, lang).items()},
        figures=figures,
    )


def pdf(content: Content, lang: str | None = None) -> bytes:
    """The same page laid out on A4 pages by WeasyPrint; `ReportError` if it cannot be."""
    document = html(content, lang)
    return to_pdf(document, lang or content.report.lang)


def to_pdf(document: str, lang: str) -> bytes:
    """An HTML document as PDF bytes; never half a file: an error raises before any is kept."""
    try:
        import weasyprint
    except OSError as exc:  # cffi could not load libpango / libgobject
        log.error("WeasyPrint cannot load its libraries: %s", exc)
        raise ReportError(NO_PANGO) from exc
    # Its progress is logged at INFO, seven lines a PDF: not news in `pouls up`'s log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    try:
        # emoji no installed font draws would be boxes: their names instead (report/glyphs.py)
        data = weasyprint.HTML(string=printable(document), base_url=None).write_pdf()
    except Exception as exc:  # the engine's own failure, in its words, within ours
        log.exception("PDF not made")
        raise ReportError(PDF_FAILED, reason=f"{type(exc).__name__}: {exc}"[:200]) from exc
    if not data or not data.startswith(b"%PDF"):
        raise ReportError(PDF_FAILED, reason=translate(lang, "empty output"))
    return bytes(data)


def render(content: Content, form: Format, lang: str | None = None) -> bytes:
    """The report in `form` as bytes to send or save."""
    if form == "pdf":
        return pdf(content, lang)
    return html(content, lang).encode("utf-8")


def save(data: bytes, path: Path) -> None:
    """Write `data` to `path` whole: to a temporary file beside it, then renamed over it, so a
    failure leaves no file (or the previous one), never a truncated report."""
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def filename(content: Content, form: Format) -> str:
    """`hebdo-2026-11-30-2026-12-06.pdf`: the report and its local dates."""
    tz = ZoneInfo(content.timezone)
    since = content.period.since.astimezone(tz).date().isoformat()
    until = (content.period.until - _EPSILON).astimezone(tz).date().isoformat()
    return f"{content.report.name}-{since}-{until}.{form}"


def _css_string(text: str) -> Markup:
    """`text` as a quoted CSS string for the page footer: HTML escaping means nothing inside
    <style>, so quotes, backslashes and `<` are written as CSS escapes instead."""
    escaped = "".join(c if c.isalnum() or c in " .,:;-–·'()" else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{escaped}"')


def _paragraphs(text: str) -> Markup:
    """The analyst's text, escaped, its blank lines as paragraphs and its lines kept."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(
        Markup("<p>") + Markup("<br>").join(escape(line) for line in b.split("\n")) + Markup("</p>")
        for b in blocks
    )
