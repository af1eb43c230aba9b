from __future__ import annotations

import pytest

from pouls.enrich import toxicity
from pouls.enrich.toxicity import ToxicityEnricher
from tests.conftest import make_signal
from tests.enrich.conftest import TOLERANCE, card_scores, needs_datasets


def test_toxicity_scores_every_attribute_of_the_language_in_unit_range():
    [fr, en] = toxicity.score(
        ["Merci pour cette belle soirée", "Thanks for a lovely evening"], ["fr", "en"]
    )
    assert set(fr) == {"toxic", "hate", "offensive", "insult", "threat"}
    assert set(en) == {"toxic", "hate", "offensive", "threat"}
    assert all(0 <= p <= 1 for p in [*fr.values(), *en.values()])


@pytest.mark.parametrize(
    ("abusive", "polite", "lang"),
    [
        ("t'es vraiment un gros con, ferme ta gueule", "merci beaucoup pour votre aide", "fr"),
        ("shut the fuck up you stupid idiot", "thank you so much for your help", "en"),
    ],
)
def test_toxicity_ranks_abuse_above_politeness(abusive: str, polite: str, lang: str):
    bad, good = toxicity.score([abusive, polite], [lang, lang])
    assert bad["offensive"] > good["offensive"]
    assert bad["toxic"] > good["toxic"]
    assert bad["offensive"] >= 0.5 > good["offensive"]


@pytest.mark.parametrize(
    "text", ["je vais te retrouver et te tuer", "I'm going to kill you", "tu es un homme mort"]
)
def test_threat_rules_catch_explicit_threats(text: str):
    assert toxicity.threat(text) >= 0.5


@pytest.mark.parametrize("text", ["ce film m'a tué de rire", "I killed it at the gym today"])
def test_threat_rules_ignore_figures_of_speech(text: str):
    assert toxicity.threat(text) == 0


def test_toxicity_enricher_sets_scores():
    out = ToxicityEnricher().enrich([make_signal(1, "espèce d'abruti", lang="fr")])
    assert out[0].toxicity is not None and "insult" in out[0].toxicity


@pytest.mark.datasets
@needs_datasets
def test_toxicity_val_macro_f1_holds_the_model_card_figures():
    from scripts.models.toxicity import _split
    from scripts.models.train import macro_f1

    for key, promised in card_scores("toxicity").items():
        attribute, lang = key.split("/")
        texts, labels = _split(lang, attribute, "val")
        found = toxicity.score(texts, [lang] * len(texts))
        predicted = [str(int(s[attribute] >= 0.5)) for s in found]
        assert macro_f1(labels, predicted) >= promised - TOLERANCE, key


THREATS = [
    "je vais te retrouver et te tuer",
    "JE VAIS TE BRÛLER",
    "I'm going to kill you",
    "tu es un homme mort",
    "You're DEAD meat",
    "kill yourself",
    "crève-toi",
    "ils méritent la mort",
    "He deserves to die",
    "ce film m'a tué de rire",
    "I killed it at the gym today",
    "ſo I will kill you",  # a long s, which IGNORECASE reads as "s"
    "",
    "rien à voir",
]


def test_threats_of_a_batch_are_each_texts_threat():
    texts = THREATS + [f"{a} … {b}" for a, b in zip(THREATS, reversed(THREATS), strict=True)]
    assert toxicity.threats(texts) == [toxicity.threat(t) for t in texts]
    dotted = [*texts[:2], "İ"]  # lower-cases to two characters: the shortcut steps aside
    assert toxicity.threats(dotted) == [toxicity.threat(t) for t in dotted]
