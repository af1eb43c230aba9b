"""Corrections win in alerts: a rule replayed over corrected history counts the people's
labels, and the watcher's warm start (which reads the same store) does too."""

from __future__ import annotations

from datetime import timedelta

from pouls.config import Rule
from pouls.signals import Sentiment
from pouls.store.sqlite import SQLiteStore
from pouls.watch.replay import replay
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


def test_a_replayed_rule_counts_corrected_sentiments(store: SQLiteStore) -> None:
    # Twenty complaints the models read as neutral, in one hour, after a quiet day.
    store.put(
        [
            make_signal(i * 60, "commande reçue", sentiment=Sentiment("positive", 0.7))
            for i in range(1, 24)
        ]
        + [
            make_signal(
                24 * 60 + i, "trois semaines que j'attends", sentiment=Sentiment("neutral", 0.4)
            )
            for i in range(20)
        ]
    )
    since, until = T0 + timedelta(hours=12), T0 + timedelta(days=1, hours=3)
    assert replay(store, RULE, since=since, until=until) == []
    waiting = [make_signal(24 * 60 + i).id for i in range(15)]
    store.corrections.correct("acme", waiting, "sentiment", "negative", user_id=None, by="Ana")
    (alert,) = replay(store, RULE, since=since, until=until)
    assert alert.opened.at >= T0 + timedelta(days=1)
