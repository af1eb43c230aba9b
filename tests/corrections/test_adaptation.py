"""The per-workspace adaptation: on held-out texts of a bakery's words the corrections help,
texts without those words keep the models' answer, and nothing crosses workspaces.

The texts are written for pouls' tests (a bakery's customers: slang praise, complaints without
a negative word, neutral questions); the models' answers are the shipped models' own."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from pouls.corrections import Example
from pouls.corrections.adaptation import Adaptation, Learned
from pouls.enrich.sentiment import classify
from pouls.signals import Signal
from pouls.signals.model import Entity, Sentiment
from pouls.store.sqlite import SQLiteStore
from tests.conftest import make_signal

TRAIN = [
    ("Ce flan est une tuerie", "positive"),
    ("Une tuerie leur tarte au citron", "positive"),
    ("Le pain au chocolat de la rue Sainte, une vraie tuerie", "positive"),
    ("Leurs éclairs c'est de la frappe", "positive"),
    ("Ce fraisier c'est de la frappe franchement", "positive"),
    ("Le kouign-amann, une dinguerie", "positive"),
    ("Cette baguette tradition est une dinguerie", "positive"),
    ("Trois semaines que j'attends ma commande", "negative"),
    ("Deux heures que j'attends au comptoir", "negative"),
    ("Toujours pas reçu ma commande", "negative"),
    ("Toujours pas reçu le remboursement promis", "negative"),
    ("Encore une commande arrivée en retard", "negative"),
    ("Vous ouvrez le dimanche matin ?", "neutral"),
    ("Quels sont vos horaires pendant les fêtes ?", "neutral"),
]
HELD_OUT = [
    ("La brioche de ce matin, une tuerie absolue", "positive"),
    ("Franchement leur galette c'est de la frappe", "positive"),
    ("Tuerie ce millefeuille", "positive"),
    ("Le flan pâtissier est une dinguerie", "positive"),
    ("Dix jours que j'attends ma commande de bûches", "negative"),
    ("Toujours pas reçu le colis", "negative"),
    ("Une heure que j'attends qu'on me serve", "negative"),
    ("Encore en retard, la commande du samedi", "negative"),
    ("Vous ouvrez le lundi ?", "neutral"),
    ("Quels sont vos horaires le samedi ?", "neutral"),
]
# Texts with none of the corrected words: the layer must leave the models' answer alone.
UNRELATED = [
    "Merci pour votre accueil chaleureux",
    "Service client injoignable depuis lundi",
    "Great coffee and friendly staff",
    "Terrible experience, never again",
]


def modelled(rows: list[tuple[str, str]], workspace: str = "acme", start: int = 0) -> list[Signal]:
    """Signals with the shipped sentiment models' answers, as enrichment leaves them."""
    found = classify([t for t, _ in rows], ["fr"] * len(rows))
    return [
        make_signal(start + i, text, workspace=workspace, lang="fr", sentiment=s)
        for i, ((text, _), s) in enumerate(zip(rows, found, strict=True))
    ]


def accuracy(signals: list[Signal], rows: list[tuple[str, str]]) -> float:
    right = sum(s.sentiment.label == gold for s, (_, gold) in zip(signals, rows, strict=True))  # type: ignore[union-attr]
    return right / len(rows)


# A model that misreads this bakery's words in the ways the issue reports: slang praise read as
# negative, complaints without a negative word as neutral, questions as positive.
MISREAD = {"positive": "negative", "negative": "neutral", "neutral": "positive"}


def misread(rows: list[tuple[str, str]], start: int = 0) -> list[Signal]:
    return [
        make_signal(start + i, text, lang="fr", sentiment=Sentiment(MISREAD[gold], 0.45))  # type: ignore[arg-type]
        for i, (text, gold) in enumerate(rows)
    ]


def test_corrections_help_on_held_out_texts() -> None:
    taught = [
        Example(s.text, "fr", "sentiment", gold, msgspec.to_builtins(s.sentiment))
        for s, (_, gold) in zip(misread(TRAIN), TRAIN, strict=True)
    ]
    held = misread(HELD_OUT, start=100)
    assert accuracy(held, HELD_OUT) == 0
    assert accuracy(Learned.from_examples(taught).apply(held), HELD_OUT) >= 0.8


def test_corrections_never_make_the_shipped_model_worse_on_held_out_texts() -> None:
    taught = [
        Example(s.text, "fr", "sentiment", gold, msgspec.to_builtins(s.sentiment))
        for s, (_, gold) in zip(modelled(TRAIN), TRAIN, strict=True)
    ]
    held = modelled(HELD_OUT, start=100)
    after = accuracy(Learned.from_examples(taught).apply(held), HELD_OUT)
    assert after >= max(accuracy(held, HELD_OUT), 0.8)


