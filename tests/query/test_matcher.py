"""The streaming matcher's API: many topics, batches, incremental changes, real Signals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from pouls.query import Matcher, Prefix, QueryError, Wildcard, parse
from pouls.signals.model import Geo, Sentiment, Signal

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _signal(text: str, **fields: Any) -> Signal:
    return Signal(
        id="x",
        workspace="w",
        source="feed",
        channel="mastodon",
        kind="post",
        created_at=T0,
        observed_at=T0,
        text=text,
        **fields,
    )


def test_match_returns_topics_in_the_order_they_were_added() -> None:
    matcher = Matcher({"b": "ecole", "a": "greve", "c": "NOT spam"})
    assert matcher.match({"text": "Grève à l'école"}) == ["b", "a", "c"]
    assert matcher.match({"text": "spam"}) == []


def test_match_reads_every_field_of_a_signal() -> None:
    matcher = Matcher(
        {
            "t": "lang:fr sentiment:negative country:fr site:lemonde.fr author:@jean channel:mastodon",
        }
    )
    signal = _signal(
        "x",
        lang="fr",
        sentiment=Sentiment(label="negative", score=0.9),
        geo=Geo(country="FR"),
        url="https://www.lemonde.fr/a",
        author_handle="@Jean",
    )
    assert matcher.match(signal) == ["t"]
    assert matcher.match(_signal("x", lang="fr")) == []


def test_title_and_text_are_both_searched() -> None:
    matcher = Matcher({"t": "ecole paris"})
    assert matcher.match(_signal("Paris", title="École")) == ["t"]


def test_match_batch_is_match_for_each_signal() -> None:
    matcher = Matcher({"t": "#rentree OR 👍"})
    assert matcher.match_batch([{"text": "#Rentrée"}, {"text": "rentrée"}, {"text": "👍🏽"}]) == [
        ["t"],
        [],
        ["t"],
    ]


def test_add_update_remove() -> None:
    matcher = Matcher()
    assert matcher.match({"text": "nike"}) == []
    matcher.add("t", "nike")
    assert matcher.match({"text": "nike"}) == ["t"]
    with pytest.raises(ValueError):
        matcher.add("t", "adidas")
    matcher.update("t", parse("adidas"))
    assert matcher.match({"text": "nike"}) == []
    assert matcher.match({"text": "adidas"}) == ["t"]
    matcher.remove("t")
    assert "t" not in matcher and len(matcher) == 0
    assert matcher.match({"text": "adidas"}) == []
    with pytest.raises(KeyError):
        matcher.remove("t")


def test_a_bad_query_is_refused_and_leaves_the_matcher_unchanged() -> None:
    matcher = Matcher({"t": "nike"})
    with pytest.raises(QueryError):
        matcher.update("t", "nike OR")
    assert matcher.match({"text": "nike"}) == ["t"]


def test_a_word_seen_before_still_counts_for_topics_evaluated_on_every_signal() -> None:
    matcher = Matcher({"a": "NOT ecole", "b": "nike"})
    assert matcher.match({"text": "l'école"}) == []
    assert matcher.match({"text": "l'école"}) == []  # the piece is known by now
    assert matcher.match({"text": "Nike"}) == ["a", "b"]


def test_a_word_seen_before_triggers_a_topic_added_later() -> None:
    matcher = Matcher({"t": "nike -adidas"})
    assert matcher.match({"text": "adidas"}) == []
    matcher.add("u", "adidas")  # adidas was a key already, but no trigger
    assert matcher.match({"text": "adidas"}) == ["u"]
    matcher.add("v", "puma*")
    assert matcher.match({"text": "Pumas et adidas"}) == ["u", "v"]
    matcher.remove("v")
    assert matcher.match({"text": "Pumas et adidas"}) == ["u"]


def test_the_matcher_forgets_the_pieces_it_has_seen_past_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("pouls.query.matcher._MAX_PIECES", 3)
    matcher = Matcher({"t": "ecole -greve", "u": '"air max"'})
    texts = [f"mot{i} école air max" for i in range(20)] + ["grève à l'école"]
    assert matcher.match_batch([{"text": t} for t in texts]) == [["t", "u"]] * 20 + [[]]
    assert len(matcher._quiet) + len(matcher._loud) <= 3 + 2 * 4


def test_prefixes_and_wildcards_built_by_hand_with_fewer_than_3_letters_still_match() -> None:
    matcher = Matcher({"p": Prefix("ab"), "w": Wildcard("a?c"), "x": Prefix("abc")})
    assert matcher.match({"text": "ABC"}) == ["p", "w", "x"]
    assert matcher.match({"text": "abricot azc"}) == ["p", "w"]
