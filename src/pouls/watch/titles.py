"""An alert's title and figures as data (`Facts`), put into words when shown.

The watcher stores what happened (rule kind, metric, numbers, terms), not a sentence, so a page
words the same alert in French or English, with the numbers as its language writes them.
Alerts recorded before `facts` existed are read back from their stored title and explanation.
The words are English message ids of the gettext catalogues (`pouls.locale`).
"""

from __future__ import annotations

import contextlib
import re

import msgspec

from pouls.config import Rule
from pouls.locale import N_, translate, translate_plural
from pouls.locale.formats import number, percent
from pouls.store.watch import StoredAlert
from pouls.watch.rules import SHARES, Firing, metric_of

LEVELS = ("private", "public", "press")  # as the crisis tracker orders them

METRICS = {
    "volume": N_("Volume"),
    "negative": N_("Negative share"),
    "toxic": N_("Toxic share"),
    "scam": N_("Scam share"),
    "reach": N_("Reach"),
    "authors": N_("Authors"),
}
_FROM = {
    "private": N_("from private messages"),
    "public": N_("from public posts"),
    "press": N_("from the press"),
}
_TO = {
    "private": N_("to private messages"),
    "public": N_("to public posts"),
    "press": N_("to the press"),
}
_PLACES = {
    "private": N_("private messages"),
    "public": N_("public posts"),
    "press": N_("the press"),
}


