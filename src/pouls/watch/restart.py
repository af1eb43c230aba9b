"""What a restarted watcher does with the alerts it left open: a bucket (or match) rule takes
its alert up again, replaying the episode from the store; an alert whose rule is gone closes.

Kept apart from `watcher.py`: it runs once, at start, and reads the store's alerts; the
campaign and new_terms rules do the same through `streams.resume`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from pouls.store import Bucket
from pouls.store.watch import StoredAlert, WatchStore
from pouls.watch.rules import INSTANT, Firing, Trigger

log = logging.getLogger("pouls.watch")

RULE_REMOVED = "rule removed"  # the note of an alert closed because its rule is gone
REPLACED = "replaced by a newer alert"  # of the same rule (left by a watcher before this one)
NOT_RULES = {"escalation"}  # alerts followed elsewhere (the crisis tracker), not by a rule


def resume(
    trigger: Trigger, book: WatchStore, buckets: Sequence[Bucket], now: datetime
) -> tuple[dict[str | None, int], list[Firing]]:
    """Learn the rule's recent `buckets` and take up its alert left open, if any.

    The buckets since the alert opened go through `update`, as they did live: what comes out
    after the alert's last recorded change (its closing when the episode ended while pouls
    was down, a new high) is returned to be told. Returns the alert the rule now follows (by
    key, None: empty when none was open), as `streams.resume` does, and those firings.
    """
    rule = trigger.rule
    left = book.alerts(rule.workspace, rule=rule.name, status="open")
    alert = next((a for a in left if a.key is None), None)  # newest first
    for older in left:
        if older.key is None and alert is not None and older.id != alert.id:
            at = max(now, older.updated_at)
            book.change_alert(rule.workspace, older.id, change="closed", at=at, note=REPLACED)
    if alert is None:
        for bucket in buckets:
            trigger.learn(bucket)
        return {}, []
    opening = _opening(trigger, book, alert)
    if rule.kind == INSTANT:  # no buckets: the cool-down runs from the latest matching signal
        trigger.resume(opening, last=alert.updated_at)
        quiet = alert.updated_at + timedelta(minutes=rule.cooldown)  # when it went quiet
        return {None: alert.id}, [replace(f, at=min(f.at, quiet)) for f in trigger.tick(now)]
    firings: list[Firing] = []
    resumed = False
    for bucket in buckets:
        if not resumed and bucket.start + trigger.step > alert.started_at:
            trigger.resume(opening)
            resumed = True
        if resumed:
            firings += trigger.update(bucket)
        else:
            trigger.learn(bucket)
    if not resumed:
        trigger.resume(opening)
    return {None: alert.id}, _untold(firings, alert)


def close_orphans(book: WatchStore, rules: Collection[tuple[str, str]], now: datetime) -> int:
    """Close the open alerts of rules no longer run (removed from the config); how many."""
    closed = 0
    for alert in book.open_alerts():
        if alert.kind in NOT_RULES or (alert.workspace, alert.rule) in rules:
            continue
        at = max(now, alert.updated_at)
        book.change_alert(alert.workspace, alert.id, change="closed", at=at, note=RULE_REMOVED)
        log.info("alert #%d closed: its rule %r was removed", alert.id, alert.rule)
        closed += 1
    return closed


def _opening(trigger: Trigger, book: WatchStore, alert: StoredAlert) -> Firing:
    """The firing that opened `alert`, from its first history line."""
    lines = book.history(alert.workspace, alert.id)
    first = lines[0] if lines else None
    instant = trigger.rule.kind == INSTANT
    return Firing(
        rule=alert.rule,
        workspace=alert.workspace,
        change="opened",
        at=alert.started_at,
        started=alert.started_at if instant else alert.started_at - trigger.step,
        observed=_value(first.observed if first else None, alert.observed),
        baseline=_value(first.baseline if first else None, alert.baseline),
        score=_value(first.score if first else None, alert.score),
        # an instant rule counts its matching signals; a bucket rule's replay counts again
        count=sum(c.change != "closed" for c in lines) if instant else 1,
    )


def _untold(firings: list[Firing], alert: StoredAlert) -> list[Firing]:
    """The replayed firings not told before the restart.

    Those up to the alert's last recorded change were told, except a first closing: the store
    may have ended the episode a little earlier than live did (late signals counted apart);
    the alert still closes, no earlier than its last change.
    """
    out: list[Firing] = []
    closed = False
    for f in firings:
        if f.change == "closed" and not closed:
            closed = True
            out.append(replace(f, at=max(f.at, alert.updated_at)))
        elif f.at > alert.updated_at:
            out.append(f)
    return out


def _value(first: float | None, current: float | None) -> float:
    return first if first is not None else (current or 0.0)
