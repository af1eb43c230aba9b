"""`python -m scripts.models.brand`: every shipped model on the brand set beside the public
validation splits, written into the model cards.

The brand set (datasets/brand) is hand-written customer messages; the public splits are tweets
about politics and sport. A change to a model is judged on both at once: this script measures
both in one run so that the cards always show them side by side. The figures go into each card
between `<!-- brand-set -->` markers, with a `<!-- brand: {...} -->` line that
tests/enrich/test_brand_set.py reads as its floors.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from pouls.enrich import language, scam, sentiment, toxicity
from scripts.models import data
from scripts.models.cards import DOCS
from scripts.models.train import macro_f1

BRAND = Path(__file__).resolve().parents[2] / "datasets" / "brand"
LANGS = ("fr", "en")
SENTIMENT_TAGS = (
    "negation_idiom",
    "implicit_complaint",
    "sarcasm",
    "safety",
    "slang",
    "regional",
    "question",
    "emoji_only",
    "brand_reply",
    "short",
)
SHORT_WORDS = 4
# The languages a French and English brand workspace declares (the `languages` setting).
EXPECTED = ("fr", "en")
_BLOCK = re.compile(r"\n<!-- brand-set -->.*<!-- /brand-set -->\n", re.DOTALL)


def load(lang: str) -> list[dict[str, Any]]:
    """The brand set's messages in `lang`, as written in datasets/brand/<lang>.jsonl."""
    path = BRAND / f"{lang}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def _rate(hits: list[bool]) -> float:
    return float(np.mean(hits)) if hits else 0.0


