"""Alert rules: what a rule watches, and `Trigger`, the state that turns its buckets into alerts.

The same `Trigger` runs live (the watcher feeds it buckets as they close) and on history
(`pouls rule test` feeds it `store.series`), so a replay raises exactly what live would have.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pouls.config import Rule, Settings
from pouls.config.watch import RESERVED_RULE_NAMES
from pouls.locale import N_
from pouls.query import QueryError, parse
from pouls.signals import Signal
from pouls.store import Bucket, Filters, Store
from pouls.watch.detectors import Cooldown, Score, ShareDetector, VolumeDetector

SHARES = {"negative", "toxic", "scam"}  # metrics read as hits out of the volume
INSTANT = "match"
STREAM = {"campaign", "new_terms"}  # fed signal by signal, not bucket by bucket
MAX_SIGNALS = 50_000  # a rule read signal by signal replays at most this many
_DURATION = re.compile(r"^(\d+)\s*(m|min|h|d|w)$")
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}

Change = Literal["opened", "updated", "closed"]


@dataclass(frozen=True)
class Firing:
    """A rule's alert opened, got worse, or ended, at event time `at`."""

    rule: str
    workspace: str
    change: Change
    at: datetime  # when a live watcher decides: the end of the bucket, or the signal's time
    started: datetime  # start of the bucket (or signal) that opened the episode
    observed: float
    baseline: float
    score: float
    signal_id: str | None = None  # the signal of an instant (match) rule
    count: int = 1  # alert-worthy steps (or matching signals) folded into the alert
    key: str | None = None  # a campaign's cluster: one alert per key
    authors: int = 0  # distinct authors (campaign, new_terms)
    terms: tuple[str, ...] = ()  # the new words of a new_terms alert, most frequent first


def parse_duration(text: str) -> timedelta:
    """`90m`, `12h`, `30d`, `2w` as a timedelta."""
    found = _DURATION.match(text.strip().lower())
    if not found:
        raise ValueError(f"{text!r} is not a duration such as 90m, 12h, 30d or 2w")
    return timedelta(seconds=int(found.group(1)) * _UNITS[found.group(2)])


def thresholds(rule: Rule) -> tuple[int, int]:
    """`min_signals` and `min_authors` scaled by the sensitivity: 0.5 keeps them, 0.75 halves."""
    factor = 2 * (1 - rule.sensitivity)
    signals = max(2, math.ceil(rule.min_signals * factor))
    return signals, max(1, math.ceil(rule.min_authors * factor))


def metric_of(rule: Rule) -> str:
    """The metric a rule measures: toxicity and scam rules watch their share."""
    return {"toxicity": "toxic", "scam": "scam"}.get(rule.kind, rule.metric)


def value_of(bucket: Bucket, metric: str) -> float:
    """A bucket's value for a metric; shares are hits over volume (0 when empty)."""
    if metric in SHARES:
        return getattr(bucket, metric) / bucket.volume if bucket.volume else 0.0
    return float(getattr(bucket, metric))


def scope(rule: Rule, since: datetime | None = None, until: datetime | None = None) -> Filters:
    """The stored signals a rule counts: its topic's, in [since, until), the workspace's own
    accounts left out unless the rule includes them (the brand's answers are not a buzz)."""
    own = None if rule.include_own else False
    return Filters(topic=rule.topic, own=own, since=since, until=until)


def counts(rule: Rule, s: Signal) -> bool:
    """Whether a new signal may count for `rule` at all: not the brand's own, unless included."""
    return rule.include_own or not s.own


def matching(store: Store, rule: Rule, since: datetime, until: datetime) -> list[Signal]:
    """Signals matching a rule's query or topic in [since, until), oldest first."""
    filters = scope(rule, since, until)
    found: list[Signal] = []
    after = None
    while len(found) < MAX_SIGNALS:
        page = store.search(rule.workspace, rule.query, filters, limit=500, after=after)
        found += page.signals
        if not page.next:
            break
        after = page.next
    found.reverse()
    return found


