"""Calibrated scores: ordinary customer messages stay under 0.5, clear abuse goes over.

Every consumer (the wall's tag, the store's toxic share, alert rules, `pouls classify`) reads
0.5 as the decision point, so an ordinary friendly message must score below it on every
toxicity attribute and on scam. The messages are written for this test.
"""

from __future__ import annotations

import pytest

from pouls.enrich import scam, toxicity

FRIENDLY_FR = [
    "Bonjour, la boutique de Bordeaux est ouverte le samedi ?",
    "Excellent ! L'éclair au chocolat : parfait",
    "Merci pour l'accueil ce matin, la vendeuse était adorable",
    "Est-ce que vous livrez à Villeurbanne le dimanche ?",
    "Petit déjeuner en terrasse avec ma sœur, croissants encore chauds ☀️",
    "Bravo à toute l'équipe pour le nouveau pain aux céréales",
    "Vous avez des options sans gluten dans la boutique de Nantes ?",
    "Ma commande est bien arrivée, merci beaucoup et bonne journée",
    "On a fêté l'anniversaire de mon fils avec votre fraisier, tout le monde a adoré",
    "Bonsoir, je voudrais réserver deux baguettes pour demain midi svp",
]
FRIENDLY_EN = [
    "Hi, is the Bordeaux shop open on Saturdays?",
    "Lovely lemon tart today, thank you!",
    "Thanks for the quick answer, my order arrived this morning",
    "Do you have vegan options at the Lyon bakery?",
    "Great coffee and a warm welcome as always",
    "Could you tell me when the new app update will be available?",
    "Happy to see a new shop opening near my office",
    "My kids loved the chocolate croissants, see you next week",
    "Hello, can I change the pickup time of my order to 5pm?",
    "Brilliant service at the airport store this afternoon",
]
ABUSIVE = [
    ("Bande de connards, vous êtes tous des escrocs de merde", "fr"),
    ("Ferme ta gueule sale con, t'es qu'une ordure", "fr"),
    ("You're a fucking idiot, shut up you stupid bitch", "en"),
    ("Fuck you and your shitty company, you bunch of morons", "en"),
]
THREATS = [
    ("je vais te retrouver et te tuer", "fr"),
    ("I'm going to kill you if I see you again", "en"),
]


def _with_lang(text: object, lang: str) -> object:
    if isinstance(text, str):
        return pytest.param(text, lang)
    return pytest.param(*text.values, lang, marks=text.marks)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "lang"),
    [_with_lang(t, "fr") for t in FRIENDLY_FR] + [_with_lang(t, "en") for t in FRIENDLY_EN],
)
def test_ordinary_friendly_messages_score_below_one_half(text: str, lang: str):
    [scores] = toxicity.score([text], [lang])
    assert max(scores.values()) < 0.5, scores
    assert scam.score([text])[0] < 0.5


@pytest.mark.parametrize(("text", "lang"), ABUSIVE)
def test_clear_insults_score_above_one_half(text: str, lang: str):
    [scores] = toxicity.score([text], [lang])
    assert scores["toxic"] >= 0.5, scores


@pytest.mark.parametrize(("text", "lang"), THREATS)
def test_clear_threats_score_above_one_half(text: str, lang: str):
    [scores] = toxicity.score([text], [lang])
    assert scores["threat"] >= 0.5, scores


def test_toxicity_artefacts_carry_their_calibration():
    for lang, attributes in toxicity.MODEL_ATTRIBUTES.items():
        for attribute in attributes:
            meta = toxicity._model(attribute, lang).meta
            assert meta.get("calibration") == "platt+threshold", (attribute, lang)
            assert {"a", "b", "val_threshold"} <= set(meta)
