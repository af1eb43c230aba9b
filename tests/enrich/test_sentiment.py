from __future__ import annotations

import shutil

import numpy as np
import pytest

from pouls.enrich import sentiment, vectors
from pouls.enrich.sentiment import SentimentEnricher
from pouls.enrich.text import normalize
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
    assert vectors.model() is not None, "the French figure is the ensemble with word vectors"
    for lang in data.UMSAB_LANGS:
        texts, labels = data.umsab(lang, "val")
        predicted = [s.label for s in sentiment.classify(texts, [lang] * len(texts))]
        assert macro_f1(labels, predicted) >= promised[lang] - TOLERANCE, lang


needs_vectors = pytest.mark.skipif(
    vectors._data_dir(vectors.PACKAGE) is None, reason=f"{vectors.PACKAGE} is not installed"
)
FRENCH = [
    "Franchement génial, l'équipe a été adorable, merci pour tout ❤️",
    "Quelle honte, ce service est vraiment nul #déçu",
    "La réunion publique aura lieu jeudi à 18h à la mairie",
    "zzqxw qxzzv",  # no word with a vector: the model's bias alone
    "",
]


@needs_vectors
def test_french_vectors_folded_scores_equal_the_fitted_scaler_and_regression():
    table = vectors.table()
    assert table is not None
    model = vectors.VectorModel.load(vectors.ARTEFACT)
    rows = vectors.rows_of([normalize(t) for t in FRENCH], table, {})
    pooled = np.zeros((len(rows), table.vectors.shape[1]))
    for i, found in enumerate(rows):
        if found:
            w = model.idf[found]
            pooled[i] = (w[:, None] * table.vectors[found]).sum(0) / w.sum()
    assert not rows[3] and not rows[4]
    folded = model.fold(table.vectors).logits(rows)
    assert np.allclose(folded, model.logits(pooled), atol=1e-6)


@needs_vectors
def test_french_probabilities_use_the_vectors_and_fall_back_without_them(monkeypatch):
    with_vectors = sentiment.predict_proba(FRENCH, ["fr"] * len(FRENCH))
    english = sentiment.predict_proba(FRENCH, ["en"] * len(FRENCH))
    monkeypatch.setattr(vectors, "model", lambda: None)
    fallback = sentiment.predict_proba(FRENCH, ["fr"] * len(FRENCH))
    assert not np.allclose(with_vectors, fallback)
    assert np.allclose(fallback.sum(axis=1), 1, atol=1e-4)
    assert np.allclose(with_vectors.sum(axis=1), 1, atol=1e-4)
    assert np.array_equal(english, sentiment.predict_proba(FRENCH, ["en"] * len(FRENCH)))
    [found] = sentiment.classify([PROBES[1][0]], ["fr"])
    assert found.label == "negative"


@needs_vectors
def test_french_vectors_refuse_a_table_whose_files_were_altered(tmp_path, caplog):
    path = vectors._data_dir(vectors.PACKAGE)
    assert path is not None
    assert vectors.load_table(path) is not None
    shutil.copytree(path / "vocab", tmp_path / "vocab")
    with (tmp_path / "vocab" / "vectors").open("r+b") as f:
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 1]))
    assert vectors.load_table(tmp_path) is None
    assert "does not match its pinned hashes" in caplog.text
    assert vectors.load_table(None) is None
    assert "is not installed" in caplog.text


def test_french_vectors_in_a_batch_read_the_featurisation_words_as_the_training_path():
    """The stage's path (words as the featurisation cut them, rows kept per vocabulary word)
    gives exactly what the training path (`rows_of` on each normalised text) gives, for the
    French rows of a mixed batch."""
    assert vectors.model() is not None
    batch = [*FRENCH, "Great service, thanks!", "", "l'équipe #génial aujourd'hui", "???"] * 3
    rows = [i for i in range(len(batch)) if i % 3 != 1]
    stage = vectors.proba_of_rows(batch, rows, sentiment.LABELS)
    plain = vectors.proba_of_normalized([normalize(batch[i]) for i in rows], sentiment.LABELS)
    assert stage is not None and plain is not None
    assert np.array_equal(stage, plain)


def test_french_vectors_follow_the_featurisation_when_its_vocabulary_starts_afresh(monkeypatch):
    from pouls.enrich import features

    assert vectors.model() is not None
    monkeypatch.setattr(features._Vocabulary, "LIMIT", 40)
    seen = set()
    for batch in (FRENCH, [t + " encore une fois" for t in FRENCH], [t + " !" for t in FRENCH]):
        rows = list(range(len(batch)))
        stage = vectors.proba_of_rows(list(batch), rows, sentiment.LABELS)
        plain = vectors.proba_of_normalized([normalize(t) for t in batch], sentiment.LABELS)
        assert stage is not None and np.array_equal(stage, plain)
        seen.add(id(features.shared_words(list(batch))[0]))
    assert len(seen) > 1, "the vocabulary never started afresh"
