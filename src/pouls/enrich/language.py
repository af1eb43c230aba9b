"""Language: ISO 639-1 code of each signal's text, or "unknown" when the detector is unsure.

lingua (Rust, models inside its wheel, nothing downloaded) restricted to the languages pouls
cares about, plus a small model of our own for Hindi written in Latin letters, which lingua
does not know. See docs/models/language.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import msgspec
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from pouls.enrich.features import MODELS_DIR, Featurizer, LinearModel, text_of
from pouls.signals import Signal

LANGUAGES = ("fr", "en", "es", "de", "it", "pt", "ar", "nl", "hi")
UNKNOWN = "unknown"
MIN_CONFIDENCE = 0.3
HINDI_FEATURIZER = Featurizer(
    n_features=2**18, word_ngrams=(1, 1), char_ngrams=(1, 4), negation=False
)
HINDI_MIN = 0.6
_NOISE = re.compile(r"https?://\S+|\bhttp\b|[@#]\w+|\d+", re.UNICODE)


@functools.cache
def _detector(low_accuracy: bool = False) -> LanguageDetector:
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LANGUAGES]
    builder = LanguageDetectorBuilder.from_languages(*languages)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.build()


@functools.cache
def _hindi() -> LinearModel:
    return LinearModel.load(MODELS_DIR / "language-hi-latn.npz")


def _latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return sum(c < "\u0250" for c in letters) > 0.8 * len(letters)


def detect(texts: Sequence[str], low_accuracy: bool = False) -> list[tuple[str, float]]:
    """(code, confidence) for each text; `unknown` with 0 where there is too little to tell."""
    cleaned = [_NOISE.sub(" ", t).strip() for t in texts]
    todo = [i for i, t in enumerate(cleaned) if sum(c.isalpha() for c in t) >= 3]
    out: list[tuple[str, float]] = [(UNKNOWN, 0.0)] * len(texts)
    if not todo:
        return out
    detector = _detector(low_accuracy)
    values = detector.compute_language_confidence_values_in_parallel([cleaned[i] for i in todo])
    for i, confidences in zip(todo, values, strict=True):
        if confidences and confidences[0].value >= MIN_CONFIDENCE:
            best = confidences[0]
            out[i] = (best.language.iso_code_639_1.name.lower(), round(best.value, 4))
    # Romanised Hindi mostly reads to lingua as English or as nothing sure: the fast mode
    # checks only those, the accurate mode every Latin-script text.
    doubtful = [
        i
        for i in todo
        if (not low_accuracy or out[i][0] in ("en", UNKNOWN) or out[i][1] < 0.6)
        and _latin(cleaned[i])
    ]
    if doubtful:
        hindi = _hindi()
        column = hindi.predict_proba([texts[i] for i in doubtful])[:, hindi.classes.index("hi")]
        for i, p in zip(doubtful, column, strict=True):
            if p >= HINDI_MIN:
                out[i] = ("hi", round(float(p), 4))
    return out


class LanguageEnricher:
    """Sets `lang` where a source did not; keeps what the source declared."""

    name = "language"

    def __init__(self, overwrite: bool = False, low_accuracy: bool = False) -> None:
        self.overwrite = overwrite
        self.low_accuracy = low_accuracy

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        rows = [i for i, s in enumerate(batch) if self.overwrite or not s.lang]
        if not rows:
            return batch
        found = detect([text_of(batch[i]) for i in rows], self.low_accuracy)
        out = list(batch)
        for i, (code, _) in zip(rows, found, strict=True):
            out[i] = msgspec.structs.replace(batch[i], lang=code)
        return out
