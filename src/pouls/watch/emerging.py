"""Emerging terms: words rare over the days before that suddenly appear in many signals.

Brandwatch calls them "emerging topics". Decided signal by signal, like campaigns: the rule's
signals of the last `window` minutes are counted by word, against the rule's own usual daily
rate of each word over the previous 7 days. All the words that emerge together make one alert,
updated when its count doubles, closed after `cooldown` minutes without an emerging word.
Memory: word counts per day for 7 days, and the signals of one window.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pouls.config import Rule
from pouls.signals import Signal
from pouls.store import Store
from pouls.watch.explain import Explanation, Term, explain, terms_of
from pouls.watch.rules import Change, Firing, thresholds

DAYS = 7  # the baseline: days before the current one
WARMUP_DAYS = 3  # fewer days watched than this say too little about which words are usual
LIFT = 5.0  # a word emerges at this many times its usual count for the window (plus a half)
DAY = 86400


@dataclass
class _Burst:
    """The words emerging together, and when the last of them was seen emerging."""

    started: datetime
    last: datetime
    counts: dict[str, tuple[int, float]] = field(default_factory=dict)  # word: (count, usual)
    authors: int = 0
    told: int = 0  # the count at the last notice
    notices: int = 1


class NewTermsTrigger:
    """One new_terms rule: signals in (time order), `Firing`s out."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.window = timedelta(minutes=rule.window)
        self.quiet = timedelta(minutes=rule.cooldown)
        self.min_signals, self.min_authors = thresholds(rule)
        self._recent: deque[tuple[datetime, str, frozenset[str]]] = deque()
        self._counts: Counter[str] = Counter()  # words of the signals in `_recent`
        self._today: tuple[int, Counter[str]] | None = None
        self._days: deque[tuple[int, Counter[str]]] = deque()  # finished days, oldest first
        self._base: Counter[str] = Counter()  # the sum of `_days`
        self._first_day: int | None = None
        self._burst: _Burst | None = None
        self._ended: _Burst | None = None  # the last burst, once over

    def open_keys(self) -> set[str | None]:
        """One alert at a time per rule: {None} while it is open."""
        return {None} if self._burst is not None else set()

    def start(self, at: datetime) -> None:
        """Count the days watched from `at` (the workspace's first signal), not the rule's."""
        day = int(at.timestamp() // DAY)
        self._first_day = day if self._first_day is None else min(self._first_day, day)

    def learn(self, signal: Signal) -> None:
        """Read a past signal (warm start): the same state as `add`, nothing raised."""
        self.add(signal)

    def add(self, signal: Signal) -> list[Firing]:
        """Read one stored signal; the firings it brings (a closing that is due first)."""
        at = signal.created_at
        out = self.tick(at)
        terms = frozenset(terms_of(signal))
        self._recent.append((at, signal.author or signal.id, terms))
        self._counts.update(terms)
        day = int(at.timestamp() // DAY)
        self._roll(day)
        found = self._emerging(terms, day)
        assert self._today is not None
        self._today[1].update(terms)
        return out + (self._grow(at, found) if found else [])

    def tick(self, now: datetime) -> list[Firing]:
        """Close the alert after `cooldown` without an emerging word; drop the old window."""
        while self._recent and self._recent[0][0] <= now - self.window:
            _, _, terms = self._recent.popleft()
            self._counts.subtract(terms)
            for t in terms:
                if self._counts[t] <= 0:
                    del self._counts[t]
        b = self._burst
        if b is None or b.last + self.quiet > now:
            return []
        self._burst, self._ended = None, b
        return [self._firing(b, "closed", b.last + self.quiet)]

    def last(self, key: str | None = None) -> datetime | None:
        """When a word was last seen emerging (in the open burst, or the last one)."""
        b = self._burst or self._ended
        return b.last if b is not None else None

    def closing(self, key: str | None, at: datetime) -> Firing | None:
        """The closing the open (or last) burst would give at `at`: its words and counts."""
        b = self._burst or self._ended
        return self._firing(b, "closed", at) if b is not None else None

    def _roll(self, day: int) -> None:
        if self._first_day is None:
            self._first_day = day
        if self._today is not None and self._today[0] == day:
            return
        if self._today is not None:
            done = self._today[1]
            for t in [t for t, n in done.items() if n < 2]:  # once in a day: as if unseen
                del done[t]
            self._days.append(self._today)
            self._base.update(done)
        while self._days and self._days[0][0] < day - DAYS:
            self._base.subtract(self._days.popleft()[1])
            self._base = +self._base
        self._today = (day, Counter())

    def _emerging(self, terms: frozenset[str], day: int) -> dict[str, tuple[int, float]]:
        assert self._first_day is not None
        watched = min(DAYS, day - self._first_day)
        if watched < WARMUP_DAYS:
            return {}
        scale = self.window / timedelta(days=1) / watched
        found: dict[str, tuple[int, float]] = {}
        for t in terms:
            n = self._counts[t]
            usual = self._base[t] * scale
            if n < self.min_signals or n < LIFT * (usual + 0.5):
                continue
            known = self._burst is not None and t in self._burst.counts
            if known or self._authors(t) >= self.min_authors:
                found[t] = (n, round(usual, 2))
        return found

    def _authors(self, term: str) -> int:
        return len({a for _, a, ts in self._recent if term in ts})

    def _grow(self, at: datetime, found: dict[str, tuple[int, float]]) -> list[Firing]:
        b = self._burst
        if b is None:
            b = self._burst = _Burst(started=at, last=at, counts=dict(found))
            top = max(n for n, _ in found.values())
            b.authors, b.told = self._authors(self._top(b)), top
            return [self._firing(b, "opened", at)]
        b.last = at
        b.counts.update(found)
        top = max(n for n, _ in found.values())
        if top < 2 * b.told:
            return []
        b.told, b.notices = top, b.notices + 1
        b.authors = self._authors(self._top(b))
        return [self._firing(b, "updated", at)]

    @staticmethod
    def _top(b: _Burst) -> str:
        return _by_novelty(b)[0]

    def _firing(self, b: _Burst, change: Change, at: datetime) -> Firing:
        words = _by_novelty(b)
        count, usual = b.counts[words[0]]
        return Firing(
            rule=self.rule.name,
            workspace=self.rule.workspace,
            change=change,
            at=at,
            started=b.started,
            observed=float(max(count, b.told)),
            baseline=usual,
            score=0.0 if change == "closed" else 1.0,
            count=b.notices,
            authors=b.authors,
            terms=tuple(words[:8]),
        )


def _by_novelty(b: _Burst) -> list[str]:
    """The burst's words, the newest first: count over usual count (a word never seen first)."""
    return sorted(b.counts, key=lambda t: (-b.counts[t][0] / (b.counts[t][1] + 0.5), t))


def explain_terms(store: Store, rule: Rule, firing: Firing, *, base_url: str) -> Explanation:
    """The usual explanation of the window, its new words first."""
    end = firing.at + timedelta(microseconds=1)
    e = explain(
        store,
        rule,
        start=end - timedelta(minutes=rule.window),
        end=end,
        observed=firing.observed,
        baseline=firing.baseline,
        base_url=base_url,
    )
    rose = {t.term: t for t in e.terms}
    new = [rose.get(w) or Term(w, 0, 0.0) for w in firing.terms]
    e.terms = new + [t for t in e.terms if t.term not in firing.terms]
    return e
