"""The column schema: every column filled from the right field, and documented in order."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pouls.export import COLUMNS, NAMES
from pouls.export.columns import values
from pouls.signals import Geo, Metrics, Sentiment
from tests.conftest import make_signal

DOC = Path(__file__).parents[2] / "docs" / "export.md"


def test_each_column_holds_its_own_field() -> None:
    s = make_signal(
        1,
        "le texte",
        author="a_0123456789abcdef",
        author_handle="@zoe",
        author_name="Zoé",
        title="le titre",
        url="https://a.fr/x",
        lang="fr",
        sentiment=Sentiment(label="negative", score=0.81),
        toxicity={"insult": 0.2, "threat": 0.7},
        scam=0.1,
        topics=("livraison", "prix"),
        metrics=Metrics(likes=1, shares=2, replies=3, followers=4),
        geo=Geo(country="FR", place="Lille"),
        own=True,
        conversation_id="c9",
        parent_id="p8",
    )
    row = dict(zip(NAMES, values(s, ZoneInfo("Europe/Paris")), strict=True))
    assert {k: v for k, v in row.items() if k not in ("created_at", "local_time")} == {
        "id": s.id,
        "workspace": "acme",
        "source": "src",
        "channel": "mastodon",
        "kind": "post",
        "visibility": "public",
        "lang": "fr",
        "author": "a_0123456789abcdef",
        "author_handle": "@zoe",
        "author_name": "Zoé",
        "title": "le titre",
        "text": "le texte",
        "url": "https://a.fr/x",
        "sentiment": "negative",
        "sentiment_score": 0.81,
        "toxicity": 0.7,
        "scam": 0.1,
        "topics": "livraison, prix",
        "likes": 1,
        "shares": 2,
        "replies": 3,
        "followers": 4,
        "country": "FR",
        "place": "Lille",
        "own": True,
        "native_id": "1",
        "conversation_id": "c9",
        "parent_id": "p8",
    }
    assert row["created_at"] == s.created_at  # 08:01 UTC
    assert str(row["local_time"]) == "2026-10-01 10:01:00"  # Paris, summer time


def test_local_time_is_to_the_second_as_spreadsheets_read_it() -> None:
    s = make_signal(1, created_at=datetime(2026, 12, 7, 9, 30, 15, 520000, tzinfo=UTC))
    row = dict(zip(NAMES, values(s, ZoneInfo("Europe/Paris")), strict=True))
    assert row["local_time"] == datetime(2026, 12, 7, 10, 30, 15)
    assert row["created_at"] == s.created_at  # the exact moment stays in UTC


def test_a_bare_signal_has_empty_columns_not_errors() -> None:
    row = dict(zip(NAMES, values(make_signal(2), ZoneInfo("UTC")), strict=True))
    assert row["sentiment"] is None and row["likes"] is None and row["topics"] is None
    assert row["own"] is False


def test_the_columns_are_documented_in_order_with_their_help() -> None:
    lines = [
        line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `")
    ]
    documented = [line.split("`")[1] for line in lines]
    assert documented == list(NAMES)
    for line, column in zip(lines, COLUMNS, strict=True):
        assert line == f"| `{column.name}` | {column.help} |"
