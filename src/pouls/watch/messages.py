"""Alerts, escalations and digests put into words (French or English) as `Notice`s for sinks."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

import msgspec

from pouls.config import Rule
from pouls.sinks.notice import Notice
from pouls.watch.digest import Digest, percent
from pouls.watch.explain import Explanation
from pouls.watch.rules import Firing, title

LABELS = {
    "fr": {
        "opened": "Nouvelle alerte",
        "updated": "Alerte mise à jour",
        "closed": "Alerte terminée",
        "observed": "Observé",
        "baseline": "Habituel",
        "terms": "Termes en hausse",
        "channels": "Canaux",
        "authors": "Auteurs",
        "sentiment": "Tonalité",
        "examples": "Signaux représentatifs",
        "open": "Ouvrir dans pouls",
        "since": "depuis",
    },
    "en": {
        "opened": "New alert",
        "updated": "Alert updated",
        "closed": "Alert over",
        "observed": "Observed",
        "baseline": "Usual",
        "terms": "Rising terms",
        "channels": "Channels",
        "authors": "Authors",
        "sentiment": "Sentiment",
        "examples": "Representative signals",
        "open": "Open in pouls",
        "since": "since",
    },
}


def alert_notice(
    firing: Firing,
    rule: Rule,
    explanation: Explanation | None,
    *,
    alert_id: int,
    lang: str,
    base_url: str,
) -> Notice:
    """The notice for one change of an alert, with its explanation and chart."""
    L = LABELS[lang]
    head = title(rule, firing, lang)
    subject = f"{L[firing.change]} · {head}"
    link = f"{base_url.rstrip('/')}/alerts/{alert_id}?ws={rule.workspace}"
    lines = [head, f"{L['since']} {_when(firing.started)}"]
    data: dict = {
        "observed": firing.observed,
        "baseline": firing.baseline,
        "score": round(firing.score, 4),
        "at": firing.at.isoformat(),
        "started": firing.started.isoformat(),
        "count": firing.count,
    }
    images: dict[str, bytes] = {}
    parts = [f"<h2>{html.escape(head)}</h2>"]
    if explanation is not None:
        e = explanation
        rows = [
            (L["observed"], f"{e.observed:g}"),
            (L["baseline"], f"{e.baseline:.1f}"),
            (L["terms"], ", ".join(f"{t.term} ×{t.lift:g}" for t in e.terms[:8])),
            (L["channels"], ", ".join(f"{c} ({n})" for c, n in e.channels)),
            (L["authors"], ", ".join(f"{a} ({n})" for a, n in e.authors)),
            (L["sentiment"], ", ".join(f"{k} {v}" for k, v in sorted(e.sentiment.items()))),
        ]
        lines += [f"{k}: {v}" for k, v in rows if v]
        lines.append(f"{L['examples']}:")
        lines += [f"- [{x.channel}] {x.text[:160]} {x.link}" for x in e.examples]
        parts.append('<p><img src="cid:chart" alt="chart" width="480" height="140"></p>')
        parts.append(
            "<table>"
            + "".join(
                f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                for k, v in rows
                if v
            )
            + "</table>"
        )
        parts.append(f"<h3>{L['examples']}</h3><ul>")
        parts += [
            f"<li><a href='{html.escape(x.link)}'>[{html.escape(x.channel)}]</a> "
            f"{html.escape(x.text[:280])}</li>"
            for x in e.examples
        ]
        parts.append("</ul>")
        images["chart"] = e.chart()
        data["explanation"] = _plain(e)
    parts.append(f"<p><a href='{html.escape(link)}'>{L['open']}</a></p>")
    return Notice(
        kind="alert",
        workspace=rule.workspace,
        subject=subject,
        text="\n".join(lines),
        html="".join(parts),
        data=data,
        images=images,
        lang=lang,
        rule=rule.name,
        alert_id=alert_id,
        change=firing.change,
        link=link,
    )


def _when(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M UTC")


def _plain(e: Explanation) -> dict:
    return msgspec.to_builtins(e)


DIGEST: dict[str, dict[str, Any]] = {
    "fr": {
        "day": "Résumé du jour",
        "week": "Résumé de la semaine",
        "volume": "Volume",
        "own": "Vos comptes (non comptés ci-dessus)",
        "previous": "période précédente",
        "sentiment": "Tonalité",
        "topics": "Sujets",
        "channels": "Canaux",
        "terms": "Termes en hausse",
        "alerts": "Alertes",
        "escalations": "Escalades",
        "none": "aucune",
        "engaging": "Les plus engageants",
        "representative": "Représentatifs",
        "open": "Ouvrir dans pouls",
        "status": {"open": "en cours", "closed": "terminée"},
    },
    "en": {
        "day": "Daily digest",
        "week": "Weekly digest",
        "volume": "Volume",
        "own": "Your accounts (not counted above)",
        "previous": "previous period",
        "sentiment": "Sentiment",
        "topics": "Topics",
        "channels": "Channels",
        "terms": "Rising terms",
        "alerts": "Alerts",
        "escalations": "Escalations",
        "none": "none",
        "engaging": "Most engaging",
        "representative": "Representative",
        "open": "Open in pouls",
        "status": {"open": "open", "closed": "over"},
    },
}


def digest_notice(d: Digest, lang: str) -> Notice:
    """A workspace's digest as text and HTML, the chart inline."""
    L = DIGEST[lang]
    head = f"{L[d.period]} · {d.workspace} · {d.start:%Y-%m-%d} → {d.end:%Y-%m-%d %H:%M} UTC"
    rows = [
        (L["volume"], f"{d.volume} ({percent(d.change)} vs {L['previous']}: {d.previous})"),
        (L["sentiment"], ", ".join(f"{k} {v}" for k, v in d.sentiment.items())),
        (L["topics"], ", ".join(f"{k} ({n})" for k, n in d.topics)),
        (L["channels"], ", ".join(f"{k} ({n})" for k, n in d.channels)),
        (L["terms"], ", ".join(f"{t.term} ×{t.lift:g}" for t in d.terms)),
        (L["own"], f"{d.own}" if d.own else ""),
    ]
    lists = [
        (
            L["alerts"],
            [
                (f"#{a.id} {a.title} ({L['status'].get(a.status, a.status)})", a.link)
                for a in d.alerts
            ],
        ),
        (L["escalations"], [(f"#{a.id} {a.title}", a.link) for a in d.escalations]),
        (L["engaging"], [(f"[{x.channel}] {x.text[:160]}", x.link) for x in d.engaging]),
        (
            L["representative"],
            [(f"[{x.channel}] {x.text[:160]}", x.link) for x in d.representative],
        ),
    ]
    lines = [head, ""] + [f"{k}: {v}" for k, v in rows if v]
    parts = [
        f"<h2>{html.escape(head)}</h2>",
        '<p><img src="cid:chart" alt="chart" width="480" height="140"></p><table>',
    ]
    parts += [
        f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in rows
        if v
    ]
    parts.append("</table>")
    for name, items in lists:
        if not items and name not in (L["alerts"], L["escalations"]):
            continue
        lines += ["", f"{name}:"] + ([f"- {t} {u}" for t, u in items] or [f"- {L['none']}"])
        parts.append(f"<h3>{html.escape(name)}</h3><ul>")
        parts += [
            f"<li><a href='{html.escape(u)}'>{html.escape(t)}</a></li>" for t, u in items
        ] or [f"<li>{L['none']}</li>"]
        parts.append("</ul>")
    parts.append(f"<p><a href='{html.escape(d.link)}'>{L['open']}</a></p>")
    return Notice(
        kind="digest",
        workspace=d.workspace,
        subject=head,
        text="\n".join(lines),
        html="".join(parts),
        data=msgspec.to_builtins(d),
        images={"chart": d.chart()},
        lang=lang,
        link=d.link,
    )
