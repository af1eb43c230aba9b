"""Toxicity: per-attribute scores in [0, 1] (toxic, hate, offensive, insult, threat).

One binary linear model per attribute and language (French for `lang == "fr"`, English for
everything else), all sharing one featurisation per batch; `threat` is a small hand-written
pattern list (no training data has it). See docs/models/toxicity.md for the labels.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import msgspec
import numpy as np

from pouls.enrich.features import MODELS_DIR, shared_counts, texts_of
from pouls.enrich.linear import LinearModel, proba_of_rows
from pouls.signals import Signal

MODEL_ATTRIBUTES = {
    "en": ("toxic", "hate", "offensive"),
    "fr": ("toxic", "hate", "offensive", "insult"),
}
ATTRIBUTES = ("toxic", "hate", "offensive", "insult", "threat")

_THREAT = re.compile(
    r"\b(?:"
    r"(?:je|on|j')\s?(?:vais|va|veux)\s+(?:te|vous|t'|l'|les|le|la)\s?"
    r"(?:tuer|buter|crever|égorger|egorger|frapper|défoncer|defoncer|retrouver|brûler|bruler)"
    r"|(?:t'es|tu es|vous êtes|vous etes)\s+(?:un\s+)?(?:homme\s+)?mort"
    r"|(?:i(?:'ll| will| am going to|'m going to|'m gonna| wanna| want to)|we(?:'ll| will))\s+"
    r"(?:kill|shoot|stab|hurt|burn|find|beat|murder)\s+(?:you|u|him|her|them|your)"
    r"|(?:you(?:'re| are)|ur)\s+(?:a\s+)?dead\s*(?:man|meat)?\b"
    r"|(?:kill|shoot|hang|burn)\s+(?:yourself|urself|them all|all of them)"
    r"|(?:tue|crève|creve|pends)[- ]toi"
    r"|(?:il|elle|ils|elles)\s+(?:mérite(?:nt)?|merite(?:nt)?)\s+(?:de\s+)?(?:mourir|crever|la mort)"
    r"|deserves? to die"
    r")",
    re.IGNORECASE,
)


@functools.cache
def _model(attribute: str, lang: str) -> LinearModel:
    return LinearModel.load(MODELS_DIR / f"toxicity-{attribute}-{lang}.npz")


def model_language(lang: str | None) -> str:
    """Which language's models score a text: French for French, English for the rest."""
    return "fr" if lang == "fr" else "en"


def calibrated(model: LinearModel, proba: np.ndarray) -> np.ndarray:
    """The model's probability of "1", recalibrated with the two parameters in its artefact.

    sigmoid(a * logit(p) + b): Platt scaling fitted on val, shifted so that the threshold that
    maximised val macro-F1 lands on 0.5 (see scripts/models/toxicity.py and the model card).
    Artefacts without calibration parameters keep their raw probability.
    """
    if "a" not in model.meta:
        return proba
    p = np.clip(proba.astype(np.float64), 1e-6, 1 - 1e-6)
    z = float(model.meta["a"]) * np.log(p / (1 - p)) + float(model.meta["b"])  # type: ignore[arg-type]
    return 1.0 / (1.0 + np.exp(-z))


def threat(text: str) -> float:
    """0.9 where a threat pattern matches, else 0: rules, not a model (see the model card)."""
    return 0.9 if _THREAT.search(text) else 0.0


# Every `_THREAT` match holds one of these once lower-cased (a verb, "mort", "dead", "toi",
# "mérite", "die"): a plain search of the lower-cased batch, some thirty times cheaper than
# `_THREAT` at every position, picks the few texts worth the full pattern.
_THREAT_HINT = re.compile(
    "tuer|buter|crever|gorger|frapper|foncer|retrouver|rûler|ruler|mort|kill|shoot|stab|hurt|"
    "burn|find|beat|murder|dead|hang|toi|rite|die"
)
_SEPARATOR = "\n\x00\n"


@functools.cache
def _odd_cases() -> frozenset[str]:
    """Characters that IGNORECASE matches to a hint's letter though `lower()` does not give it
    ("ſ" matches "s"): a text holding one skips the shortcut."""
    letters = sorted(set(_THREAT_HINT.pattern) - {"|"})
    everything = "".join(map(chr, range(0x110000)))
    found = re.findall(f"[{''.join(letters)}]", everything, re.IGNORECASE)
    return frozenset(c for c in found if c.lower() not in letters)


def threats(texts: Sequence[str]) -> list[float]:
    """`threat` of each text, the full pattern run only on texts that hold a hint."""
    joined = _SEPARATOR.join(texts)
    lowered = joined.lower()
    if len(lowered) != len(joined) or any(c in joined for c in _odd_cases()):
        return [threat(t) for t in texts]
    starts = np.cumsum([0] + [len(t) + len(_SEPARATOR) for t in texts[:-1]])
    hinted = [m.start() for m in _THREAT_HINT.finditer(lowered)]
    out = [0.0] * len(texts)
    for i in set((np.searchsorted(starts, hinted, side="right") - 1).tolist()):
        out[i] = threat(texts[i])
    return out


def score(texts: Sequence[str], langs: Sequence[str | None]) -> list[dict[str, float]]:
    """Per-attribute scores for each text; `langs` picks the French or English models."""
    if not texts:
        return []
    texts = list(texts)
    out: list[dict[str, float]] = [{} for _ in texts]
    groups: dict[str, list[int]] = {}
    for i, lang in enumerate(langs):
        groups.setdefault(model_language(lang), []).append(i)
    for lang, rows in groups.items():
        attributes = MODEL_ATTRIBUTES[lang]
        columns = _columns(texts, rows, [_model(a, lang) for a in attributes])
        for i, values in zip(rows, np.round(columns, 4).T.tolist(), strict=True):
            out[i].update(zip(attributes, values, strict=True))
    for i, value in enumerate(threats(texts)):
        out[i]["threat"] = value
    return out


def _columns(texts: list[str], rows: list[int], models: list[LinearModel]) -> np.ndarray:
    """Calibrated probability of "1" of each model (one row each) for texts[rows].

    All read the same features; models with the same weights (English `toxic` and `offensive`
    share their labels) are computed once, and all in the product `proba_of_rows` shares with
    the language and sentiment models.
    """
    counts = shared_counts(models[0].featurizer, texts)
    distinct = list({model.digest: model for model in models}.values())
    assert all(m.featurizer == models[0].featurizer for m in distinct), "toxicity models share"
    done = {}
    for model in distinct:
        proba = proba_of_rows(model, counts, rows)
        done[model.digest] = calibrated(model, proba[:, model.classes.index("1")])
    return np.array([done[m.digest] for m in models]).reshape(len(models), len(rows))


def threshold(attribute: str, lang: str | None = None) -> float:
    """The probability above which `attribute` counts as present (see the model card)."""
    if attribute == "threat":
        return 0.5
    lang = model_language(lang)
    if attribute not in MODEL_ATTRIBUTES[lang]:
        return 0.5
    return float(_model(attribute, lang).meta.get("threshold", 0.5))  # type: ignore[arg-type]


class ToxicityEnricher:
    """Sets `toxicity` (attribute → score) on every signal that has text."""

    name = "toxicity"

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        rows, texts = texts_of(batch)
        if not rows:
            return batch
        found = score(texts, [batch[i].lang for i in rows])
        out = list(batch)
        for i, scores in zip(rows, found, strict=True):
            out[i] = msgspec.structs.replace(batch[i], toxicity=scores)
        return out