def problems(
    rule: Rule,
    settings: Settings,
    stored_topics: Collection[str] = (),
    say: Callable[[str], str] = str,
) -> list[str]:
    """What is wrong with a rule, in words (empty when it can run). `stored_topics`: the
    names of the workspace's topics added from the CLI or the web app, which a rule may
    watch as well as those of pouls.toml. `say` translates each message (the web app's
    language) before its values are filled in."""
    out: list[str] = []
    if rule.name in RESERVED_RULE_NAMES:
        values = {"name": rule.name}
        out.append(
            say(N_("the name %(name)s is reserved by the rules pages: choose another")) % values
        )
    if settings.workspace(rule.workspace) is None:
        out.append(say(N_("no workspace %(workspace)r")) % {"workspace": rule.workspace})
    if rule.topic and rule.query:
        out.append(say(N_("name a topic or give a query, not both")))
    declared = any(
        t.name == rule.topic and t.workspace == rule.workspace for t in settings.file.topics
    )
    if rule.topic and not declared and rule.topic not in stored_topics:
        values = {"topic": rule.topic, "workspace": rule.workspace}
        out.append(say(N_("no topic %(topic)r in workspace %(workspace)r")) % values)
    if rule.query:
        try:
            parse(rule.query)
        except QueryError as exc:
            out.append(say(N_("query: %(error)s")) % {"error": exc})
    if rule.kind == INSTANT and not (rule.query or rule.topic):
        out.append(say(N_("a match rule needs a query or a topic")))
    if rule.kind in STREAM and rule.min_authors > rule.min_signals:
        counts = {"authors": rule.min_authors, "signals": rule.min_signals}
        out.append(say(N_("min_authors (%(authors)s) exceeds min_signals (%(signals)s)")) % counts)
    if rule.kind == "threshold" and rule.threshold is None:
        out.append(say(N_("a threshold rule needs a threshold")))
    if rule.kind == "threshold" and metric_of(rule) in SHARES and (rule.threshold or 0) > 1:
        out.append(say(N_("a share threshold lies between 0 and 1 (0.3 = 30 %%)")) % {})
    sinks = {s.name for s in settings.file.sinks}
    out += [
        say(N_("no sink %(sink)r")) % {"sink": name} for name in rule.sinks if name not in sinks
    ]
    try:
        ZoneInfo(rule.timezone)
    except Exception:
        out.append(say(N_("unknown time zone %(zone)r")) % {"zone": rule.timezone})
    return out


