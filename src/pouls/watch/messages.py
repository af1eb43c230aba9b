"""Alerts and digests put into words (French or English) as `Notice`s for sinks.

The words are the catalogues' (`pouls.locale`), the bodies autoescaped Jinja2 templates in
watch/templates/: `*.txt` for the text part, `*.html` for e-mail. Figures are formatted here,
as each language writes them, and handed to both.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from jinja2 import Environment, FileSystemLoader

from pouls.config import Rule
from pouls.locale import N_, formats, translate
from pouls.locale.jinja import environment
from pouls.sinks.notice import Notice
from pouls.watch.digest import Digest
from pouls.watch.explain import Explanation
from pouls.watch.rules import Firing, title

CHANGES = {"opened": N_("New alert"), "updated": N_("Alert updated"), "closed": N_("Alert over")}
PERIODS = {"day": N_("Daily digest"), "week": N_("Weekly digest")}
STATUS = {"open": N_("open"), "closed": N_("over")}
UTC_ZONE = ZoneInfo("UTC")  # where the caller knows no workspace clock


@functools.cache
def _templates(autoescape: bool) -> Environment:
    folder = resources.files("pouls.watch").joinpath("templates")
    return environment(FileSystemLoader(str(folder)), autoescape=autoescape)


def _render(name: str, lang: str, **context: Any) -> tuple[str, str]:
    """The text and the HTML of a notice, both in `lang`."""
    text = _templates(False).get_template(f"{name}.txt").render(lang=lang, **context)
    html = _templates(True).get_template(f"{name}.html").render(lang=lang, **context)
    return text.strip(), html


def alert_notice(
    firing: Firing,
    rule: Rule,
    explanation: Explanation | None,
    *,
    alert_id: int,
    lang: str,
    base_url: str,
    tz: ZoneInfo = UTC_ZONE,
) -> Notice:
    """The notice for one change of an alert, with its explanation and chart; its times on
    the clock of `tz` (the workspace's)."""
    head = title(rule, firing, lang)
    link = f"{base_url.rstrip('/')}/alerts/{alert_id}?ws={rule.workspace}"
    data: dict = {
        "observed": firing.observed,
        "baseline": firing.baseline,
        "score": round(firing.score, 4),
        "at": firing.at.isoformat(),
        "started": firing.started.isoformat(),
        "count": firing.count,
    }
    images: dict[str, bytes] = {}
    rows: list[tuple[str, str]] = []
    examples: list = []
    if explanation is not None:
        e = explanation
        rows = _rows(lang, e)
        examples = e.examples
        images["chart"] = e.chart(lang, tz)
        data["explanation"] = msgspec.to_builtins(e)
    text, html = _render(
        "alert",
        lang,
        head=head,
        since=formats.stamp(lang, firing.started, tz),
        rows=rows,
        examples=examples,
        link=link,
    )
    return Notice(
        kind="alert",
        workspace=rule.workspace,
        subject=f"{translate(lang, CHANGES[firing.change])} · {head}",
        text=text,
        html=html,
        data=data,
        images=images,
        lang=lang,
        rule=rule.name,
        alert_id=alert_id,
        change=firing.change,
        link=link,
    )


def _rows(lang: str, e: Explanation) -> list[tuple[str, str]]:
    """An explanation's figures, labelled, as the notice's table lists them (empty ones left out)."""
    n = functools.partial(formats.number, lang)
    rows = [
        (translate(lang, "Observed"), n(e.observed)),
        (translate(lang, "Usual"), n(e.baseline)),
        (translate(lang, "Rising terms"), ", ".join(f"{t.term} ×{n(t.lift)}" for t in e.terms[:8])),
        (translate(lang, "Channels"), ", ".join(f"{c} ({n(k)})" for c, k in e.channels)),
        (translate(lang, "Authors"), ", ".join(f"{a} ({n(k)})" for a, k in e.authors)),
        (translate(lang, "Sentiment"), _sentiment(lang, e.sentiment)),
    ]
    return [(label, value) for label, value in rows if value]


def _sentiment(lang: str, counts: dict[str, int]) -> str:
    return ", ".join(
        f"{translate(lang, k)} {formats.number(lang, v)}" for k, v in sorted(counts.items())
    )


def digest_notice(d: Digest, lang: str, tz: ZoneInfo = UTC_ZONE) -> Notice:
    """A workspace's digest as text and HTML, the chart inline; its dates on the clock of `tz`
    (the workspace's): `Daily digest · acme · 6 déc. 2026, 08:00 → 7 déc. 2026, 08:00 CET`."""
    period = translate(lang, PERIODS[d.period])
    start = formats.stamp(lang, d.start, tz, named=False)
    head = f"{period} · {d.workspace} · {start} → {formats.stamp(lang, d.end, tz)}"
    n = functools.partial(formats.number, lang)
    change = formats.percent(lang, d.change, signed=True)
    volume = translate(
        lang,
        "%(volume)s (%(change)s vs previous period: %(previous)s)",
        volume=n(d.volume),
        change=change,
        previous=n(d.previous),
    )
    rows = [
        (translate(lang, "Volume"), volume),
        (translate(lang, "Sentiment"), _sentiment(lang, d.sentiment)),
        (translate(lang, "Topics"), ", ".join(f"{k} ({n(c)})" for k, c in d.topics)),
        (translate(lang, "Channels"), ", ".join(f"{k} ({n(c)})" for k, c in d.channels)),
        (translate(lang, "Rising terms"), ", ".join(f"{t.term} ×{n(t.lift)}" for t in d.terms)),
        (translate(lang, "Your accounts (not counted above)"), n(d.own) if d.own else ""),
    ]
    status = {k: translate(lang, v) for k, v in STATUS.items()}
    lists = [
        (
            translate(lang, "Alerts"),
            [(f"#{a.id} {a.title} ({status.get(a.status, a.status)})", a.link) for a in d.alerts],
            translate(lang, "No alert in this period."),
        ),
        (
            translate(lang, "Escalations"),
            [(f"#{a.id} {a.title}", a.link) for a in d.escalations],
            translate(lang, "No escalation in this period."),
        ),
        (
            translate(lang, "Most engaging"),
            [(f"[{x.channel}] {x.text[:160]}", x.link) for x in d.engaging],
            "",
        ),
        (
            translate(lang, "Representative"),
            [(f"[{x.channel}] {x.text[:160]}", x.link) for x in d.representative],
            "",
        ),
    ]
    text, html = _render(
        "digest", lang, head=head, rows=[r for r in rows if r[1]], lists=lists, link=d.link
    )
    return Notice(
        kind="digest",
        workspace=d.workspace,
        subject=head,
        text=text,
        html=html,
        data=msgspec.to_builtins(d),
        images={"chart": d.chart(lang, tz)},
        lang=lang,
        link=d.link,
    )
