from __future__ import annotations

import pytest

from pouls.enrich import language
from pouls.enrich.language import LanguageEnricher
from tests.conftest import make_signal
from tests.enrich.conftest import TOLERANCE, card_scores, needs_datasets


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Je trouve que la nouvelle boutique est vraiment agréable", "fr"),
        ("I think the new shop downtown is really nice", "en"),
        ("Creo que la nueva tienda del centro es muy bonita", "es"),
        ("Ich finde den neuen Laden in der Stadt wirklich schön", "de"),
    ],
)
def test_language_detects_clear_sentences(text: str, code: str):
    assert language.detect([text])[0][0] == code
    assert language.detect([text], low_accuracy=True)[0][0] == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Je trouve que la nouvelle boutique est vraiment agréable", "fr"),
        ("I think the new shop downtown is really nice", "en"),
    ],
)
def test_language_fast_model_answers_clear_french_and_english_by_itself(text: str, code: str):
    [(found, confidence)] = language.detect([text], low_accuracy=True, fast=True)
    floor = language.fast_minimums()[language._fast().classes.index(code)]
    assert found == code and confidence >= floor


DUTCH = [
    "Ik ben echt blij met de nieuwe winkel in het centrum",
    "Waarom duurt de levering zo lang?",
    "De trein was weer te laat vandaag, wat een gedoe",
    "Bedankt voor de snelle hulp, top service!",
    "Heeft iemand anders ook problemen met de app?",
    "Zeer tevreden over mijn bestelling",
    "Mijn pakket is nog steeds niet aangekomen",
    "Dit is de beste koffie van de stad",
]


@pytest.mark.parametrize("text", DUTCH)
def test_language_fast_mode_leaves_dutch_to_lingua(text: str):
    # The fast model never saw Dutch: it must stay unsure so that lingua answers.
    assert language.detect([text], low_accuracy=True, fast=True)[0][0] == "nl"


@pytest.mark.parametrize("text", ["", "ok", "@user http #fail 2026", "😂😂😂"])
def test_language_says_unknown_when_there_is_too_little_text(text: str):
    assert language.detect([text]) == [("unknown", 0.0)]
    assert language.detect([text], low_accuracy=True, fast=True) == [("unknown", 0.0)]


def test_language_enricher_keeps_a_language_the_source_declared():
    batch = [make_signal(1, "The weather is lovely today"), make_signal(2, "Hello", lang="fr")]
    out = LanguageEnricher().enrich(batch)
    assert out[0].lang == "en"
    assert out[1].lang == "fr"


@pytest.mark.datasets
@needs_datasets
def test_language_val_accuracy_holds_the_model_card_figures():
    from scripts.models import data

    for key, promised in card_scores("language").items():
        mode, _, lang = key.rpartition("/")
        texts, _ = data.umsab(lang, "val")
        fast = mode == "stage"
        found = language.detect(texts, low_accuracy=fast, fast=fast)
        accuracy = sum(code == lang for code, _ in found) / len(texts)
        assert accuracy >= promised - TOLERANCE, key