def in_quiet_hours(rule: Rule, at: datetime) -> datetime | None:
    """When `at` falls in the rule's quiet hours, the moment they end; else None."""
    if not rule.quiet_hours:
        return None
    first, last = (time.fromisoformat(part) for part in rule.quiet_hours.split("-"))
    local = at.astimezone(ZoneInfo(rule.timezone))
    now = local.time()
    inside = first <= now < last if first <= last else (now >= first or now < last)
    if not inside:
        return None
    end = local.replace(hour=last.hour, minute=last.minute, second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end


class Trigger:
    """One rule's detector and grouping: buckets (or matching signals) in, `Firing`s out.

    An alert opens when the detector alerts (or the threshold is reached, or a signal
    matches); it is updated when the observed value reaches a new high, and closes after
    `rule.cooldown` minutes without a step at least halfway up from the baseline to the
    value that opened it: one event, one alert that updates.
    """

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.metric = metric_of(rule)
        self.step = timedelta(minutes=rule.bucket)
        steps_quiet = max(1, math.ceil(rule.cooldown / rule.bucket))
        self._volume: VolumeDetector | None = None
        self._share: ShareDetector | None = None
        if rule.kind not in ("threshold", INSTANT, *STREAM):
            if self.metric in SHARES:
                self._share = ShareDetector(rule.sensitivity, cooldown=max(6, 2 * steps_quiet))
            else:  # the detector's own cool-down (150 steps) outlasts the alert's grouping
                self._volume = VolumeDetector(rule.sensitivity, direction=1)
        self._window: deque[Bucket] = deque(maxlen=max(1, math.ceil(rule.window / rule.bucket)))
        self._group = Cooldown(quiet=rule.cooldown * 60.0)
        self._opened: tuple[float, float] | None = None  # (baseline, observed) at opening
        self._peak = 0.0
        self._count = 0
        self._started: datetime | None = None

    @property
    def open(self) -> bool:
        return self._opened is not None

    def learn(self, bucket: Bucket) -> None:
        """Feed a past bucket to the detector without raising anything (warm start)."""
        self._score(bucket)

    def resume(self, opening: Firing, last: datetime | None = None) -> None:
        """Take up an alert recorded before a restart, as if `opening` had just opened it.

        `last` is when the episode was last seen alert-worthy, if later than its opening (an
        instant rule's latest matching signal); the cool-down counts from there.
        """
        self._group = Cooldown(quiet=self._group.quiet)
        self._group.update(
            last or opening.at, Score(1.0, False, opening.baseline, opening.observed)
        )
        self._opened = (opening.baseline, opening.observed)
        self._peak, self._count = opening.observed, opening.count
        self._started = opening.started

    def update(self, bucket: Bucket) -> list[Firing]:
        """The firings a closed bucket brings; its decision time is the bucket's end."""
        end = bucket.start + self.step
        score, observed, volume = self._score(bucket)
        worthy = score.anomaly_score >= 0.5 and (
            self.metric not in SHARES or volume >= self.rule.min_volume
        )
        out = self.tick(end)  # a quiet time that has passed closes the alert first
        if self._opened is None:
            feed = score if worthy else Score(0.0, False, score.baseline, observed)
        else:  # while open, a step still halfway up keeps the alert open
            base, first = self._opened
            still = observed >= base + 0.5 * (first - base) and observed > base
            feed = Score(0.5 if still or worthy else 0.0, False, score.baseline, observed)
        return out + self._group_changes(end, bucket.start, feed, score.baseline, observed)

    def hit(self, at: datetime, signal_id: str) -> list[Firing]:
        """An instant rule's matching signal: opens an alert, or updates the open one."""
        return self._group_changes(at, at, Score(1.0, True, 0.0, 1.0), 0.0, 1.0, signal_id)

    def tick(self, now: datetime) -> list[Firing]:
        """Close an alert whose quiet time has passed, even if no bucket or signal came."""
        if self._opened is None:
            return []
        return self._group_changes(now, now, Score(0.0, False, 0.0, 0.0), 0.0, 0.0)

    def _score(self, bucket: Bucket) -> tuple[Score, float, int]:
        observed = value_of(bucket, self.metric)
        ts = bucket.start + self.step
        if self._volume is not None:
            return self._volume.update(ts, observed), observed, bucket.volume
        if self._share is not None:
            hits = getattr(bucket, self.metric)
            return self._share.update(ts, hits, bucket.volume), observed, bucket.volume
        self._window.append(bucket)
        return self._threshold(observed)

    def _threshold(self, observed: float) -> tuple[Score, float, int]:
        volume = sum(b.volume for b in self._window)
        if self.metric in SHARES:
            hits = sum(getattr(b, self.metric) for b in self._window)
            value = hits / volume if volume else 0.0
        elif self.metric == "authors":  # distinct per bucket: the window's best bucket bounds it
            value = float(max(b.authors for b in self._window))
        else:
            value = float(sum(getattr(b, self.metric) for b in self._window))
        limit = self.rule.threshold if self.rule.threshold is not None else math.inf
        reached = value >= limit
        return Score(1.0 if reached else 0.0, reached, limit, value), value, volume

    def _group_changes(
        self,
        at: datetime,
        started: datetime,
        feed: Score,
        baseline: float,
        observed: float,
        signal_id: str | None = None,
    ) -> list[Firing]:
        out: list[Firing] = []
        for change in self._group.update(at, feed):
            if change.kind == "opened":
                self._opened = (baseline, observed)
                self._peak, self._count, self._started = observed, 1, started
                out.append(self._firing("opened", at, observed, baseline, feed, signal_id))
            elif change.kind == "closed" and self._opened is not None:
                out.append(self._firing("closed", at, self._peak, self._opened[0], feed, None))
                self._opened = None
        if self._opened is not None and not any(f.change == "opened" for f in out):
            if signal_id is not None:  # another matching signal: the alert grows
                self._count += 1
                out.append(self._firing("updated", at, 1.0, 0.0, feed, signal_id))
            elif feed.anomaly_score >= 0.5 and observed > self._peak:
                self._peak = observed
                self._count += 1
                # The usual level is the one before the episode: the detector's own baseline
                # learns from the episode's steps and would tell "usual 14" after six hours.
                usual = self._opened[0]
                out.append(self._firing("updated", at, observed, usual, feed, None))
        return out

    def _firing(
        self,
        change: Change,
        at: datetime,
        observed: float,
        baseline: float,
        feed: Score,
        signal_id: str | None,
    ) -> Firing:
        return Firing(
            rule=self.rule.name,
            workspace=self.rule.workspace,
            change=change,
            at=at,
            started=self._started or at,
            observed=observed,
            baseline=baseline,
            score=feed.anomaly_score,
            signal_id=signal_id,
            count=self._count,
        )


def title(rule: Rule, firing: Firing, lang: str) -> str:
    """One line naming the event, in French or English (`pouls.watch.titles` words it)."""
    from pouls.watch import titles  # titles reads this module's metrics: imported when called

    return titles.title(rule.kind, titles.of_firing(rule, firing), lang)
