"""Train the toxicity attribute models on TweetEval (en) and MLMA (fr) train splits.

Labels per attribute (see docs/models/toxicity.md):
- toxic: en TweetEval offensive label; fr MLMA `toxic` (hostility type other than "normal").
- hate: en TweetEval hate label; fr MLMA hostility types include "hateful".
- offensive: en TweetEval offensive label; fr MLMA types include "offensive" or "abusive".
- insult: fr only, MLMA rows whose types include "offensive", "abusive" or "disrespectful" and
  whose target group is "individual" (a hostile message aimed at one person).
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.linear_model import LogisticRegression

from pouls.enrich import toxicity
from pouls.enrich.features import MODELS_DIR, Featurizer
from scripts.models import brand_train, data
from scripts.models.train import fit, fit_nb, macro_f1

FEATURIZER = Featurizer(lexicon=True)
C = {"en": 3.0, "fr": 1.0}
C_OVERRIDE = {("hate", "fr"): 0.3}  # the rarest French label (11%) wants more regularisation
_HOSTILE = {"offensive", "abusive", "disrespectful"}
# MLMA's French tweets were collected with hostile keywords and are 78% toxic: with them alone
# every ordinary French message scored about 0.5. Neutral and positive UMSAB French tweets
# (DEFT 2017) are added as non-toxic examples, train split to fit, val split to calibrate.
ORDINARY_LANGS = ("fr", "en")
ORDINARY_LABELS = ("neutral", "positive")
MAX_ORDINARY_FPR = 0.02
# In-domain customer messages (scripts/models/brand_train.py): the ordinary ones are more
# non-toxic examples, the insulting ones toxic, offensive and (fr) insult examples; none is
# hateful. They teach that "un café noir" or a firm complaint is not abuse.
BRAND_FILLS = 12
INSULT_ATTRIBUTES = ("toxic", "offensive", "insult")


def mlma_label(row: dict[str, str], attribute: str) -> str:
    """The 0/1 label of one MLMA row for one attribute (the derivation the card documents)."""
    types = set(row["sentiment"].split("_"))
    if attribute == "toxic":
        return row["toxic"]
    if attribute == "hate":
        return str(int("hateful" in types))
    if attribute == "offensive":
        return str(int(bool(types & {"offensive", "abusive"})))
    return str(int(bool(types & _HOSTILE) and row["group"] == "individual"))


def _english(attribute: str, split: str) -> tuple[list[str], list[str]]:
    task = {"toxic": "offensive", "hate": "hate", "offensive": "offensive"}.get(attribute)
    if task is None:
        return [], []
    texts, labels = data.tweeteval(task, split)
    return texts, [str(y) for y in labels]


def _french(attribute: str, split: str) -> tuple[list[str], list[str]]:
    rows = data.mlma_fr(split)
    return [r["tweet"] for r in rows], [mlma_label(r, attribute) for r in rows]


def _split(lang: str, attribute: str, split: str) -> tuple[list[str], list[str]]:
    return (_french if lang == "fr" else _english)(attribute, split)


def ordinary(lang: str, split: str) -> list[str]:
    """Neutral and positive UMSAB tweets of `lang`: non-toxic examples ([] outside ORDINARY_LANGS)."""
    if lang not in ORDINARY_LANGS:
        return []
    texts, labels = data.umsab(lang, split)
    return [t for t, y in zip(texts, labels, strict=True) if y in ORDINARY_LABELS]


def brand(lang: str, attribute: str) -> tuple[list[str], list[str]]:
    """The generated customer messages of `lang` with their 0/1 label for `attribute`."""
    found = [m for m in brand_train.generate(BRAND_FILLS) if m.lang == lang]
    hostile = attribute in INSULT_ATTRIBUTES
    return [m.text for m in found], [str(int(hostile and m.toxic == 1)) for m in found]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def calibrate(raw: np.ndarray, truth: np.ndarray, labelled: int) -> dict[str, float]:
    """Platt scaling of raw probabilities on val, then the decision threshold moved to 0.5.

    `raw`/`truth` are the val rows (the labelled val split first, `labelled` rows, then the
    ordinary val tweets as negatives). A 1-D logistic regression on the raw logit gives the
    calibrated p = sigmoid(a * logit(raw) + b); the threshold t that maximises macro-F1 on the
    labelled val rows, among those that flag at most MAX_ORDINARY_FPR of the ordinary val
    tweets, is then mapped to 0.5 by b -= logit(t), so every consumer can keep 0.5.
    """
    z = _logit(raw)
    platt = LogisticRegression(C=1e4, solver="lbfgs").fit(z[:, None], truth)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    p = 1 / (1 + np.exp(-(a * z + b)))
    y = truth[:labelled].astype(int).astype(str)
    candidates = np.unique(np.round(np.quantile(p[:labelled], np.linspace(0.02, 0.98, 97)), 4))
    candidates = candidates[(candidates >= 0.05) & (candidates <= 0.95)]
    # Honest for the use: at most MAX_ORDINARY_FPR of the ordinary val tweets may be flagged.
    ordinary_p = p[labelled:]
    if len(ordinary_p):
        allowed = [t for t in candidates if np.mean(ordinary_p >= t) <= MAX_ORDINARY_FPR]
        candidates = np.array(allowed or [candidates.max()])
    best_f1, best_t = -1.0, 0.5
    for t in candidates:
        f1 = macro_f1(list(y), [str(int(v >= t)) for v in p[:labelled]])
        if f1 > best_f1 + 1e-9:
            best_f1, best_t = f1, float(t)
    shift = float(np.log(best_t / (1 - best_t)))
    return {"a": a, "b": b - shift, "platt_b": b, "val_threshold": best_t}


def train() -> dict[str, object]:
    """Fit, save and score each attribute; returns the figures the model card shows."""
    for lang, attributes in toxicity.MODEL_ATTRIBUTES.items():
        for attribute in attributes:
            texts, labels = _split(lang, attribute, "train")
            extra = ordinary(lang, "train")
            texts, labels = texts + extra, labels + ["0"] * len(extra)
            more_texts, more_labels = brand(lang, attribute)
            texts, labels = texts + more_texts, labels + more_labels
            c = C_OVERRIDE.get((attribute, lang), C[lang])
            # NBSVM won on English val (+0.7 hate, +1.1 offensive), lost on French: see the card.
            fitter = fit_nb if lang == "en" else fit
            model = fitter(FEATURIZER, texts, labels, c, balanced=True)
            val_texts, val_labels = _split(lang, attribute, "val")
            extra = ordinary(lang, "val")
            raw = model.predict_proba(val_texts + extra)[:, model.classes.index("1")]
            truth = np.array([y == "1" for y in val_labels] + [False] * len(extra))
            model.meta = {
                "c": c,
                "threshold": 0.5,
                "ordinary_negatives": len(ordinary(lang, "train")),
                "brand_train": len(more_texts),
                "calibration": "platt+threshold",
                **calibrate(raw, truth, len(val_labels)),
            }
            model.save(MODELS_DIR / f"toxicity-{attribute}-{lang}.npz")
    toxicity._model.cache_clear()
    return evaluate()


def evaluate() -> dict[str, object]:
    """Score the shipped models on the val splits."""
    scores: dict[str, dict[str, dict[str, float]]] = {}
    for lang, attributes in toxicity.MODEL_ATTRIBUTES.items():
        for attribute in attributes:
            texts, labels = _split(lang, attribute, "val")
            found = toxicity.score(texts, [lang] * len(texts))
            predicted = [str(int(s[attribute] >= 0.5)) for s in found]
            scores.setdefault(attribute, {})[lang] = {
                "macro_f1": macro_f1(labels, predicted),
                "positive_rate": labels.count("1") / len(labels),
                "n_val": len(labels),
            }
    texts = _english("hate", "val")[0] + _french("hate", "val")[0]
    langs = ["en"] * 1000 + ["fr"] * (len(texts) - 1000)
    start = time.perf_counter()
    toxicity.score(texts, langs)
    speed = len(texts) / (time.perf_counter() - start)
    from scripts.models.measure import ordinary_fpr

    calibration = {
        f"{a}/{lang}": toxicity._model(a, lang).meta
        for lang, attributes in toxicity.MODEL_ATTRIBUTES.items()
        for a in attributes
    }
    return {
        "scores": scores,
        "speed": speed,
        "calibration": calibration,
        "ordinary_fpr": ordinary_fpr(),
    }


if __name__ == "__main__":
    print(train())
