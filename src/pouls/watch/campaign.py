"""Copy-paste campaigns: a near-duplicate cluster (`dup_cluster`) that is new and grows fast.

Kept apart from the bucket rules because it is decided signal by signal and per cluster: each
cluster that qualifies gets its own alert (keyed by the cluster), updated each time its copies
double, closed when no copy has come for `cooldown` minutes. The same code runs live and in
`pouls rule test`; memory holds the clusters of the last days only.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pouls.config import Rule
from pouls.signals import Signal
from pouls.store import Filters
from pouls.store.watch import WatchStore
from pouls.watch.explain import (
    HISTORY,
    Example,
    Explanation,
    example_of,
    rising,
    terms_of,
    who,
)
from pouls.watch.rules import Change, Firing, counts, scope, thresholds

HORIZON = timedelta(days=7)  # a cluster with copies is remembered this long after its last one
SINGLE = timedelta(days=1)  # a text seen once is remembered this long (most never get a copy)
WARMUP = timedelta(days=1)  # before watching this long, nothing can be told new
CHART_STEPS = 48
SAMPLE = 1000  # copies read to explain an alert


@dataclass
class _Cluster:
    """What is remembered of a cluster with two copies or more."""

    last: datetime
    total: int = 0
    recent: deque[tuple[datetime, str]] = field(default_factory=deque)  # (time, author)
    authors: set[str] = field(default_factory=set)
    started: datetime | None = None  # the first copy of the window that opened its alert
    before: int = 0  # copies seen before that window: a new cluster has few
    told: int = 0  # copies at the last notice
    notices: int = 0
    open: bool = False
    done: bool = False  # alerted once, or too old to be new: never alerts (again)


class CampaignTrigger:
    """One campaign rule's clusters: signals in, `Firing`s (keyed by cluster) out.

    A cluster opens an alert when, within `window` minutes, it gets `min_signals` copies from
    `min_authors` distinct authors and fewer than half as many copies came before that window
    (a re-shared article, a recurring spam text are not new). Signals must come in time order.
    """

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.window = timedelta(minutes=rule.window)
        self.quiet = timedelta(minutes=rule.cooldown)
        self.single = max(SINGLE, self.window)
        self.min_signals, self.min_authors = thresholds(rule)
        self._single: OrderedDict[str, tuple[datetime, str]] = OrderedDict()  # a first copy
        self._clusters: OrderedDict[str, _Cluster] = OrderedDict()  # by last copy
        self._open: dict[str, _Cluster] = {}
        self._since: datetime | None = None

    def open_keys(self) -> set[str | None]:
        """The clusters whose alert is open."""
        return set(self._open)

    def start(self, at: datetime) -> None:
        """Count the watching from `at` (the workspace's first signal), not from the rule's."""
        self._since = at if self._since is None else min(self._since, at)

    def learn(self, signal: Signal) -> None:
        """Read a past signal (warm start): the same state as `add`, nothing raised."""
        self.add(signal)

    def add(self, signal: Signal) -> list[Firing]:
        """Read one stored signal; the firings it brings (closings that are due first)."""
        at = signal.created_at
        out = self.tick(at)
        if self._since is None:
            self._since = at
        key = signal.dup_cluster
        if not key:
            return out
        author = signal.author or signal.id
        c = self._clusters.get(key)
        if c is None:
            first = self._single.pop(key, None)
            if first is None:
                self._single[key] = (at, author)
                return out
            c = self._clusters[key] = _Cluster(last=first[0], total=1, authors={first[1]})
            c.recent.append(first)
        self._clusters.move_to_end(key)
        c.last, c.total = at, c.total + 1
        c.recent.append((at, author))
        c.authors.add(author)
        while c.recent and c.recent[0][0] <= at - self.window:
            c.recent.popleft()
        if c.open:
            if c.total >= 2 * c.told:
                c.told, c.notices = c.total, c.notices + 1
                out.append(self._firing(key, c, "updated", at))
            return out
        return out + self._check(key, c, at)

    def _check(self, key: str, c: _Cluster, at: datetime) -> list[Firing]:
        if c.done or len(c.recent) < self.min_signals:
            return []
        if len({a for _, a in c.recent}) < self.min_authors:
            return []
        before = c.total - len(c.recent)
        if 2 * before >= self.min_signals:  # it was already going round: not new
            c.done = True
            return []
        if self._since is None or at - self._since < WARMUP:
            return []
        c.open, c.started, c.before = True, c.recent[0][0], before
        c.told, c.notices = c.total, 1
        self._open[key] = c
        return [self._firing(key, c, "opened", at)]

    def tick(self, now: datetime) -> list[Firing]:
        """Close the alerts of clusters quiet for `cooldown`; forget what is too old."""
        out: list[Firing] = []
        for key, c in sorted(self._open.items(), key=lambda kc: kc[1].last):
            end = c.last + self.quiet
            if end <= now:
                c.open, c.done = False, True
                del self._open[key]
                out.append(self._firing(key, c, "closed", end))
        while self._single and next(iter(self._single.values()))[0] <= now - self.single:
            self._single.popitem(last=False)
        while self._clusters:
            key, c = next(iter(self._clusters.items()))
            if c.open or c.last > now - HORIZON:
                break
            del self._clusters[key]
        return out

    def last(self, key: str | None) -> datetime | None:
        """When the cluster's latest copy came, if it is remembered."""
        c = self._clusters.get(key) if key is not None else None
        return c.last if c is not None else None

    def closing(self, key: str | None, at: datetime) -> Firing | None:
        """The closing a remembered cluster would give at `at`: its copies and authors."""
        c = self._clusters.get(key) if key is not None else None
        return self._firing(key, c, "closed", at) if key is not None and c is not None else None

    def _firing(self, key: str, c: _Cluster, change: Change, at: datetime) -> Firing:
        return Firing(
            rule=self.rule.name,
            workspace=self.rule.workspace,
            change=change,
            at=at,
            started=c.started or at,
            observed=float(c.total),
            baseline=float(c.before),
            score=0.0 if change == "closed" else 1.0,
            count=c.notices,
            key=key,
            authors=len(c.authors),
        )


def explain(
    book: WatchStore, rule: Rule, firing: Firing, *, base_url: str, history: timedelta = HISTORY
) -> Explanation:
    """The cluster up to the firing: its text, copies, authors, channels, copies per step."""
    assert firing.key is not None
    ws, end = rule.workspace, firing.at + timedelta(microseconds=1)
    copies = [s for s in book.copies(ws, firing.key, until=end, limit=SAMPLE) if counts(rule, s)]
    first = book.store.get(ws, firing.key)  # a cluster is named after its first copy
    if first is not None and counts(rule, first) and (not copies or copies[0].id != first.id):
        copies.insert(0, first)
    step = timedelta(minutes=rule.bucket)
    series = [0.0] * CHART_STEPS
    for s in copies:
        i = CHART_STEPS - 1 - int((end - s.created_at) / step)
        if 0 <= i < CHART_STEPS:
            series[i] += 1
    start = copies[0].created_at if copies else firing.started
    usual = Filters(own=scope(rule).own, since=start - history, until=start)
    before = book.store.search(ws, None, usual, limit=2000).signals
    terms = rising((terms_of(s) for s in copies), (terms_of(s) for s in before))
    return Explanation(
        workspace=ws,
        rule=rule.name,
        metric="copies",
        start=start,
        end=firing.at,
        observed=firing.observed,
        baseline=firing.baseline,
        signals=len(copies),
        terms=terms,
        channels=Counter(str(s.channel) for s in copies).most_common(5),
        authors=Counter(who(s) for s in copies if s.author).most_common(5),
        visibility=dict(Counter(s.visibility for s in copies)),
        sentiment=dict(Counter(s.sentiment.label if s.sentiment else "unknown" for s in copies)),
        examples=_examples(copies, base_url),
        series=series,
        step_minutes=rule.bucket,
    )


def _examples(copies: list[Signal], base_url: str) -> list[Example]:
    """The first copy, then the most followed copiers (where the campaign is seen)."""
    if not copies:
        return []
    rest = sorted(copies[1:], key=lambda s: -((s.metrics and s.metrics.followers) or 0))
    return [example_of(s, base_url) for s in [copies[0], *rest[:2]]]
