"""Shared by the enrich tests: where the data sets are and what the model cards promise."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT.parent / "shared" / "datasets"
CARDS = ROOT / "docs" / "models"
TOLERANCE = 0.01

needs_datasets = pytest.mark.skipif(
    not DATASETS.is_dir(), reason=f"the training data sets are not at {DATASETS}"
)


def card_scores(task: str) -> dict[str, float]:
    """The validation figures written at the end of docs/models/<task>.md."""
    text = (CARDS / f"{task}.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- scores: (\{.*\}) -->", text)
    assert found, f"docs/models/{task}.md has no scores line"
    return json.loads(found.group(1))


def random_texts(pieces: list[str], count: int, longest: int, seed: int) -> list[str]:
    """`count` texts of 0 to `longest` pieces drawn at random (fixed seed): the odd inputs that
    batch code must treat exactly as the plain code it replaced."""
    import random

    rng = random.Random(seed)
    return [
        "".join(rng.choice(pieces) for _ in range(rng.randint(0, longest))) for _ in range(count)
    ]
