"""Scam and spam: one score in [0, 1] per signal.

A linear model over words, characters and cue markers (links, shorteners, look-alike domains,
phone numbers, money, crypto and giveaway lures, "write me on WhatsApp" redirections), trained
on the SMS Spam Collection plus hand-written French and English social-media messages; a rule
floors the score when several independent lures appear together. See docs/models/spam.md.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import msgspec

from pouls.enrich.features import MODELS_DIR, shared_markers, texts_of
from pouls.enrich.linear import LinearModel, proba_with_markers
from pouls.signals import Signal

_STRONG = frozenset(
    {
        "__short_url__",
        "__lookalike_url__",
        "__phone__",
        "__money__",
        "__crypto__",
        "__giveaway__",
        "__redirect__",
        "__invest__",
        "__account__",
    }
)


@functools.cache
def _model() -> LinearModel:
    return LinearModel.load(MODELS_DIR / "spam.npz")


def _lure_floor(found: tuple[str, ...]) -> float:
    return 0.85 if len(_STRONG.intersection(found)) >= 3 else 0.0


def score(texts: Sequence[str]) -> list[float]:
    """Probability that each text is spam or a scam."""
    if not texts:
        return []
    model = _model()
    proba = proba_with_markers(model, texts)[:, model.classes.index("spam")]
    floors = [_lure_floor(found) for found in shared_markers(list(texts))]
    return [round(max(p, floor), 4) for p, floor in zip(proba.tolist(), floors, strict=True)]


def threshold() -> float:
    """The score above which a text is labelled spam (chosen on val, see the card)."""
    return float(_model().meta.get("threshold", 0.5))  # type: ignore[arg-type]


class ScamEnricher:
    """Sets `scam` on every signal that has text."""

    name = "scam"

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        rows, texts = texts_of(batch)
        if not rows:
            return batch
        found = score(texts)
        out = list(batch)
        for i, value in zip(rows, found, strict=True):
            out[i] = msgspec.structs.replace(batch[i], scam=value)
        return out
