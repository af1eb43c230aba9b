"""The README's example queries find something on the demo, as a new user tries them first."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pouls import demo
from pouls.query import Matcher

README = Path(__file__).parents[1] / "README.md"


def readme_queries() -> list[str]:
    """The tour's queries (`…` in its parenthesis) and those of `search` and `topic add`."""
    text = README.read_text(encoding="utf-8")
    tour = re.search(r"search with the boolean query language\s*\((.*?)\)\.", text, re.S)
    assert tour is not None, "the tour no longer shows example queries"
    queries = re.findall(r"`([^`]+)`", tour.group(1))
    for line in text.splitlines():
        if not line.startswith("pouls "):
            continue
        words = shlex.split(line, comments=True)
        if "search" in words:
            queries.append(words[words.index("search") + 1])
        elif words[3:5] == ["topic", "add"]:
            queries.append(words[6])
    return queries


@pytest.fixture(scope="module")
def history() -> list[dict]:
    """The demo's history, with the language its texts are written in (as enrichment finds)."""
    records = list(demo.generate(datetime(2026, 10, 3, 18, 0, tzinfo=UTC)))
    for record in records:
        record["lang"] = record.get("demo_lang")
    return records


def test_the_readme_shows_example_queries() -> None:
    assert len(readme_queries()) >= 6


@pytest.mark.parametrize("query", readme_queries())
def test_each_readme_query_finds_signals_of_the_demo(history: list[dict], query: str) -> None:
    matcher = Matcher({"q": query})
    assert any(matcher.match_batch(history)), f"{query!r} finds nothing in the demo"