def test_texts_without_the_corrected_words_keep_the_models_answer() -> None:
    taught = [
        Example(text, "fr", "sentiment", gold, {"label": "neutral", "score": 0.4})
        for text, gold in TRAIN
    ]
    plain = modelled([(t, "") for t in UNRELATED], start=200)
    assert Learned.from_examples(taught).apply(plain) == plain


@pytest.fixture
def stored(tmp_path: Path) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "pouls.db")
    store.put(modelled(TRAIN) + modelled(TRAIN, workspace="globex"))
    for i, (_, gold) in enumerate(TRAIN):
        signal_id = make_signal(i).id
        store.corrections.correct("acme", [signal_id], "sentiment", gold, user_id=None, by="Ana")
    return store


def test_the_adaptation_never_leaks_between_workspaces(stored: SQLiteStore) -> None:
    stage = Adaptation(stored.corrections.examples, stored.corrections.version)
    ours = modelled(HELD_OUT, start=100)
    theirs = modelled(HELD_OUT, workspace="globex", start=100)
    out = stage.enrich(ours + theirs)
    assert accuracy(out[: len(ours)], HELD_OUT) >= 0.8
    assert out[len(ours) :] == theirs  # globex corrected nothing: the models' answers, exactly
    assert stage.learned("globex") is None
    stored.close()


def test_a_new_correction_is_learnt_at_the_next_look(stored: SQLiteStore) -> None:
    stage = Adaptation(stored.corrections.examples, stored.corrections.version, refresh=0)
    text = "Les chouquettes, c'est du lourd"
    (before,) = stage.enrich(modelled([(text, "")], start=300))
    stored.put(modelled([(text + " !", "")], start=400))
    wanted = "negative" if before.sentiment.label == "positive" else "positive"  # type: ignore[union-attr]
    stored.corrections.correct(
        "acme", [make_signal(400).id], "sentiment", wanted, user_id=None, by="Ana"
    )
    (after,) = stage.enrich(modelled([(text, "")], start=300))
    assert after.sentiment.label == wanted  # type: ignore[union-attr]
    stored.close()


def test_language_toxicity_and_entities_are_learnt() -> None:
    taught = Learned.from_examples(
        [
            Example("Bien dormi", None, "lang", "fr", "es"),
            Example(
                "Le meilleur c'est le pain de campagne", "fr", "toxicity", "none", {"hate": 0.6}
            ),
            Example(
                "SUPPRIMÉ par la modération, merci Maison Lumière",
                "fr",
                "entities",
                [{"type": "org", "text": "Maison Lumière"}],
                [{"type": "org", "text": "SUPPRIMÉ", "norm": "supprime"}],
            ),
        ]
    )
    (sleep, bread, removed) = taught.apply(
        [
            make_signal(1, "bien dormi", lang="es"),
            make_signal(
                2, "Le meilleur pain de campagne du quartier", toxicity={"hate": 0.55, "toxic": 0.2}
            ),
            make_signal(
                3,
                "Message SUPPRIMÉ, écrivez à maison lumiere",
                entities=(Entity("org", "SUPPRIMÉ", "supprime"),),
            ),
        ]
    )
    assert sleep.lang == "fr"
    assert max(bread.toxicity.values()) < 0.5  # type: ignore[union-attr]
    assert [e.text for e in removed.entities] == ["Maison Lumière"]
    untouched = make_signal(4, "Hola, buenos días", lang="es", sentiment=Sentiment("positive", 0.6))
    assert taught.apply([untouched]) == [untouched]


def test_the_pipeline_adapts_after_the_models_and_before_topics(tmp_path: Path) -> None:
    from pouls.config import load
    from pouls.pipeline import apply, stages_for

    (tmp_path / "pouls.toml").write_text('[[workspaces]]\nid = "acme"\n', encoding="utf-8")
    store = SQLiteStore(tmp_path / "pouls.db")
    settings = load(tmp_path, environ={})
    stages = stages_for(settings, store)
    names = [s.name for s in stages]
    assert names.index("sentiment") < names.index("adaptation") < names.index("topics")
    new = make_signal(9, "Leur tarte au citron, une dinguerie")
    (plain,) = apply(stages, [new])
    assert plain.sentiment is not None
    wanted = "negative" if plain.sentiment.label == "positive" else "positive"
    taught = [
        "Cette baguette tradition est une dinguerie",
        "Le kouign-amann, une dinguerie",
        "Une dinguerie ce flan",
    ]
    store.put(apply(stages, [make_signal(i, text) for i, text in enumerate(taught)]))
    ids = [make_signal(i).id for i in range(len(taught))]
    store.corrections.correct("acme", ids, "sentiment", wanted, user_id=None, by="Ana")
    stages = stages_for(settings, store)  # a fresh stage: no wait for its next look
    (found,) = apply(stages, [new])
    assert found.sentiment is not None and found.sentiment.label == wanted
    store.close()
