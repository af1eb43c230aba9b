"""Why an alert fired: baseline versus observed, the terms that rose, who and where, a chart.

Everything is read from the store over the alert's window and the days before it, so a live
alert and a replayed one are explained the same way.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from pouls.config import Rule
from pouls.locale import formats, translate
from pouls.query import words
from pouls.signals import Signal
from pouls.store import Filters, Store
from pouls.watch import chart
from pouls.watch.rules import metric_of, scope, value_of
from pouls.watch.titles import figure

HISTORY = timedelta(days=7)  # the baseline period the terms are compared with
SAMPLE = 400  # signals read from the alert's window
BASE_SAMPLE = 2000  # signals read from the baseline period
CHART_STEPS = 48
MIN_BASE = 50  # fewer signals than this in the rule's own past say little about usual terms

_STOP_TEXT = """
    a au aux avec ce ces cette c ca ça d dans de des du elle en et est il ils j je l la le les leur
    lui m ma mais me mes moi mon ne nos notre nous on ou par pas plus pour qu que qui s sa se ses
    si son sont sur t ta te tes toi ton tu un une vos votre vous y été etre être avoir ai as avons
    ont fait faire tout tous toute toutes tres très bien aussi comme encore deja déjà chez cest
    the and for are but not you your our with this that from have has had was were will would
    all any can just into out about they them their there what when who how its it's i me my we
    is be of to in on at by an or as so if no do does did than then too very
    http https www com fr ete etre tres deja meme apres avant depuis quand alors
    bonjour bonsoir salut merci svp stp oui non ok hello thanks thank please yes
    ans an annee annees jour jours mois heure heures year years day days hour hours week semaine
"""
STOPWORDS = frozenset(_STOP_TEXT.split())
_URL = re.compile(r"https?://\S+")


class Term(msgspec.Struct, frozen=True):
    """A word that rose: seen in `count` signals of the window, `lift` times its usual rate."""

    term: str
    count: int
    lift: float


class Example(msgspec.Struct, frozen=True, kw_only=True):
    """A representative signal, with the link to its page."""

    id: str
    link: str
    text: str
    channel: str
    visibility: str
    created_at: datetime
    author: str | None = None


class Explanation(msgspec.Struct, kw_only=True):
    """What a team needs to judge an alert at a glance."""

    workspace: str
    rule: str
    metric: str
    start: datetime
    end: datetime
    observed: float
    baseline: float
    signals: int
    terms: list[Term]
    channels: list[tuple[str, int]]
    authors: list[tuple[str, int]]
    visibility: dict[str, int]
    sentiment: dict[str, int]
    examples: list[Example]
    series: list[float]  # the metric per bucket, the alert's bucket last
    step_minutes: int

    def chart(self, lang: str = "en", tz: ZoneInfo | None = None) -> bytes:
        """The series as a PNG with axes and time ticks, the alert's bucket in red."""
        return chart.png(self.series, **self._drawing(lang, tz))

    def chart_svg(self, lang: str = "en", tz: ZoneInfo | None = None) -> str:
        """The same chart as inline SVG, for pages."""
        return chart.svg(self.series, **self._drawing(lang, tz))

    def _drawing(self, lang: str, tz: ZoneInfo | None) -> dict[str, Any]:
        return {
            # A crisis story has no usual level: its baseline counts people at another level.
            "baseline": None if self.rule == "crisis" else self.baseline,
            "alert_from": max(0, len(self.series) - 1),
            "end": self.end,
            "step": timedelta(minutes=self.step_minutes),
            "lang": lang,
            "tz": tz,
            "value_label": lambda v: figure(v, self.metric, lang),
        }

    def summary(self, lang: str = "fr") -> str:
        """One line: baseline versus observed, top terms and channels."""
        n = functools.partial(formats.number, lang)
        return translate(
            lang,
            "observed %(observed)s (usual %(usual)s) · terms: %(terms)s · channels: %(channels)s",
            observed=n(self.observed),
            usual=n(self.baseline),
            terms=", ".join(t.term for t in self.terms[:5]) or "-",
            channels=", ".join(f"{c} {n(k)}" for c, k in self.channels[:3]) or "-",
        )


def terms_of(signal: Signal) -> set[str]:
    """The distinct content words of a signal (folded, no stop words, no links, 3+ letters)."""
    text = _URL.sub(" ", f"{signal.title or ''} {signal.text}")
    return {w for w in words(text) if len(w) > 2 and w not in STOPWORDS and not w.isdigit()}