class Facts(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What an alert's title says, as data."""

    what: str | None = None  # the topic or query watched; None: the whole workspace
    metric: str = "volume"
    observed: float = 0.0
    baseline: float = 0.0
    count: int = 0  # match: signals; campaign: copies; new_terms: signals
    authors: int = 0  # campaign: distinct authors (0: unknown)
    terms: list[str] = []  # new_terms: the new words; escalation: the story's words
    source: str | None = None  # escalation: the level the story left
    target: str | None = None  # escalation: the level it reached


def of_firing(rule: Rule, firing: Firing) -> Facts:
    """The facts of a rule's alert at one of its firings."""
    count = firing.count if rule.kind == "match" else round(firing.observed)
    return Facts(
        what=rule.topic or rule.query,
        metric=metric_of(rule),
        observed=firing.observed,
        baseline=firing.baseline,
        count=count,
        authors=firing.authors,
        terms=list(firing.terms[:4]),
    )


class _Told(msgspec.Struct):
    """The few fields of a stored explanation that old alerts' titles are read back from."""

    metric: str | None = None
    terms: list[dict[str, object]] = []
    visibility: dict[str, int] = {}


def of_alert(alert: StoredAlert) -> Facts:
    """A stored alert's facts: its `facts` column, or what its old title and explanation tell."""
    told = _Told()
    if alert.facts is None and alert.explanation:
        with contextlib.suppress(msgspec.DecodeError):  # a damaged document: the title alone
            told = msgspec.json.decode(alert.explanation, type=_Told)
    return read(
        alert.kind,
        alert.facts,
        title=alert.title,
        observed=alert.observed,
        baseline=alert.baseline,
        metric=told.metric if told.metric not in (None, "signals", "copies") else None,
        terms=[str(t.get("term")) for t in told.terms],
        key=alert.key,
        levels=list(told.visibility),
    )


def encode(facts: Facts) -> bytes:
    return msgspec.json.encode(facts)


def read(
    kind: str,
    stored: bytes | str | None,
    *,
    title: str,
    observed: float | None,
    baseline: float | None,
    metric: str | None = None,
    terms: list[str] | None = None,
    key: str | None = None,
    levels: list[str] | None = None,
) -> Facts:
    """The facts of a stored alert: its `facts` column, or what its old title and explanation
    tell (alerts recorded before the column existed)."""
    if stored:
        try:
            return msgspec.json.decode(stored, type=Facts)
        except msgspec.ValidationError:
            pass
    quoted = re.search(r"[«“]\s*(.+?)\s*[»”]", title)
    what = quoted.group(1) if quoted and kind != "escalation" else None
    if what in ("tout l'espace", "the whole workspace"):
        what = None
    number = re.match(r"\s*(\d+)", title)
    authors = re.search(r"(\d+) (?:auteurs|authors)", title)
    words = re.search(r"[»”]\s*:\s*([^()]+?)\s*\(", title)
    target = (key or "").rsplit(":", 1)[-1] if kind == "escalation" else None
    source = None
    if target in LEVELS:
        below = [v for v in LEVELS[: LEVELS.index(target)] if v in (levels or LEVELS)]
        source = below[0] if below else LEVELS[max(0, LEVELS.index(target) - 1)]
    observed = observed or 0.0
    count = int(number.group(1)) if kind == "match" and number else round(observed)
    new_words = [w.strip() for w in words.group(1).split(",")] if words else []
    return Facts(
        what=what,
        metric=metric or {"toxicity": "toxic", "scam": "scam"}.get(kind, "volume"),
        observed=observed,
        baseline=baseline or 0.0,
        count=count,
        authors=int(authors.group(1)) if authors else 0,
        terms=(terms or [])[:4] if kind == "escalation" else new_words,
        source=source,
        target=target if target in LEVELS else None,
    )


def title(kind: str, facts: Facts, lang: str) -> str:
    """One line naming the event, in `lang` (numbers as `lang` writes them)."""
    what = facts.what or translate(lang, "the whole workspace")
    n = figure(facts.count, "volume", lang)
    if kind == "match":
        return translate_plural(
            lang, "%(num)s new signal for “%(what)s”", "%(num)s new signals for “%(what)s”",
            facts.count, num=n, what=what,
        )  # fmt: skip
    if kind == "campaign":
        copies = translate_plural(
            lang, "Copy-paste on “%(what)s”: %(num)s copy", "Copy-paste on “%(what)s”: %(num)s copies",
            facts.count, num=n, what=what,
        )  # fmt: skip
        if not facts.authors:  # unknown: a closing after a restart
            return copies
        a = figure(facts.authors, "volume", lang)
        return copies + translate_plural(
            lang, ", %(a)s author", ", %(a)s authors", facts.authors, a=a
        )
    if kind == "new_terms":
        if facts.terms:
            return translate_plural(
                lang, "New terms on “%(what)s”: %(terms)s (%(num)s signal)",
                "New terms on “%(what)s”: %(terms)s (%(num)s signals)",
                facts.count, num=n, what=what, terms=", ".join(facts.terms),
            )  # fmt: skip
        return translate_plural(
            lang, "New terms on “%(what)s” (%(num)s signal)", "New terms on “%(what)s” (%(num)s signals)",
            facts.count, num=n, what=what,
        )  # fmt: skip
    if kind == "escalation":
        return translate(
            lang,
            "Escalation: “%(terms)s” went %(source)s %(target)s",
            terms=", ".join(facts.terms),
            source=translate(lang, _FROM.get(facts.source or "", _FROM["private"])),
            target=translate(lang, _TO.get(facts.target or "", _TO["public"])),
        )
    return translate(
        lang,
        "%(metric)s rising on “%(what)s”: %(value)s (usual %(usual)s)",
        metric=translate(lang, METRICS.get(facts.metric, facts.metric)),
        what=what,
        value=figure(facts.observed, facts.metric, lang),
        usual=figure(facts.baseline, facts.metric, lang),
    )


def figures(kind: str, facts: Facts, lang: str) -> str:
    """The alert's numbers in a few words, as a list shows them beside its title."""
    n = figure(facts.count, "volume", lang)
    if kind == "escalation":
        return translate_plural(
            lang,
            "%(before)s person in %(source)s → %(after)s in %(target)s",
            "%(before)s people in %(source)s → %(after)s in %(target)s",
            round(facts.baseline),
            before=figure(facts.baseline, "people", lang),
            source=translate(lang, _PLACES.get(facts.source or "", _PLACES["private"])),
            after=figure(facts.observed, "people", lang),
            target=translate(lang, _PLACES.get(facts.target or "", _PLACES["public"])),
        )
    if kind == "campaign":
        return translate_plural(lang, "%(num)s copy", "%(num)s copies", facts.count, num=n)
    if kind in ("match", "new_terms"):
        return translate_plural(lang, "%(num)s signal", "%(num)s signals", facts.count, num=n)
    return translate(
        lang,
        "usual %(usual)s → %(value)s",
        usual=figure(facts.baseline, facts.metric, lang),
        value=figure(facts.observed, facts.metric, lang),
    )


def figure(value: float | None, metric: str, lang: str) -> str:
    """A value of `metric` as `lang` writes it: shares as percents, counts whole, small levels
    with one decimal; never a raw float such as 0.857143.

    >>> figure(0.857143, "negative", "fr"), figure(0.857143, "negative", "en")
    ('86\\xa0%', '86%')
    >>> figure(1234.0, "volume", "fr"), figure(3.5, "volume", "fr"), figure(3.5, "volume", "en")
    ('1\\u202f234', '3,5', '3.5')
    """
    if value is None:
        return "–"
    if metric in SHARES:
        return str(percent(lang, value))
    if abs(value) >= 10 or float(value).is_integer():
        return str(number(lang, round(value), 0))
    return str(number(lang, value, 1))


def lift(value: float, lang: str) -> str:
    """A term's lift: `×8.5`, `×8,5`."""
    return "×" + str(number(lang, value, 1))
