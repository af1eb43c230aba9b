"""Replay a rule on stored history with the live detector code: what would it have raised?

`pouls rule test RULE --since 30d` uses it so a team can tune a rule's sensitivity before
trusting it. The detector first learns from `warmup` of history before `since`, silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pouls.config import Rule
from pouls.signals import utcnow
from pouls.store import Store
from pouls.store.sqlite import SQLiteStore
from pouls.watch import streams
from pouls.watch.explain import Explanation, explain
from pouls.watch.rules import INSTANT, STREAM, Firing, Trigger, matching, scope
from pouls.watch.streams import trigger_for, watched_since

WARMUP = timedelta(days=7)


@dataclass
class ReplayedAlert:
    """An alert a rule would have raised: its opening, its worst moment, its end."""

    opened: Firing
    peak: Firing
    closed: Firing | None = None
    updates: int = 0
    signal_ids: list[str] = field(default_factory=list)


@dataclass
class Trial:
    """An alert a rule would have raised, with what it would have said."""

    alert: ReplayedAlert
    explanation: Explanation | None


def trial(
    store: SQLiteStore, rule: Rule, span: timedelta, *, base_url: str, explained: bool = True
) -> list[Trial]:
    """What `rule` would have raised over the last `span` of stored history (up to its newest
    signal, so that a demo or an old import can be tried too), each explained unless not
    `explained`. `pouls rule test` and the web app's rule page both show this."""
    newest = store.search(rule.workspace, None, None, limit=1).signals
    until = min(utcnow(), newest[0].created_at + timedelta(seconds=1)) if newest else utcnow()
    out = []
    for a in replay(store, rule, since=until - span, until=until):
        e = None
        if explained and rule.kind in STREAM:
            e = streams.explain(store, rule, a.peak, base_url=base_url)
        elif explained and rule.kind != INSTANT:
            e = explain(
                store,
                rule,
                start=a.opened.at - timedelta(minutes=rule.bucket),
                end=a.opened.at,
                observed=a.opened.observed,
                baseline=a.opened.baseline,
                base_url=base_url,
            )
        out.append(Trial(a, e))
    return out


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
    if rule.kind in STREAM:
        stream = trigger_for(rule)
        begin = watched_since(store, rule.workspace, since - warmup, until)
        if begin is not None:
            stream.start(begin)
        out: list[Firing] = []
        for signal in matching(store, rule, since - warmup, until):
            if signal.created_at < since:
                stream.learn(signal)
            else:
                out += stream.add(signal)
        return out + stream.tick(until)
    trigger = Trigger(rule)
    if rule.kind == INSTANT:
        out = []
        for signal in matching(store, rule, since, until):
            out += trigger.tick(signal.created_at)
            out += trigger.hit(signal.created_at, signal.id)
        return out + trigger.tick(until)
    buckets = store.series(
        rule.workspace,
        rule.query,
        scope(rule),
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


def group(changes: list[Firing]) -> list[ReplayedAlert]:
    """Fold opened/updated/closed firings into one record per alert (per key: campaigns)."""
    alerts: list[ReplayedAlert] = []
    current: dict[str | None, ReplayedAlert] = {}
    for f in changes:
        if f.change == "opened":
            current[f.key] = ReplayedAlert(opened=f, peak=f)
            alerts.append(current[f.key])
        elif f.key not in current:
            continue
        elif f.change == "updated":
            current[f.key].updates += 1
            if f.observed >= current[f.key].peak.observed:
                current[f.key].peak = f
        else:
            current.pop(f.key).closed = f
        if f.key in current and f.signal_id:
            current[f.key].signal_ids.append(f.signal_id)
    return alerts
