"""Train the language models; measure language detection on the eight UMSAB val files.

lingua knows Hindi only in Devanagari, while social media Hindi is mostly written in Latin
letters (UMSAB's Hindi is): a small hi-vs-rest model trained on UMSAB train texts fills that gap.
The enrich stage first asks a fast linear model over the features the other models read
(`language.npz`, eight languages) and lingua only where that model is unsure.
"""

from __future__ import annotations

import random
import time

from pouls.enrich import language
from pouls.enrich.features import MODELS_DIR
from scripts.models import data, sentiment
from scripts.models.train import SEED, fit

C = 10.0
C_FAST = 10.0
EXTRA_EN = 3000
# The fast model's answer stands at or above these probabilities, chosen on UMSAB val and on
# hand-written Dutch (which it never saw and must leave to lingua): lower for French and
# English, which it learned from some three times more text.
FAST_MIN_META = {"fr": 0.6, "en": 0.6, "*": 0.9}


def train() -> dict[str, object]:
    """Fit the fast model and the romanised-Hindi model, then evaluate."""
    train_fast()
    train_hindi()
    return evaluate()


def train_fast() -> None:
    """Fit the eight-language model on UMSAB train texts plus more French and English.

    The extra French (MLMA train) and English (TweetEval offensive train, the first
    `EXTRA_EN`) tweets teach it the two languages most signals are in; classes are weighted
    to balance. Half the texts are seen twice, once with the noise every language shares on
    social media ("RT @user:", a trailing link, a number) added, so that such noise stops
    reading as one language (UMSAB's German has many retweets).
    """
    texts: list[str] = []
    labels: list[str] = []
    for lang in data.UMSAB_LANGS:
        train_texts, _ = data.umsab(lang, "train")
        texts += train_texts
        labels += [lang] * len(train_texts)
    french = [row["tweet"] for row in data.mlma_fr("train")]
    english = data.tweeteval("offensive", "train")[0][:EXTRA_EN]
    texts += french + english
    labels += ["fr"] * len(french) + ["en"] * len(english)
    texts, labels = texts + _noisy(texts, random.Random(SEED)), labels + labels
    meta = {
        "data": "UMSAB train texts of 8 languages, MLMA fr train, TweetEval offensive en train",
        "c": C_FAST,
        "min": FAST_MIN_META,
    }
    model = fit(sentiment.FEATURIZER, texts, labels, C_FAST, balanced=True, meta=meta)
    model.save(MODELS_DIR / "language.npz")
    language._fast.cache_clear()
    language.fast_minimums.cache_clear()


def _noisy(texts: list[str], rng: random.Random) -> list[str]:
    """Copies of `texts` with shared social-media noise added at random (fixed seed)."""
    out = []
    for text in texts:
        if rng.random() < 0.25:
            text = rng.choice(("RT @user: ", "@user ", "@user @user ", "")) + text
        if rng.random() < 0.2:
            text += " http"
        if rng.random() < 0.15:
            text += f" {rng.randint(0, 999)}"
        out.append(text)
    return out


def train_hindi() -> None:
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


def evaluate() -> dict[str, object]:
    """Accuracy per language with lingua in both modes and in the stage's mode, and speed."""
    scores: dict[str, dict[str, float]] = {"high": {}, "low": {}, "stage": {}}
    speed: dict[str, float] = {}
    for mode, low, fast in (("high", False, False), ("low", True, False), ("stage", True, True)):
        language.detect(data.umsab("fr", "train")[0][:200], low_accuracy=low, fast=fast)  # load
        start = time.process_time()
        total = 0
        for lang in data.UMSAB_LANGS:
            texts, _ = data.umsab(lang, "val")
            found = language.detect(texts, low_accuracy=low, fast=fast)
            scores[mode][lang] = sum(code == lang for code, _ in found) / len(texts)
            total += len(texts)
        speed[mode] = total / (time.process_time() - start)
    return {"scores": scores, "speed": speed}


if __name__ == "__main__":
    print(evaluate())
