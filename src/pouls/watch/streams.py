"""Rules decided signal by signal (campaign, new_terms): their trigger and their explanation.

One place for the watcher, the replay and the CLI to pick them, so the three agree.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from pouls.config import Rule
from pouls.store import Store
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch import campaign, emerging
from pouls.watch.explain import Explanation
from pouls.watch.rules import Firing, matching

StreamTrigger = campaign.CampaignTrigger | emerging.NewTermsTrigger
PRIME = timedelta(days=7)  # history such a rule reads when the watcher starts


def trigger_for(rule: Rule) -> StreamTrigger:
    """A fresh trigger for a campaign or new_terms rule."""
    if rule.kind == "campaign":
        return campaign.CampaignTrigger(rule)
    if rule.kind == "new_terms":
        return emerging.NewTermsTrigger(rule)
    raise ValueError(f"{rule.kind} rules are not decided signal by signal")


def watched_since(
    store: Store, workspace: str, since: datetime, until: datetime
) -> datetime | None:
    """The start of the first hour in [since, until) with a stored signal of the workspace.

    A rule only tells a cluster or a word new once the workspace has been watched for a while;
    live and replay both count from here (live: from the first signal, to the hour).
    """
    hour = timedelta(hours=1)
    for bucket in store.series(workspace, None, None, bucket=hour, since=since, until=until):
        if bucket.volume:
            return bucket.start
    return None


def resume(
    stream: StreamTrigger, store: SQLiteStore, now: datetime
) -> tuple[dict[str | None, int], list[Firing]]:
    """Warm `stream` on the days before `now`, then match its rule's open alerts with it.

    Returns the open alerts to follow, by key, and the closings of those whose cluster (or
    burst) ended while pouls was down: at the end of its quiet time when known, else now.
    """
    rule = stream.rule
    begin = watched_since(store, rule.workspace, now - PRIME, now)
    if begin is not None:
        stream.start(begin)
    for signal in matching(store, rule, now - PRIME, now):
        stream.learn(signal)
    going = stream.open_keys()
    following: dict[str | None, int] = {}
    closings: list[Firing] = []
    for alert in WatchStore(store).alerts(rule.workspace, rule=rule.name, status="open"):
        key = alert.key.split(":", 1)[1] if alert.key else None
        following[key] = alert.id
        if key in going:
            continue
        last = stream.last(key)
        at = max(min(now, last + stream.quiet) if last is not None else now, alert.updated_at)
        told = stream.closing(key, at)  # its real copies and authors, when still remembered
        closings.append(
            replace(told, started=alert.started_at)
            if told is not None
            else Firing(
                rule=rule.name,
                workspace=rule.workspace,
                change="closed",
                at=at,
                started=alert.started_at,
                observed=alert.observed or 0.0,
                baseline=alert.baseline or 0.0,
                score=0.0,
                key=key,
            )
        )
    return following, closings


def explain(store: SQLiteStore, rule: Rule, firing: Firing, *, base_url: str) -> Explanation:
    """What a campaign or new_terms firing saw."""
    if rule.kind == "campaign":
        return campaign.explain(WatchStore(store), rule, firing, base_url=base_url)
    return emerging.explain_terms(store, rule, firing, base_url=base_url)
