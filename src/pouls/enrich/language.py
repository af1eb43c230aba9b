"""Language: ISO 639-1 code of each signal's text, or "unknown" when the detector is unsure.

lingua (Rust, models inside its wheel, nothing downloaded) restricted to the languages pouls
cares about, plus a small model of our own for Hindi written in Latin letters, which lingua
does not know. The enrich stage first asks a linear model of ours that reads the features the
sentiment and toxicity models read anyway (so it costs one small product) and calls lingua,
about five times slower, only where that model is unsure; that model's probability of Hindi
then stands in for the Hindi model's. A workspace may declare the languages it expects: they
weigh as a prior, which settles short texts that could be several languages ("Bien dormi")
without hiding a text plainly written in another. See docs/models/language.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

import msgspec
import numpy as np
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from pouls.enrich.features import MODELS_DIR, Featurizer, shared_counts, texts_of
from pouls.enrich.linear import LinearModel, proba_of_rows
from pouls.signals import Signal

LANGUAGES = ("fr", "en", "es", "de", "it", "pt", "ar", "nl", "hi")
UNKNOWN = "unknown"
MIN_CONFIDENCE = 0.3
HINDI_FEATURIZER = Featurizer(
    n_features=2**18, word_ngrams=(1, 1), char_ngrams=(1, 4), negation=False
)
HINDI_MIN = 0.6
# The fast model's answer is kept at or above a probability per language, stored in its
# artefact (chosen on UMSAB val, see docs/models/language.md); FAST_MIN where it has none. It
# never saw Dutch (UMSAB has none) and stays under them on Dutch texts, which go to lingua.
FAST_MIN = 0.8
# The lookahead lets the regex engine skip, at little cost, the positions where no branch can
# start (twice as fast on a batch).
_NOISE = re.compile(r"(?=[h@#\d])(?:https?://\S+|\bhttp\b|[@#]\w+|\d+)", re.UNICODE)
_THREE_LETTERS = re.compile(r"[^\W\d_](?:[\W\d_]*[^\W\d_]){2}")
_SEPARATOR = "\n\x00\n"  # between the texts of a batch: _NOISE never reaches across it
# How much more likely a workspace's expected language is, before reading a text, than any
# other: probabilities are multiplied by it and normalised again (Bayes with that prior).
# Chosen on the brand set's short texts and UMSAB val's other languages (docs/models/language.md).
EXPECTED_PRIOR = 8.0


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


@functools.cache
def _fast() -> LinearModel:
    return LinearModel.load(MODELS_DIR / "language.npz")


def _latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return sum(c < "\u0250" for c in letters) > 0.8 * len(letters)


def detect(
    texts: Sequence[str],
    low_accuracy: bool = False,
    fast: bool = False,
    expected: Sequence[str] = (),
) -> list[tuple[str, float]]:
    """(code, confidence) for each text; `unknown` with 0 where there is too little to tell.

    With `fast`, the linear model answers where it is sure enough and lingua reads the rest.
    `expected` (a workspace's `languages`) are favoured by `EXPECTED_PRIOR`.
    """
    texts = list(texts)
    return detect_each(texts, [tuple(expected)] * len(texts), low_accuracy, fast)


def detect_each(
    texts: Sequence[str],
    expected: Sequence[tuple[str, ...]],
    low_accuracy: bool = False,
    fast: bool = False,
) -> list[tuple[str, float]]:
    """`detect` with the expected languages given text by text (a batch of several
    workspaces), so the batch is still featurised once for every model."""
    texts = list(texts)
    cleaned = _clean(texts)
    todo = [i for i, t in enumerate(cleaned) if _THREE_LETTERS.search(t)]
    out: list[tuple[str, float]] = [(UNKNOWN, 0.0)] * len(texts)
    fast_hindi: dict[int, float] = {}
    if fast and todo:
        fast_hindi = _answer_fast(texts, todo, out)
        todo = list(fast_hindi)
    if not todo:
        return out
    detector = _detector(low_accuracy)
    values = detector.compute_language_confidence_values_in_parallel([cleaned[i] for i in todo])
    for i, confidences in zip(todo, values, strict=True):
        found = {c.language.iso_code_639_1.name.lower(): c.value for c in confidences}
        code, value = _favour(found, expected[i])
        if value >= MIN_CONFIDENCE:
            out[i] = (code, round(value, 4))
    # Romanised Hindi mostly reads to lingua as English or as nothing sure: the fast mode
    # checks only those, the accurate mode every Latin-script text.
    doubtful = [
        i
        for i in todo
        if (not low_accuracy or out[i][0] in ("en", UNKNOWN) or out[i][1] < 0.6)
        and _latin(cleaned[i])
    ]
    if doubtful:
        if fast:
            # The fast model's own Hindi probability, computed already: on UMSAB val it finds
            # more romanised Hindi than the Hindi model at the same threshold and as much
            # English (docs/models/language.md), without featurising the texts a second time.
            column = [fast_hindi[i] for i in doubtful]
        else:
            hindi = _hindi()
            texts_hi = [texts[i] for i in doubtful]
            column = hindi.predict_proba(texts_hi)[:, hindi.classes.index("hi")].tolist()
        for i, p in zip(doubtful, column, strict=True):
            if expected[i] and "hi" not in expected[i]:
                p = p / (p + (1 - p) * EXPECTED_PRIOR)
            if p >= HINDI_MIN:
                out[i] = ("hi", round(float(p), 4))
    return out


def _favour(found: dict[str, float], expected: Sequence[str]) -> tuple[str, float]:
    """The most likely language of `found` (code → probability) once `expected` ones are
    weighted by `EXPECTED_PRIOR`, with its probability; ("", 0) for nothing found."""
    if not found:
        return "", 0.0
    if expected:
        found = {c: p * (EXPECTED_PRIOR if c in expected else 1.0) for c, p in found.items()}
    total = sum(found.values()) or 1.0
    code = max(found, key=found.__getitem__)
    return code, found[code] / total


def _clean(texts: list[str]) -> list[str]:
    """Texts without links, mentions, hashtags and digits, cleaned as one string."""
    joined = _SEPARATOR.join(texts)
    if "\x00" in joined.replace(_SEPARATOR, ""):
        return [_NOISE.sub(" ", t).strip() for t in texts]
    return [t.strip() for t in _NOISE.sub(" ", joined).split(_SEPARATOR)]


@functools.cache
def fast_minimums() -> tuple[float, ...]:
    """The probability at which the fast model's answer stands, per class of the model."""
    model = _fast()
    floors = model.meta.get("min", {})
    assert isinstance(floors, dict)
    default = float(floors.get("*", FAST_MIN))
    return tuple(float(floors.get(code, default)) for code in model.classes)


def _answer_fast(
    texts: list[str],
    todo: list[int],
    out: list[tuple[str, float]],
) -> dict[int, float]:
    """Fill `out` where the fast model is sure; the rows of `todo` left for lingua, in order,
    each with the fast model's probability of Hindi.

    Expected languages play no part here: a prior would make the model sure of a language it
    hesitated on (a short French word read as English), where lingua reads better."""
    model = _fast()
    proba = proba_of_rows(model, shared_counts(model.featurizer, texts), todo)
    best = proba.argmax(axis=1)
    sure = proba[np.arange(len(todo)), best]
    hindi = proba[:, model.classes.index("hi")].tolist()
    floors = fast_minimums()
    left: dict[int, float] = {}
    for i, k, p, p_hi in zip(todo, best.tolist(), sure.tolist(), hindi, strict=True):
        if p >= floors[k]:
            out[i] = (model.classes[k], round(p, 4))
        else:
            left[i] = p_hi
    return left


class LanguageEnricher:
    """Sets `lang` where a source did not; keeps what the source declared.

    A reading (a number from a connected object) and a signal with no text get no language:
    a topic path such as "home/kitchen/temperature" is not written in any.
    """

    name = "language"

    def __init__(
        self,
        overwrite: bool = False,
        low_accuracy: bool = False,
        fast: bool = False,
        expected: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.overwrite = overwrite
        self.low_accuracy = low_accuracy
        self.fast = fast
        self.expected = {ws: tuple(codes) for ws, codes in (expected or {}).items()}

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        rows, texts = texts_of(batch)
        # Selected from texts_of's rows, so the other enrichers find the batch featurised.
        wanted = [
            k
            for k, i in enumerate(rows)
            if (self.overwrite or not batch[i].lang) and batch[i].kind != "reading"
        ]
        if not wanted:
            return batch
        if len(wanted) < len(rows):
            rows, texts = [rows[k] for k in wanted], [texts[k] for k in wanted]
        expected = [self.expected.get(batch[i].workspace, ()) for i in rows]
        found = detect_each(texts, expected, self.low_accuracy, self.fast)
        out = list(batch)
        for i, (code, _) in zip(rows, found, strict=True):
            out[i] = msgspec.structs.replace(batch[i], lang=code)
        return out
