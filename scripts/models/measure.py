"""`python -m scripts.models.measure`: score distributions of the toxicity, sentiment and scam
models on the val splits and on the demo stream's ordinary and toxic messages.

Prints, per toxicity attribute and language, score quantiles on (a) each val label, (b) about
300 ordinary brand/customer messages of the demo (records with neither `demo_toxic` nor
`demo_scam`) with the false-positive rate at 0.5, and (c) the demo's toxic posts with the
recall at 0.5. Also the sentiment score (probability of the predicted label) and the scam score
on (b). `ordinary_fpr()` is what the training run writes into the model cards.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

import numpy as np

from pouls import demo
from pouls.enrich import scam, sentiment, toxicity

QUANTILES = (0.1, 0.5, 0.9, 0.99)


def demo_messages() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(text, lang) of ~300 ordinary demo messages (150 fr, 150 en) and of the toxic posts."""
    records = list(demo.generate(end=datetime(2026, 11, 1, tzinfo=UTC), weeks=1))
    ordinary: dict[str, list[tuple[str, str]]] = {"fr": [], "en": []}
    seen: set[str] = set()
    toxic: list[tuple[str, str]] = []
    for r in records:
        text, lang = r.get("text") or "", r.get("demo_lang", "fr")
        if not text:
            continue
        if r.get("demo_toxic"):
            toxic.append((text, lang))
        elif "demo_toxic" not in r and "demo_scam" not in r and text not in seen:
            seen.add(text)
            ordinary.setdefault(lang, []).append((text, lang))
    rng = random.Random(7)
    sample = [m for lang in ("fr", "en") for m in rng.sample(ordinary[lang], 150)]
    return sample, toxic


def _q(values: list[float]) -> str:
    if not values:
        return "(none)"
    q = np.quantile(values, QUANTILES)
    return " ".join(f"p{int(100 * k)}={v:.2f}" for k, v in zip(QUANTILES, q, strict=True))


def ordinary_fpr() -> dict[str, float]:
    """Share of ordinary demo messages at or above 0.5, per `attribute/lang` and for scam."""
    sample, _ = demo_messages()
    out: dict[str, float] = {}
    for lang in ("fr", "en"):
        texts = [t for t, code in sample if code == lang]
        found = toxicity.score(texts, [lang] * len(texts))
        for attribute in (*toxicity.MODEL_ATTRIBUTES[lang], "threat"):
            out[f"{attribute}/{lang}"] = float(np.mean([s[attribute] >= 0.5 for s in found]))
        out[f"any/{lang}"] = float(np.mean([max(s.values()) >= 0.5 for s in found]))
    out["scam"] = float(np.mean([s >= 0.5 for s in scam.score([t for t, _ in sample])]))
    return out


def brand_messages(fills: int = 5) -> list[tuple[str, str, str]]:
    """(text, lang, intended label) of the demo's brand posts and reviews, each template filled
    `fills` times by the demo's own code: the posts by the mood they were written for, the
    reviews by their stars (4-5 positive, 3 neutral, 1-2 negative).

    Not a data set: some fifty hand-written templates. But they are messages about a brand and
    its products, which the UMSAB tweets (mostly politics) are not, so they catch a model that
    wins on val and misreads customers.
    """
    from pouls.demo.templates import POSTS, REVIEWS
    from pouls.demo.world import World

    world = World(random.Random(11))
    moods = {"pos": "positive", "neu": "neutral", "neg": "negative"}
    out: list[tuple[str, str, str]] = []
    for lang in ("fr", "en"):
        for mood, templates in POSTS[lang].items():
            for template in templates:
                for _ in range(fills):
                    out.append((world.fill(template, lang, "instagram"), lang, moods[mood]))
        for stars, templates in REVIEWS[lang].items():
            label = "positive" if stars >= 4 else "negative" if stars <= 2 else "neutral"
            for template in templates:
                for _ in range(fills):
                    out.append((world.fill(template, lang, "reviews"), lang, label))
    return out


def brand_sentiment() -> dict[str, dict[str, float]]:
    """Per language: macro-F1 of the shipped sentiment on `brand_messages`, and the share of
    the negative ones read as negative (a complaint read as praise hides a crisis)."""
    from scripts.models.train import macro_f1

    messages = brand_messages()
    out: dict[str, dict[str, float]] = {}
    for lang in ("fr", "en"):
        texts = [t for t, code, _ in messages if code == lang]
        truth = [y for _, code, y in messages if code == lang]
        found = [s.label for s in sentiment.classify(texts, [lang] * len(texts))]
        negatives = [f for f, y in zip(found, truth, strict=True) if y == "negative"]
        out[lang] = {
            "macro_f1": macro_f1(truth, found),
            "negative_recall": negatives.count("negative") / len(negatives),
            "n": len(texts),
        }
    return out


def main() -> None:
    from scripts.models.toxicity import _split

    print("== (a) val splits: toxicity score per true label")
    for lang, attributes in toxicity.MODEL_ATTRIBUTES.items():
        for attribute in attributes:
            texts, labels = _split(lang, attribute, "val")
            found = toxicity.score(texts, [lang] * len(texts))
            for y in ("0", "1"):
                vals = [s[attribute] for s, t in zip(found, labels, strict=True) if t == y]
                rate = np.mean([v >= 0.5 for v in vals])
                print(f"{attribute:9} {lang} y={y} n={len(vals):4} >=0.5: {rate:.2f}  {_q(vals)}")
    sample, toxic = demo_messages()
    print(f"\n== (b) {len(sample)} ordinary demo messages / (c) {len(toxic)} toxic demo posts")
    for lang in ("fr", "en"):
        texts = [t for t, code in sample if code == lang]
        bad = [t for t, code in toxic if code == lang]
        found = toxicity.score(texts, [lang] * len(texts))
        found_bad = toxicity.score(bad, [lang] * len(bad))
        for attribute in (*toxicity.MODEL_ATTRIBUTES[lang], "threat", "any"):

            def get(s: dict[str, float], a: str = attribute) -> float:
                return max(s.values()) if a == "any" else s[a]

            vals = [get(s) for s in found]
            bad_vals = [get(s) for s in found_bad]
            fpr = np.mean([v >= 0.5 for v in vals])
            recall = np.mean([v >= 0.5 for v in bad_vals]) if bad_vals else float("nan")
            print(
                f"{attribute:9} {lang} FPR@0.5={fpr:.3f} ({_q(vals)})  "
                f"recall@0.5={recall:.2f} n={len(bad_vals)} ({_q(bad_vals)})"
            )
        worst = sorted(zip(found, texts, strict=True), key=lambda p: -max(p[0].values()))[:3]
        for s, t in worst:
            print(f"   top {lang}: {max(s.values()):.2f} {t[:80]!r}")
    texts = [t for t, _ in sample]
    langs = [code for _, code in sample]
    proba = sentiment.predict_proba(texts, langs)
    best = proba.max(1)
    labels = np.array(sentiment.LABELS)[proba.argmax(1)]
    print(f"\nsentiment on (b): score {_q(list(best))}")
    print("  labels:", {k: int((labels == k).sum()) for k in sentiment.LABELS})
    s = scam.score(texts)
    print(f"scam on (b): FPR@0.5={np.mean([v >= 0.5 for v in s]):.3f} {_q(s)}")
    print(f"scam on (c): {_q(scam.score([t for t, _ in toxic]))}")


if __name__ == "__main__":
    main()
