"""The e-mail of one issue of a scheduled report: a short HTML body (the key numbers against
the previous period, a link to the report in pouls), its text alternative, the PDF attached.

Apart from `schedule.py`, which decides *when* an issue is made and to whom it goes: this only
puts one issue into words, in the report's language, through autoescaped templates
(report/templates/mail.txt and mail.html), never HTML built in strings.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from jinja2 import Environment, PackageLoader

from pouls.locale import N_, scores, translate
from pouls.locale.jinja import environment
from pouls.report.content import Content, Figure
from pouls.report.words import change, day, number
from pouls.sinks.notice import Notice

# The key numbers, as the report's first section shows them.
KEYS = (
    ("volume", N_("Signals")),
    ("authors", N_("Authors")),
    ("reach", N_("Reach")),
    ("negative_share", N_("Negative share")),
    ("net_sentiment", N_("Net sentiment")),
)
SHARES = ("negative_share", "net_sentiment")  # compared in points, not in percent


class KeyNumber(msgspec.Struct, frozen=True, kw_only=True):
    """One key number as the mail writes it: its label, value and change, all words."""

    label: str
    value: str
    change: str  # "+12 %", "+3 pts", or "no previous data"


@functools.cache
def _templates(autoescape: bool) -> Environment:
    return environment(PackageLoader("pouls.report", "templates"), autoescape=autoescape)


def key_numbers(content: Content, lang: str) -> list[KeyNumber]:
    """The report's key numbers with their change against the previous period, in `lang`."""
    out = []
    for key, label in KEYS:
        f = content.totals.get(key)
        if f is None:
            continue
        out.append(
            KeyNumber(
                label=translate(lang, label),
                value=_value(key, f, lang),
                change=_change(key, f, lang),
            )
        )
    return out


def _value(key: str, f: Figure, lang: str) -> str:
    if key == "negative_share":
        return scores.score(lang, f.value)
    if key == "net_sentiment":
        return scores.score(lang, f.value, True)
    return number(lang, f.value or 0)


def _change(key: str, f: Figure, lang: str) -> str:
    if key in SHARES:
        if f.value is None or f.previous is None:
            return translate(lang, "no previous data")
        delta = round(f.value, 2) - round(f.previous, 2)
        return translate(lang, "%(change)s vs previous period", change=scores.points(lang, delta))
    if f.change is None:
        return translate(lang, "no previous data")
    return translate(lang, "%(change)s vs previous period", change=change(lang, f.change))


def notice_of(content: Content, document: bytes, name: str) -> Notice:
    """The e-mail of one issue: HTML and text in the report's language, `document` (the PDF)
    attached as `name`."""
    lang = content.report.lang
    tz = ZoneInfo(content.timezone)
    since = day(lang, content.period.since, tz)
    until = day(lang, content.period.until - timedelta(microseconds=1), tz)
    subject = translate(
        lang, "%(title)s, %(since)s – %(until)s", title=content.title, since=since, until=until
    )
    context: dict[str, Any] = {
        "lang": lang,
        "title": content.title,
        "workspace": content.workspace_name,
        "since": since,
        "until": until,
        "numbers": key_numbers(content, lang),
        "link": content.link,
        "attachment": name,
    }
    text = _templates(False).get_template("mail.txt").render(**context).strip()
    html = _templates(True).get_template("mail.html").render(**context)
    return Notice(
        kind="report",
        workspace=content.workspace,
        subject=subject,
        text=text,
        html=html,
        attachments={name: document},
        lang=lang,
        link=None,
    )
