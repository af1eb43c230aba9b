from __future__ import annotations

import numpy as np
import pytest

from pouls.enrich import sentiment
from pouls.enrich.sentiment import SentimentEnricher
from tests.conftest import make_signal
from tests.enrich.conftest import TOLERANCE, card_scores, needs_datasets

PROBES = [
    ("Franchement génial, l'équipe a été adorable, merci pour tout ❤️", "fr", "positive"),
    ("Quelle honte, ce service est vraiment nul", "fr", "negative"),
    ("I absolutely love the new update, great job team! 😍", "en", "positive"),
    ("Worst experience ever, the app keeps crashing and nobody answers", "en", "negative"),
    ("La réunion publique aura lieu jeudi à 18h à la mairie", "fr", "neutral"),
]


@pytest.mark.parametrize(("text", "lang", "expected"), PROBES)
def test_sentiment_labels_clear_french_and_english_probes(text: str, lang: str, expected: str):
    [found] = sentiment.classify([text], [lang])
    assert found.label == expected
    assert 0.33 < found.score <= 1


def test_sentiment_probabilities_sum_to_one_with_or_without_language():
    texts = [p[0] for p in PROBES]
    for langs in ([p[1] for p in PROBES], [None] * len(texts), ["xx"] * len(texts)):
        proba = sentiment.predict_proba(texts, langs)
        assert proba.shape == (len(texts), 3)
        assert np.allclose(proba.sum(axis=1), 1, atol=1e-4)


def test_sentiment_enricher_fills_signals_with_text_and_skips_empty_ones():
    batch = [
        make_signal(1, "Quel bonheur ce concert, merci !", lang="fr"),
        make_signal(2, "", lang="fr"),
        make_signal(3, "Terrible customer service, never again", lang="en"),
    ]
    out = SentimentEnricher().enrich(batch)
    assert [s.id for s in out] == [s.id for s in batch]
    assert out[0].sentiment is not None and out[0].sentiment.label == "positive"
    assert out[1].sentiment is None
    assert out[2].sentiment is not None and out[2].sentiment.label == "negative"
    assert batch[0].sentiment is None  # the input batch is left as it was


@pytest.mark.datasets
@needs_datasets
def test_sentiment_val_macro_f1_holds_the_model_card_figure():
    from scripts.models import data
    from scripts.models.train import macro_f1

    promised = card_scores("sentiment")
    for lang in data.UMSAB_LANGS:
        texts, labels = data.umsab(lang, "val")
        predicted = [s.label for s in sentiment.classify(texts, [lang] * len(texts))]
        assert macro_f1(labels, predicted) >= promised[lang] - TOLERANCE, lang


def test_complaints_about_a_brand_read_as_negative():
    """The demo's brand messages, by the mood each was written for: UMSAB val is mostly
    political tweets, and a model can win there while reading product complaints as praise
    (docs/models/sentiment.md, "Tried and not kept"). Floors a little under today's figures
    (French 75%, English 53% of the negative messages read as negative)."""
    from scripts.models.measure import brand_sentiment

    found = brand_sentiment()
    assert found["fr"]["negative_recall"] >= 0.65
    assert found["en"]["negative_recall"] >= 0.45
    assert found["fr"]["macro_f1"] >= 0.45 and found["en"]["macro_f1"] >= 0.55