def rising(
    window: Iterable[set[str]], base: Iterable[set[str]], *, top: int = 8, min_count: int = 2
) -> list[Term]:
    """Terms more frequent in `window` than in `base`, by count times log-lift."""
    seen, usual = Counter[str](), Counter[str]()
    n = m = 0
    for ts in window:
        seen.update(ts)
        n += 1
    for ts in base:
        usual.update(ts)
        m += 1
    out = []
    for term, c in seen.items():
        if c < min_count:
            continue
        lift = ((c + 0.5) / (n + 1)) / ((usual[term] + 0.5) / (m + 1))
        if lift > 2:
            out.append((c * math.log(lift), Term(term, c, round(lift, 1))))
    out.sort(key=lambda x: -x[0])
    return [t for _, t in out[:top]]


def explain(
    store: Store,
    rule: Rule,
    *,
    start: datetime,
    end: datetime,
    observed: float,
    baseline: float,
    base_url: str,
    history: timedelta = HISTORY,
) -> Explanation:
    """Explain what `rule` saw in [start, end) against the `history` before it."""
    ws, query = rule.workspace, rule.query
    window = store.search(ws, query, scope(rule, start, end), limit=SAMPLE).signals
    before = store.search(ws, query, scope(rule, start - history, start), limit=BASE_SAMPLE).signals
    if len(before) < MIN_BASE:  # a new or rare subject: compare with the workspace's usual talk
        usual = Filters(own=scope(rule).own, since=start - history, until=start)
        before = store.search(ws, None, usual, limit=BASE_SAMPLE).signals
    window_terms = [terms_of(s) for s in window]
    terms = rising(window_terms, (terms_of(s) for s in before))
    step = timedelta(minutes=rule.bucket)
    buckets = store.series(
        ws,
        query,
        scope(rule),
        bucket=step,
        since=end - CHART_STEPS * step,
        until=end,
    )
    metric = metric_of(rule)
    return Explanation(
        workspace=ws,
        rule=rule.name,
        metric=metric,
        start=start,
        end=end,
        observed=round(observed, 4),
        baseline=round(baseline, 4),
        signals=len(window),
        terms=terms,
        channels=Counter(str(s.channel) for s in window).most_common(5),
        authors=Counter(who(s) for s in window if s.author).most_common(5),
        visibility=dict(Counter(s.visibility for s in window)),
        sentiment=dict(Counter(s.sentiment.label if s.sentiment else "unknown" for s in window)),
        examples=representative(window, window_terms, terms, base_url),
        series=[value_of(b, metric) for b in buckets],
        step_minutes=rule.bucket,
    )


def representative(
    signals: list[Signal],
    signal_terms: list[set[str]],
    terms: list[Term],
    base_url: str,
    k: int = 3,
) -> list[Example]:
    """The `k` signals that carry most of the rising terms (with some weight for reach)."""
    weight = {t.term: math.log1p(t.lift) for t in terms}
    ranked = sorted(
        range(len(signals)),
        key=lambda i: (
            -(
                sum(weight.get(w, 0.0) for w in signal_terms[i])
                + 0.2 * math.log1p(_reach(signals[i]))
            )
        ),
    )
    out: list[Example] = []
    seen: set[str] = set()
    for i in ranked:
        s = signals[i]
        key = s.dup_cluster or " ".join(sorted(signal_terms[i]))[:80]
        if key in seen:
            continue
        seen.add(key)
        out.append(example_of(s, base_url))
        if len(out) == k:
            break
    return out


def example_of(s: Signal, base_url: str) -> Example:
    """A signal as an example of an alert, with the link to its page."""
    return Example(
        id=s.id,
        link=f"{base_url.rstrip('/')}/signals/{s.id}?ws={s.workspace}",
        text=(s.title + " — " if s.title else "") + s.text[:280],
        channel=s.channel,
        visibility=s.visibility,
        created_at=s.created_at,
        author=who(s),
    )


def who(s: Signal) -> str:
    """How an author is shown: handle, else name, else the start of the pseudonym."""
    return s.author_handle or s.author_name or (s.author or "?")[:12]


def _reach(s: Signal) -> int:
    m = s.metrics
    if m is None:
        return 0
    return m.followers or (m.likes or 0) + (m.shares or 0)
