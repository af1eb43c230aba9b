"""Train the romanised-Hindi model; measure language detection on the eight UMSAB val files.

lingua knows Hindi only in Devanagari, while social media Hindi is mostly written in Latin
letters (UMSAB's Hindi is): a small hi-vs-rest model trained on UMSAB train texts fills that gap.
"""

from __future__ import annotations

import time

from pouls.enrich import language
from pouls.enrich.features import MODELS_DIR
from scripts.models import data
from scripts.models.train import fit

C = 10.0


def train() -> dict[str, object]:
    """Fit the romanised-Hindi model on every UMSAB train text (hi against the rest)."""
    texts: list[str] = []
    labels: list[str] = []
    for lang in data.UMSAB_LANGS:
        train_texts, _ = data.umsab(lang, "train")
        texts += train_texts
        labels += ["hi" if lang == "hi" else "other"] * len(train_texts)
    meta = {"data": "UMSAB train texts of 8 languages, hi against the rest", "c": C}
    fit(language.HINDI_FEATURIZER, texts, labels, C, meta=meta).save(
        MODELS_DIR / "language-hi-latn.npz"
    )
    language._hindi.cache_clear()
    return evaluate()


def evaluate() -> dict[str, object]:
    """Accuracy per language in both lingua modes, and speed."""
    scores: dict[str, dict[str, float]] = {"high": {}, "low": {}}
    speed: dict[str, float] = {}
    for mode, low in (("high", False), ("low", True)):
        start = time.perf_counter()
        total = 0
        for lang in data.UMSAB_LANGS:
            texts, _ = data.umsab(lang, "val")
            found = language.detect(texts, low_accuracy=low)
            scores[mode][lang] = sum(code == lang for code, _ in found) / len(texts)
            total += len(texts)
        speed[mode] = total / (time.perf_counter() - start)
    return {"scores": scores, "speed": speed}


if __name__ == "__main__":
    print(evaluate())
