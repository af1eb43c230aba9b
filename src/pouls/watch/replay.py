"""Replay a rule on stored history with the live detector code: what would it have raised?

`pouls rule test RULE --since 30d` uses it so a team can tune a rule's sensitivity before
trusting it. The detector first learns from `warmup` of history before `since`, silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pouls.config import Rule
from pouls.signals import Signal
from pouls.store import Filters, Store
from pouls.watch.rules import INSTANT, Firing, Trigger

WARMUP = timedelta(days=7)
MAX_SIGNALS = 50_000  # an instant rule replays at most this many matching signals


@dataclass
class ReplayedAlert:
    """An alert a rule would have raised: its opening, its worst moment, its end."""

    opened: Firing
    peak: Firing
    closed: Firing | None = None
    updates: int = 0
    signal_ids: list[str] = field(default_factory=list)


def replay(
    store: Store,
    rule: Rule,
    *,
    since: datetime,
    until: datetime,
    warmup: timedelta = WARMUP,
) -> list[ReplayedAlert]:
    """The alerts `rule` would have raised between `since` and `until`, oldest first."""
    return group(firings(store, rule, since=since, until=until, warmup=warmup))


def firings(
    store: Store,
    rule: Rule,
    *,
    since: datetime,
    until: datetime,
    warmup: timedelta = WARMUP,
) -> list[Firing]:
    """Every firing of the rule in [since, until), computed causally from the store."""
    trigger = Trigger(rule)
    if rule.kind == INSTANT:
        out: list[Firing] = []
        for signal in matching(store, rule, since, until):
            out += trigger.tick(signal.created_at)
            out += trigger.hit(signal.created_at, signal.id)
        return out + trigger.tick(until)
    buckets = store.series(
        rule.workspace,
        rule.query,
        Filters(topic=rule.topic),
        bucket=trigger.step,
        since=since - warmup,
        until=until,
    )
    out = []
    for bucket in buckets:
        if bucket.start + trigger.step > until:
            break  # an unfinished bucket is not decided yet
        if bucket.start < since:
            trigger.learn(bucket)
            continue
        out += trigger.update(bucket)
    return out


def matching(store: Store, rule: Rule, since: datetime, until: datetime) -> list[Signal]:
    """Signals matching a rule's query or topic in [since, until), oldest first."""
    filters = Filters(topic=rule.topic, since=since, until=until)
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


def group(changes: list[Firing]) -> list[ReplayedAlert]:
    """Fold opened/updated/closed firings into one record per alert."""
    alerts: list[ReplayedAlert] = []
    current: ReplayedAlert | None = None
    for f in changes:
        if f.change == "opened":
            current = ReplayedAlert(opened=f, peak=f)
            alerts.append(current)
        elif current is None:
            continue
        elif f.change == "updated":
            current.updates += 1
            if f.observed >= current.peak.observed:
                current.peak = f
        else:
            current.closed = f
            current = None
        if current is not None and f.signal_id:
            current.signal_ids.append(f.signal_id)
    return alerts
