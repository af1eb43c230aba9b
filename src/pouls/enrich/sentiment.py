"""Sentiment: negative, neutral or positive, with the model's confidence.

An ensemble per batch: a multilingual linear model averaged with the signal's language model
where one ships (ar, de, en, es, fr, hi, it, pt). See docs/models/sentiment.md.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import msgspec
import numpy as np

from pouls.enrich.features import MODELS_DIR, shared_counts, texts_of
from pouls.enrich.linear import LinearModel, proba_of_rows
from pouls.signals import Signal
from pouls.signals.model import Sentiment

LANGUAGES = ("ar", "de", "en", "es", "fr", "hi", "it", "pt")
LABELS = ("negative", "neutral", "positive")


@functools.cache
def _model(lang: str | None) -> LinearModel | None:
    name = "sentiment.npz" if lang is None else f"sentiment-{lang}.npz"
    path = MODELS_DIR / name
    return LinearModel.load(path) if path.exists() else None


def _aligned(model: LinearModel, proba: np.ndarray) -> np.ndarray:
    order = [model.classes.index(label) for label in LABELS]
    return proba[:, order]


def predict_proba(texts: Sequence[str], langs: Sequence[str | None]) -> np.ndarray:
    """Probabilities (negative, neutral, positive) for each text; `langs` picks the models."""
    multi = _model(None)
    assert multi is not None, "sentiment.npz is missing from the package"
    counts = shared_counts(multi.featurizer, list(texts))
    proba = _aligned(multi, proba_of_rows(multi, counts))
    by_lang: dict[str, list[int]] = {}
    for i, lang in enumerate(langs):
        if lang in LANGUAGES:
            by_lang.setdefault(lang, []).append(i)
    for lang, rows in by_lang.items():
        model = _model(lang)
        if model is None or model.featurizer != multi.featurizer:
            continue
        own = _aligned(model, proba_of_rows(model, counts, rows))
        proba[rows] = (proba[rows] + own) / 2
    return proba


def classify(texts: Sequence[str], langs: Sequence[str | None]) -> list[Sentiment]:
    """One `Sentiment` per text."""
    proba = predict_proba(texts, langs)
    best = proba.argmax(axis=1)
    scores = proba[np.arange(len(best)), best].tolist()
    return [
        Sentiment(label=LABELS[k], score=round(p, 4))  # type: ignore[arg-type]
        for k, p in zip(best.tolist(), scores, strict=True)
    ]


class SentimentEnricher:
    """Sets `sentiment` on every signal that has text."""

    name = "sentiment"

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        rows, texts = texts_of(batch)
        if not rows:
            return batch
        found = classify(texts, [batch[i].lang for i in rows])
        out = list(batch)
        for i, sentiment in zip(rows, found, strict=True):
            out[i] = msgspec.structs.replace(batch[i], sentiment=sentiment)
        return out
