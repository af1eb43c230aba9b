"""Train the sentiment models on UMSAB train splits; score them on the val splits."""

from __future__ import annotations

import time

import numpy as np

from pouls.enrich import sentiment
from pouls.enrich.features import MODELS_DIR, Featurizer
from scripts.models import brand_train, data
from scripts.models.train import fit_nb, macro_f1

FEATURIZER = Featurizer(lexicon=True)
C_MULTI = 3.0
C_LANG = 3.0
# In-domain messages (scripts/models/brand_train.py): each fill of a template at most
# BRAND_FILLS times, seen BRAND_REPEAT times by its language's model and once by the
# multilingual one. Chosen on the brand set and UMSAB val together (see the card).
BRAND_FILLS = 12
BRAND_REPEAT = 2


def train() -> dict[str, object]:
    """Fit, save and score; returns the figures the model card shows."""
    train_sets = {lang: data.umsab(lang, "train") for lang in data.UMSAB_LANGS}
    brand = brand_train.generate(BRAND_FILLS)
    extra = {
        lang: (
            [m.text for m in brand if m.lang == lang],
            [m.sentiment for m in brand if m.lang == lang],
        )
        for lang in ("fr", "en")
    }
    all_texts = [t for texts, _ in train_sets.values() for t in texts]
    all_labels = [y for _, labels in train_sets.values() for y in labels]
    for texts, labels in extra.values():
        all_texts, all_labels = all_texts + texts, all_labels + labels
    meta = {
        "data": f"UMSAB train splits, 8 languages, and {len(brand)} brand_train messages (fr, en)",
        "c": C_MULTI,
    }
    fit_nb(FEATURIZER, all_texts, all_labels, C_MULTI, meta=meta).save(MODELS_DIR / "sentiment.npz")
    for lang, (texts, labels) in train_sets.items():
        more_texts, more_labels = extra.get(lang, ([], []))
        texts = texts + more_texts * BRAND_REPEAT
        labels = labels + more_labels * BRAND_REPEAT
        meta = {
            "data": f"UMSAB {lang} train split"
            + (f" and {len(more_texts)} brand_train messages, twice" if more_texts else ""),
            "c": C_LANG,
        }
        model = fit_nb(FEATURIZER, texts, labels, C_LANG, meta=meta)
        model.save(MODELS_DIR / f"sentiment-{lang}.npz")
    sentiment._model.cache_clear()
    return evaluate()


def evaluate() -> dict[str, object]:
    """Score the shipped models on the val splits, each alone and as the shipped ensemble."""
    val_sets = {lang: data.umsab(lang, "val") for lang in data.UMSAB_LANGS}
    scores: dict[str, dict[str, float]] = {}
    for lang, (texts, labels) in val_sets.items():
        multi = sentiment._model(None)
        own = sentiment._model(lang)
        assert multi is not None and own is not None
        p_multi = sentiment._aligned(multi, multi.predict_proba(texts))
        p_own = sentiment._aligned(own, own.predict_proba(texts))
        p_ens = sentiment.predict_proba(texts, [lang] * len(texts))
        labels_of = np.array(sentiment.LABELS)
        scores[lang] = {
            "multilingual": macro_f1(labels, labels_of[p_multi.argmax(1)]),
            "per_language": macro_f1(labels, labels_of[p_own.argmax(1)]),
            "ensemble": macro_f1(labels, labels_of[p_ens.argmax(1)]),
        }
    texts = [t for texts, _ in val_sets.values() for t in texts] * 3
    langs = [lang for lang, (texts_, _) in val_sets.items() for _ in texts_] * 3
    start = time.perf_counter()
    sentiment.predict_proba(texts, langs)
    speed = len(texts) / (time.perf_counter() - start)
    from scripts.models.measure import brand_sentiment

    return {
        "scores": scores,
        "speed": speed,
        "n_val": len(val_sets["fr"][0]),
        "brand": brand_sentiment(),
    }


if __name__ == "__main__":
    print(train())