def sentiment_figures(rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Macro-F1, negative recall and accuracy per hard tag of the shipped sentiment."""
    texts = [r["text"] for r in rows]
    truth = [r["sentiment"] for r in rows]
    found = [s.label for s in sentiment.classify(texts, [lang] * len(texts))]
    right = [f == t for f, t in zip(found, truth, strict=True)]
    tags = {
        tag: _rate([ok for ok, r in zip(right, rows, strict=True) if tag in r["tags"]])
        for tag in SENTIMENT_TAGS
    }
    return {
        "macro_f1": macro_f1(truth, found),
        "negative_recall": _rate(
            [f == "negative" for f, t in zip(found, truth, strict=True) if t == "negative"]
        ),
        "accuracy_by_tag": tags,
    }


def toxicity_figures(rows: list[dict[str, Any]], lang: str) -> dict[str, float]:
    """False alarms on ordinary messages and recall on the toxic and hateful ones, at 0.5."""
    found = toxicity.score([r["text"] for r in rows], [lang] * len(rows))
    ordinary = [s for s, r in zip(found, rows, strict=True) if not r["toxic"]]
    toxic = [s for s, r in zip(found, rows, strict=True) if r["toxic"]]
    hateful = [s for s, r in zip(found, rows, strict=True) if r["hate"]]
    return {
        "false_alarm_toxic": _rate([s["toxic"] >= 0.5 for s in ordinary]),
        "false_alarm_hate": _rate([s["hate"] >= 0.5 for s in ordinary]),
        "false_alarm_any": _rate([max(s.values()) >= 0.5 for s in ordinary]),
        "recall_toxic": _rate([s["toxic"] >= 0.5 for s in toxic]),
        "recall_hate": _rate([s["hate"] >= 0.5 for s in hateful]),
        "n_ordinary": len(ordinary),
    }


def scam_figures(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Precision, recall and false alarms of the scam model at its threshold."""
    scores = scam.score([r["text"] for r in rows])
    cut = scam.threshold()
    flagged = [s >= cut for s in scores]
    truth = [bool(r["scam"]) for r in rows]
    tp = sum(f and t for f, t in zip(flagged, truth, strict=True))
    return {
        "precision": tp / max(1, sum(flagged)),
        "recall": tp / max(1, sum(truth)),
        "false_alarm": _rate([f for f, t in zip(flagged, truth, strict=True) if not t]),
    }


def language_figures(rows: list[dict[str, Any]], lang: str) -> dict[str, float]:
    """Accuracy of the enrich stage's language detection, on every message that holds words
    and on the short ones, with and without the workspace's expected languages."""
    kept = [r for r in rows if "emoji_only" not in r["tags"]]
    texts = [r["text"] for r in kept]
    short = [len(t.split()) <= SHORT_WORDS for t in texts]
    out: dict[str, float] = {}
    for name, expected in (("", ()), ("expected_", EXPECTED)):
        found = language.detect(texts, low_accuracy=True, fast=True, expected=expected)
        right = [code == lang for code, _ in found]
        out[f"{name}accuracy"] = _rate(right)
        out[f"{name}short_accuracy"] = _rate([ok for ok, s in zip(right, short, strict=True) if s])
    out["n_short"] = float(sum(short))
    return out


def val_figures() -> dict[str, Any]:
    """The same models on the public validation splits (French and English parts)."""
    from scripts.models.toxicity import _split

    out: dict[str, Any] = {"sentiment": {}, "toxicity": {}, "language": {}}
    for lang in LANGS:
        texts, labels = data.umsab(lang, "val")
        found = [s.label for s in sentiment.classify(texts, [lang] * len(texts))]
        out["sentiment"][lang] = macro_f1(labels, found)
        detected = language.detect(texts, low_accuracy=True, fast=True)
        out["language"][lang] = _rate([code == lang for code, _ in detected])
        for attribute in ("toxic", "hate"):
            texts, labels = _split(lang, attribute, "val")
            scores = toxicity.score(texts, [lang] * len(texts))
            predicted = [str(int(s[attribute] >= 0.5)) for s in scores]
            out["toxicity"][f"{attribute}/{lang}"] = macro_f1(labels, predicted)
    texts, labels = data.sms_spam("val")
    predicted = ["spam" if s >= scam.threshold() else "ham" for s in scam.score(texts)]
    out["scam"] = macro_f1(labels, predicted)
    return out


def evaluate() -> dict[str, Any]:
    """Every figure of the brand set and the val splits, by model."""
    brand: dict[str, Any] = {"sentiment": {}, "toxicity": {}, "language": {}}
    everything: list[dict[str, Any]] = []
    for lang in LANGS:
        rows = load(lang)
        everything += rows
        brand["sentiment"][lang] = sentiment_figures(rows, lang)
        brand["toxicity"][lang] = toxicity_figures(rows, lang)
        brand["language"][lang] = language_figures(rows, lang)
    brand["scam"] = scam_figures(everything)
    return {"brand": brand, "val": val_figures(), "n": {lang: len(load(lang)) for lang in LANGS}}


def floors(result: dict[str, Any]) -> dict[str, float]:
    """The figures the regression test holds the models to (rounded down to a hundredth)."""
    brand = result["brand"]
    out: dict[str, float] = {}
    for lang in LANGS:
        out[f"sentiment/{lang}"] = brand["sentiment"][lang]["macro_f1"]
        out[f"negative_recall/{lang}"] = brand["sentiment"][lang]["negative_recall"]
        out[f"language/{lang}"] = brand["language"][lang]["accuracy"]
        out[f"language_short_expected/{lang}"] = brand["language"][lang]["expected_short_accuracy"]
        out[f"recall_toxic/{lang}"] = brand["toxicity"][lang]["recall_toxic"]
        out[f"false_alarm_any/{lang}"] = brand["toxicity"][lang]["false_alarm_any"]
    out["scam_recall"] = brand["scam"]["recall"]
    out["scam_false_alarm"] = brand["scam"]["false_alarm"]
    return {k: round(v, 4) for k, v in out.items()}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def sections(result: dict[str, Any], before: dict[str, Any] | None = None) -> dict[str, str]:
    """The markdown each card gets, by card name."""
    brand, val, n = result["brand"], result["val"], result["n"]
    intro = (
        f"Measured by `python -m scripts.models.brand` on the brand set (datasets/brand: "
        f"{n['fr']} French and {n['en']} English customer messages written for pouls, never "
        "trained on) beside the public val splits, in the same run."
    )
    s = brand["sentiment"]
    rows = [
        ["macro-F1 × 100", *(_pct(s[lang]["macro_f1"]) for lang in LANGS)],
        ["negatives read as negative %", *(_pct(s[lang]["negative_recall"]) for lang in LANGS)],
        *(
            [f"accuracy % on `{tag}`", *(_pct(s[lang]["accuracy_by_tag"][tag]) for lang in LANGS)]
            for tag in SENTIMENT_TAGS
        ),
        ["UMSAB val macro-F1 × 100", *(_pct(val["sentiment"][lang]) for lang in LANGS)],
    ]
    if before:
        rows.append(
            [
                "before this round: brand / val",
                *(
                    f"{_pct(before['brand']['sentiment'][lang]['macro_f1'])} / "
                    f"{_pct(before['val']['sentiment'][lang])}"
                    for lang in LANGS
                ),
            ]
        )
    out = {"sentiment": f"{intro}\n\n{_table(['', 'fr', 'en'], rows)}"}
    t = brand["toxicity"]
    keys = [
        ("false_alarm_any", "ordinary messages flagged by any attribute %"),
        ("false_alarm_toxic", "ordinary messages flagged `toxic` %"),
        ("false_alarm_hate", "ordinary messages flagged `hate` %"),
        ("recall_toxic", "toxic messages flagged `toxic` %"),
        ("recall_hate", "hateful messages flagged `hate` %"),
    ]
    rows = [[label, *(_pct(t[lang][key]) for lang in LANGS)] for key, label in keys]
    rows += [
        [f"val macro-F1 × 100, `{a}`", *(_pct(val["toxicity"][f"{a}/{lang}"]) for lang in LANGS)]
        for a in ("toxic", "hate")
    ]
    if before:
        rows.append(
            [
                "before this round: false alarms % / val `toxic`",
                *(
                    f"{_pct(before['brand']['toxicity'][lang]['false_alarm_any'])} / "
                    f"{_pct(before['val']['toxicity'][f'toxic/{lang}'])}"
                    for lang in LANGS
                ),
            ]
        )
    out["toxicity"] = f"{intro}\n\n{_table(['', 'fr', 'en'], rows)}"
    sc = brand["scam"]
    out["spam"] = (
        f"{intro}\n\nBoth languages together, at the shipped threshold: precision "
        f"{_pct(sc['precision'])}%, recall {_pct(sc['recall'])}%, ordinary messages flagged "
        f"{_pct(sc['false_alarm'])}%; SMS val macro-F1 {_pct(val['scam'])}."
    )
    if before:
        was = before["brand"]["scam"]
        out["spam"] += (
            f" Before this round: precision {_pct(was['precision'])}%, recall "
            f"{_pct(was['recall'])}%, ordinary messages flagged {_pct(was['false_alarm'])}%; "
            f"SMS val {_pct(before['val']['scam'])}."
        )
    g = brand["language"]
    rows = [
        ["accuracy %", *(_pct(g[lang]["accuracy"]) for lang in LANGS)],
        [
            f"accuracy % on texts of {SHORT_WORDS} words or fewer",
            *(_pct(g[lang]["short_accuracy"]) for lang in LANGS),
        ],
        [
            'the same with the workspace\'s `languages = ["fr", "en"]`',
            *(_pct(g[lang]["expected_short_accuracy"]) for lang in LANGS),
        ],
        ["UMSAB val accuracy % (stage mode)", *(_pct(val["language"][lang]) for lang in LANGS)],
    ]
    if before:
        was = before["brand"]["language"]
        rows.append(
            [
                "before this round: accuracy % / short with `languages`",
                *(
                    f"{_pct(was[lang]['accuracy'])} / {_pct(was[lang]['expected_short_accuracy'])}"
                    for lang in LANGS
                ),
            ]
        )
    out["language"] = (
        f"{intro} Emoji-only messages are left out (no language to find).\n\n"
        f"{_table(['', 'fr', 'en'], rows)}"
    )
    return out


def write_cards(result: dict[str, Any], before: dict[str, Any] | None = None) -> None:
    """Put each card's brand-set section just above its scores line (replacing the last one)."""
    line = json.dumps(floors(result), sort_keys=True)
    for card, body in sections(result, before).items():
        path = DOCS / f"{card}.md"
        text = _BLOCK.sub("\n", path.read_text("utf-8"))
        block = (
            f"<!-- brand-set -->\n## On the brand set\n\n{body}\n\n"
            f"<!-- brand: {line} -->\n<!-- /brand-set -->"
        )
        at = text.rfind("\n<!-- scores:")
        head, tail = (text[:at], text[at + 1 :]) if at >= 0 else (text, "")
        text = f"{head.rstrip()}\n\n{block}\n\n{tail}".rstrip() + "\n"
        path.write_text(text, "utf-8")


BEFORE = Path(__file__).with_name("brand_before.json")


def main(args: list[str]) -> None:
    result = evaluate()
    print(json.dumps(result, indent=1, sort_keys=True))
    if "--before" in args:
        BEFORE.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", "utf-8")
    before = json.loads(BEFORE.read_text("utf-8")) if BEFORE.exists() else None
    write_cards(result, before)


if __name__ == "__main__":
    main(sys.argv[1:])
