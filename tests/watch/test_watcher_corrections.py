"""The live watcher hears corrections: a bucket still open counts the people's labels."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from pouls.config import Rule
from pouls.signals import Sentiment, Signal
from pouls.store.sqlite import SQLiteStore
from pouls.watch.watcher import Watcher
from tests.conftest import T0, make_signal

RULE = Rule(
    name="negative-share",
    workspace="acme",
    kind="threshold",
    metric="negative",
    threshold=0.5,
    window=60,
    bucket=60,
    min_volume=5,
)


def hour(store: SQLiteStore, corrected: int) -> list[str]:
    """Ten complaints read as neutral in one hour, `corrected` of them corrected to negative
    while the hour is open; the rules that fired once the hour closed."""
    watcher = Watcher([RULE], store, clock=lambda: T0 + timedelta(days=1), lateness=timedelta(0))
    complaints = [
        make_signal(i, "trois semaines que j'attends", sentiment=Sentiment("neutral", 0.4))
        for i in range(1, 11)
    ]
    watcher.listener(complaints)
    pairs: list[tuple[Signal, Signal]] = [
        (s, msgspec.structs.replace(s, sentiment=Sentiment("negative", 1.0)))
        for s in complaints[:corrected]
    ]
    watcher.corrected(pairs)
    watcher.listener([make_signal(125, "plus tard", sentiment=Sentiment("neutral", 0.5))])
    return [str(f.rule) for f in watcher.firings]


def test_a_correction_in_an_open_bucket_counts_for_the_alert(store: SQLiteStore) -> None:
    assert hour(store, corrected=0) == []
    assert hour(store, corrected=8) == ["negative-share"]


def test_a_correction_of_a_closed_bucket_changes_nothing_live(store: SQLiteStore) -> None:
    watcher = Watcher([RULE], store, clock=lambda: T0 + timedelta(days=1), lateness=timedelta(0))
    old = make_signal(1, "commande", sentiment=Sentiment("neutral", 0.4))
    watcher.listener([old, make_signal(125, "plus tard")])
    watcher.corrected([(old, msgspec.structs.replace(old, sentiment=Sentiment("negative", 1.0)))])
    assert all(t.negative == 0 for live in watcher._rules.values() for t in live.tallies.values())
