"""Readers for the training data under ../shared/datasets (train and val splits only)."""

from __future__ import annotations

import csv
from pathlib import Path

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"

UMSAB_LANGS = {
    "ar": "arabic",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "hi": "hindi",
    "it": "italian",
    "pt": "portuguese",
}
SENTIMENT_LABELS = ("negative", "neutral", "positive")  # 0, 1, 2 in UMSAB (see its SOURCE.md)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def umsab(lang: str, split: str) -> tuple[list[str], list[str]]:
    """UMSAB sentiment texts and labels (negative/neutral/positive) for one language."""
    folder = DATASETS / "xlmt_umsab_sentiment" / UMSAB_LANGS[lang]
    texts = _lines(folder / f"{split}_text.txt")
    labels = [SENTIMENT_LABELS[int(x)] for x in _lines(folder / f"{split}_labels.txt") if x != ""]
    return texts[: len(labels)], labels


def tweeteval(task: str, split: str) -> tuple[list[str], list[int]]:
    """TweetEval texts and 0/1 labels for `hate` or `offensive`."""
    folder = DATASETS / "tweeteval" / task
    labels = [int(x) for x in _lines(folder / f"{split}_labels.txt") if x.strip() != ""]
    texts = _lines(folder / f"{split}_text.txt")
    return texts[: len(labels)], labels


def mlma_fr(split: str) -> list[dict[str, str]]:
    """MLMA French hate speech rows (tweet, sentiment = hostility types joined by '_', ...)."""
    with (DATASETS / "mlma_hate_fr" / f"{split}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def sms_spam(split: str) -> tuple[list[str], list[str]]:
    """SMS Spam Collection texts and ham/spam labels."""
    texts, labels = [], []
    for line in _lines(DATASETS / "sms_spam_uci" / f"{split}.tsv"):
        if not line:
            continue
        label, _, text = line.partition("\t")
        texts.append(text)
        labels.append(label)
    return texts, labels
