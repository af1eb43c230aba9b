"""Corrections in the store: written into the signal, kept with who and when, and winning over
the models in searches, facets, series, rollups and newer versions of the signal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pouls.analyse.keys import KINDS, keys_of
from pouls.corrections import Refused, verdict
from pouls.signals import Sentiment
from pouls.signals.model import Entity
from pouls.store import Filters
from pouls.store.figures import Figures
from pouls.store.sqlite import SQLiteStore
from tests.conftest import T0, make_signal


def fill(store: SQLiteStore) -> None:
    store.put(
        [
            make_signal(1, "Service nul, croissant brûlé", sentiment=Sentiment("positive", 0.7)),
            make_signal(2, "une tuerie ce flan", sentiment=Sentiment("negative", 0.6)),
            make_signal(3, "bonjour", sentiment=Sentiment("neutral", 0.8), lang="es"),
            make_signal(1, "Service nul", workspace="globex", sentiment=Sentiment("positive", 0.7)),
        ]
    )


def test_a_correction_wins_in_the_signal_search_and_facets(store: SQLiteStore) -> None:
    fill(store)
    first = make_signal(1).id
    assert (
        store.corrections.correct("acme", [first], "sentiment", "negative", user_id=None, by="Ana")
        == []
    )
    signal = store.get("acme", first)
    assert signal is not None and signal.sentiment == Sentiment("negative", 1.0)
    assert store.facets("acme")["sentiment"] == {"negative": 2, "neutral": 1}
    found = store.search("acme", "service sentiment:negative", count=True)
    assert found.total == 1 and found.signals[0].id == first
    assert store.search("acme", None, Filters(sentiment="positive"), count=True).total == 0
    # The other workspace's signal of the same number is another signal, left as it was.
    assert store.facets("globex")["sentiment"] == {"positive": 1}


def test_a_correction_keeps_who_when_and_what_the_models_said(store: SQLiteStore) -> None:
    fill(store)
    first = make_signal(1).id
    store.corrections.correct("acme", [first], "sentiment", "neutral", user_id=None, by="Ana")
    store.corrections.correct("acme", [first], "sentiment", "negative", user_id=None, by="Bob")
    (found,) = store.corrections.of("acme", first)
    assert (found.field, found.value, found.by) == ("sentiment", "negative", "Bob")
    assert found.model == {"label": "positive", "score": 0.7}  # the models', not Ana's
    assert store.corrections.of("globex", first) == []


def test_a_signal_of_another_workspace_cannot_be_corrected(store: SQLiteStore) -> None:
    fill(store)
    theirs = make_signal(1, workspace="globex").id
    mine = make_signal(2).id
    missing = store.corrections.correct(
        "acme", [mine, theirs], "sentiment", "negative", user_id=None, by="Ana"
    )
    assert missing == [theirs]
    # All or nothing: the signal that exists was not corrected either.
    assert store.corrections.of("acme", mine) == []
    assert store.get("acme", mine).sentiment == Sentiment("negative", 0.6)  # type: ignore[union-attr]
    assert store.get("globex", theirs).sentiment.label == "positive"  # type: ignore[union-attr]


def test_withdrawing_puts_the_models_value_back(store: SQLiteStore) -> None:
    fill(store)
    third = make_signal(3).id
    store.corrections.correct("acme", [third], "lang", "fr", user_id=None, by="Ana")
    assert store.facets("acme")["lang"] == {"fr": 1}
    assert store.corrections.withdraw("acme", third, "lang")
    assert store.get("acme", third).lang == "es"  # type: ignore[union-attr]
    assert not store.corrections.withdraw("acme", third, "lang")


def test_a_newer_version_keeps_the_correction(store: SQLiteStore) -> None:
    fill(store)
    first = make_signal(1).id
    store.corrections.correct("acme", [first], "sentiment", "negative", user_id=None, by="Ana")
    edited = make_signal(
        1,
        "Service nul, croissant brûlé, plus jamais",
        sentiment=Sentiment("neutral", 0.5),
        edited_at=T0 + timedelta(hours=1),
        observed_at=T0 + timedelta(hours=1),
    )
    store.put([edited])
    signal = store.get("acme", first)
    assert signal is not None and signal.text.endswith("plus jamais")
    assert signal.sentiment == Sentiment("negative", 1.0)
    assert store.corrections.of("acme", first)[0].model == {"label": "neutral", "score": 0.5}


def test_toxicity_and_entities_corrections(store: SQLiteStore) -> None:
    store.put(
        [
            make_signal(
                1,
                "Le meilleur c'est le pain de campagne chez Lumière",
                toxicity={"toxic": 0.2, "hate": 0.6},
                entities=(Entity("org", "PAIN", "pain"),),
            )
        ]
    )
    first = make_signal(1).id
    assert store.facets("acme")["flag"] == {"toxic": 1}
    store.corrections.correct("acme", [first], "toxicity", "none", user_id=None, by="Ana")
    entities = verdict("entities", [{"type": "org", "text": "Lumière"}])
    store.corrections.correct("acme", [first], "entities", entities, user_id=None, by="Ana")
    signal = store.get("acme", first)
    assert signal is not None and signal.toxicity == {"toxic": 0.0, "hate": 0.0}
    assert signal.entities == (Entity("org", "Lumière", "lumiere"),)
    assert store.facets("acme")["flag"] == {}


def test_a_correction_moves_the_dashboards_rollups(store: SQLiteStore) -> None:
    fill(store)
    f = Filters(since=T0, until=T0 + timedelta(days=1))
    figures = Figures(store, keys_of)

    def negative() -> int:
        tally = figures.tally("acme", None, f, KINDS)
        return sum(r.n for r in tally.counts if r.sentiment == "negative")

    assert negative() == 1
    ids = [make_signal(1).id, make_signal(3).id]
    store.corrections.correct("acme", ids, "sentiment", "negative", user_id=None, by="Ana")
    assert negative() == 3
    series = store.series("acme", bucket=timedelta(days=1), since=T0, until=T0 + timedelta(days=1))
    assert sum(b.negative for b in series) == 3


def test_an_erased_signal_takes_its_corrections_with_it(store: SQLiteStore) -> None:
    fill(store)
    first = make_signal(1).id
    store.corrections.correct("acme", [first], "sentiment", "negative", user_id=None, by="Ana")
    with store._transaction() as conn:
        conn.execute("DELETE FROM signals WHERE id = ?", (first,))
    assert store.corrections.count("acme") == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mood", "happy"),
        ("sentiment", "great"),
        ("sentiment", 3),
        ("toxicity", "rude"),
        ("lang", "french"),
        ("entities", "Lumière"),
        ("entities", [{"type": "brand", "text": "Lumière"}]),
        ("entities", [{"type": "org", "text": "  "}]),
    ],
)
def test_a_value_that_cannot_be_a_correction_is_refused_with_a_reason(
    field: str, value: object
) -> None:
    with pytest.raises(Refused) as refused:
        verdict(field, value)
    assert refused.value.message and str(refused.value)


def test_topics_that_read_the_corrected_field_are_matched_again(store: SQLiteStore) -> None:
    from pouls.store.topics import Topic

    fill(store)
    store.topics.save(Topic(workspace="acme", name="plaintes", query="sentiment:negative"))
    store.topics.save(Topic(workspace="acme", name="service", query="service"))
    store.topics.backfill("acme", "plaintes")
    store.topics.backfill("acme", "service")
    assert store.facets("acme")["topic"] == {"plaintes": 1, "service": 1}
    first, second = make_signal(1).id, make_signal(2).id
    store.corrections.correct("acme", [first], "sentiment", "negative", user_id=None, by="Ana")
    store.corrections.correct("acme", [second], "sentiment", "positive", user_id=None, by="Ana")
    assert store.facets("acme")["topic"] == {"plaintes": 1, "service": 1}
    assert store.search("acme", None, Filters(topic="plaintes")).signals[0].id == first
    store.corrections.withdraw("acme", second, "sentiment")
    assert store.facets("acme")["topic"] == {"plaintes": 2, "service": 1}
