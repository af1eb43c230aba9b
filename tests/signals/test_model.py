from __future__ import annotations

import msgspec
import pytest

from pouls.signals import Entity, Sentiment, content_id, decode, encode, signal_id
from tests.conftest import make_signal


def test_signal_id_is_stable_and_depends_on_workspace_source_and_native_id() -> None:
    a = signal_id("acme", "rss", "42")
    assert a == signal_id("acme", "rss", "42")
    assert (
        len(
            {
                a,
                signal_id("other", "rss", "42"),
                signal_id("acme", "mastodon", "42"),
                signal_id("acme", "rss", "43"),
            }
        )
        == 4
    )


def test_content_id_stands_in_for_a_missing_native_id() -> None:
    assert content_id("hello", None, "2026") == content_id("hello", "", "2026")
    assert content_id("hello", "t") != content_id("hello", "u")
    assert content_id("x").startswith("sha:")


def test_signal_round_trips_through_json_with_enrichments() -> None:
    s = make_signal(
        1,
        "L'école est fermée 😡",
        sentiment=Sentiment(label="negative", score=0.91),
        entities=(Entity(type="place", text="Lyon", norm="lyon"),),
        toxicity={"insult": 0.2},
        topics=("crise",),
    )
    again = decode(encode(s))
    assert again == s
    assert again.created_at.tzinfo is not None


def test_signal_is_frozen_and_validated() -> None:
    s = make_signal(1)
    with pytest.raises(AttributeError):
        s.text = "changed"  # type: ignore[misc]
    bad = encode(s).replace(b'"mastodon"', b'"myspace"')
    with pytest.raises(msgspec.ValidationError, match="channel"):
        decode(bad)
