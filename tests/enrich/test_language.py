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


@pytest.mark.parametrize("text", ["", "ok", "@user http #fail 2026", "😂😂😂"])
def test_language_says_unknown_when_there_is_too_little_text(text: str):
    assert language.detect([text]) == [("unknown", 0.0)]


def test_language_enricher_keeps_a_language_the_source_declared():
    batch = [make_signal(1, "The weather is lovely today"), make_signal(2, "Hello", lang="fr")]
    out = LanguageEnricher().enrich(batch)
    assert out[0].lang == "en"
    assert out[1].lang == "fr"


@pytest.mark.datasets
@needs_datasets
def test_language_val_accuracy_holds_the_model_card_figures():
    from scripts.models import data

    for lang, promised in card_scores("language").items():
        texts, _ = data.umsab(lang, "val")
        accuracy = sum(code == lang for code, _ in language.detect(texts)) / len(texts)
        assert accuracy >= promised - TOLERANCE, lang
