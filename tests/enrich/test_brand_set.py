"""The brand set (datasets/brand) as a regression test of the fast tier.

Its figures are written into the model cards by `python -m scripts.models.brand`; the shipped
models must keep them (minus a small tolerance), and read the issue's named examples right.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from scripts import brand_set
from scripts.models import brand, brand_train

from pouls.enrich import language, scam, sentiment, toxicity
from tests.enrich.conftest import CARDS

TOLERANCE = 0.02
LABELS = {"positive", "neutral", "negative"}


@pytest.fixture(scope="module")
def rows() -> dict[str, list[dict[str, Any]]]:
    return {lang: brand.load(lang) for lang in brand.LANGS}


@pytest.fixture(scope="module")
def figures(rows: dict[str, list[dict[str, Any]]]) -> dict[str, float]:
    """The fast tier's figures on the brand set, as `brand.floors` names them."""
    found: dict[str, Any] = {"sentiment": {}, "toxicity": {}, "language": {}}
    for lang, messages in rows.items():
        found["sentiment"][lang] = brand.sentiment_figures(messages, lang)
        found["toxicity"][lang] = brand.toxicity_figures(messages, lang)
        found["language"][lang] = brand.language_figures(messages, lang)
    found["scam"] = brand.scam_figures(rows["fr"] + rows["en"])
    return brand.floors({"brand": found})


def _promised(card: str) -> dict[str, float]:
    text = (CARDS / f"{card}.md").read_text("utf-8")
    match = re.search(r"<!-- brand: (\{.*\}) -->", text)
    assert match, f"docs/models/{card}.md has no brand-set figures"
    return json.loads(match.group(1))


def test_brand_set_holds_800_labelled_messages_half_french_half_english(rows):
    assert len(rows["fr"]) + len(rows["en"]) >= 800
    assert abs(len(rows["fr"]) - len(rows["en"])) <= 40
    for lang, messages in rows.items():
        assert {m["lang"] for m in messages} == {lang}
        assert len({m["id"] for m in messages}) == len(messages)
        assert {m["sentiment"] for m in messages} == LABELS
        shares = Counter(m["sentiment"] for m in messages)
        assert min(shares.values()) >= 0.25 * len(messages), shares
        for m in messages:
            assert {m[k] for k in ("toxic", "hate", "scam", "highlight", "brand_reply")} <= {0, 1}
            assert m["hate"] <= m["toxic"]
            assert all(name in m["text"] for name in m["entities"])
            assert set(m["tags"]) <= brand_set.TAGS
        for tag in ("slang", "negation_idiom", "implicit_complaint", "safety", "sarcasm"):
            assert sum(tag in m["tags"] for m in messages) >= 10, (lang, tag)
        assert all(m["sentiment"] == "negative" for m in messages if "safety" in m["tags"])


def test_brand_set_files_are_built_from_their_sources():
    for lang in brand.LANGS:
        built = brand_set.dumps(brand_set.build(lang))
        assert (brand.BRAND / f"{lang}.jsonl").read_text("utf-8") == built


def test_a_source_line_with_an_entity_missing_from_its_text_is_refused():
    with pytest.raises(brand_set.SourceError, match="entities not in the text"):
        brand_set.parse("food | + | . | praise | Railo | Très bon pain", "x.txt:1")
    with pytest.raises(brand_set.SourceError, match="sentiment"):
        brand_set.parse("food | ++ | . | praise | . | Très bon pain", "x.txt:1")


def test_generated_training_messages_never_repeat_the_brand_set(rows):
    held_out = {m["text"].casefold() for messages in rows.values() for m in messages}
    generated = brand_train.generate()
    assert len(generated) > 500
    assert not held_out & {m.text.casefold() for m in generated}


@pytest.mark.parametrize(
    ("card", "key"),
    [
        ("sentiment", "sentiment/fr"),
        ("sentiment", "sentiment/en"),
        ("sentiment", "negative_recall/fr"),
        ("sentiment", "negative_recall/en"),
        ("toxicity", "recall_toxic/fr"),
        ("toxicity", "recall_toxic/en"),
        ("spam", "scam_recall"),
        ("language", "language/fr"),
        ("language", "language/en"),
        ("language", "language_short_expected/fr"),
        ("language", "language_short_expected/en"),
    ],
)
def test_fast_tier_keeps_its_brand_set_figures(figures, card: str, key: str):
    assert figures[key] >= _promised(card)[key] - TOLERANCE


@pytest.mark.parametrize(
    ("card", "key"),
    [
        ("toxicity", "false_alarm_any/fr"),
        ("toxicity", "false_alarm_any/en"),
        ("spam", "scam_false_alarm"),
    ],
)
def test_fast_tier_raises_no_more_false_alarms_than_its_card_says(figures, card: str, key: str):
    assert figures[key] <= _promised(card)[key] + TOLERANCE


def test_the_issues_named_examples_read_right():
    [burnt] = sentiment.classify(["Service nul, croissant brûlé, plus jamais."], ["fr"])
    assert burnt.label == "negative"
    [bread] = toxicity.score(["Le meilleur c'est le pain de campagne"], ["fr"])
    assert bread["hate"] < toxicity.threshold("hate", "fr")
    assert bread["toxic"] < toxicity.threshold("toxic", "fr")
    [(code, _)] = language.detect(
        ["Bien dormi"], low_accuracy=True, fast=True, expected=("fr", "en")
    )
    assert code == "fr"
    assert scam.score(["Le meilleur c'est le pain de campagne"])[0] < scam.threshold()
