"""Property tests: the streaming matcher and the SQLite back end select exactly the same signals."""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from pouls.query import (
    And,
    Emoji,
    Field,
    Hashtag,
    Matcher,
    Mention,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Raw,
    Wildcard,
    Word,
    parse,
    render,
    words,
)
from pouls.query.nodes import leaves
from tests.query.backends import create_db, fill, matcher_select, sql_select

PIECES = [
    "école",
    "Ecole",
    "ÉCOLE",
    "écoles",
    "e\u0301cole",
    "l'école",
    "l’École",
    "d'été",
    "été",
    "ete",
    "qu'il",
    "aujourd'hui",
    "porte-monnaie",
    "porte",
    "Paris",
    "café",
    "cafe",
    "naïve",
    "Noël",
    "œuvre",
    "nike",
    "Nike",
    "NIKE",
    "adidas",
    "job",
    "emploi",
    "grève",
    "greve",
    "rentrée",
    "school",
    "the",
    "le",
    "la",
    "de",
    "et",
    "and",
    "C'est",
    "c'est",
    "air",
    "max",
    "Air Max",
    "#Rentrée",
    "#nike",
    "#Nike_2024",
    "#école",
    "@pouls",
    "@Jean@mastodon.social",
    "@jean",
    "👍",
    "👍🏽",
    "🥐",
    "❤️",
    "https://www.lemonde.fr/#top",
    "www.example.com/@x",
    "mail@nike.com",
    "2024",
    "3.5",
    ",",
    ".",
    "!",
    "-",
    "...",
    "?",
    "(",
    ")",
    '"',
]
SEPARATORS = [" ", " ", " ", "  ", "\n", "", ", ", "-", "'"]
# Emoji-only words (FTS5 keeps emoji newer than Unicode 6.1 as words) are queried as Emoji.
VOCAB = sorted(
    {w for p in PIECES for w in words(p) if not any(unicodedata.category(c) == "So" for c in w)}
)
STEMS = sorted({w[:n] for w in VOCAB for n in (3, 4) if len(w) >= n})
LONG_VOCAB = [w for w in VOCAB if len(w) >= 4]


@st.composite
def texts(draw: Any, max_pieces: int = 10) -> str:
    pieces = draw(st.lists(st.sampled_from(PIECES), max_size=max_pieces))
    out = []
    for piece in pieces:
        out.append(piece)
        out.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(out)


signals = st.fixed_dictionaries(
    {
        "text": texts(),
        "channel": st.sampled_from(["mastodon", "rss", "bluesky"]),
        "kind": st.sampled_from(["post", "article"]),
        "visibility": st.sampled_from(["public", "press"]),
        "source": st.sampled_from(["feed", "Feed", "other"]),
    },
    optional={
        "title": texts(max_pieces=4),
        "lang": st.sampled_from(["fr", "en", "fr-CA", "EN", "de"]),
        "author": st.sampled_from(["u1", "U2", "jean"]),
        "author_handle": st.sampled_from(["@jean", "jean@mastodon.social", "Marie"]),
        "sentiment": st.sampled_from(["negative", "neutral", "positive"]),
        "url": st.sampled_from(
            [
                "https://www.lemonde.fr/a",
                "https://blog.lemonde.fr/b",
                "https://example.com",
                "https://notlemonde.fr/x",
            ]
        ),
        "country": st.sampled_from(["fr", "FR", "ca"]),
    },
)

FIELD_VALUES = {
    "lang": ["fr", "en"],
    "channel": ["mastodon", "rss"],
    "kind": ["post", "article"],
    "visibility": ["public", "press"],
    "source": ["feed", "other"],
    "author": ["u1", "u2", "jean", "jean@mastodon.social", "marie"],
    "sentiment": ["negative", "positive"],
    "site": ["lemonde.fr", "blog.lemonde.fr", "example.com"],
    "country": ["fr", "ca"],
}


def _flat(cls: type[And] | type[Or], children: Sequence[Node]) -> Node:
    out: list[Node] = []
    for child in children:
        out.extend(child.children if isinstance(child, cls) else [child])
    return cls(tuple(out))


def _not(node: Node) -> Node:
    return node.child if isinstance(node, Not) else Not(node)


@st.composite
def wildcards(draw: Any, vocab: list[str]) -> Wildcard:
    """A word of the vocabulary with `?` for one or two of its letters after the third, as a
    query can write it (never a `?` last, which is punctuation), sometimes with `*` after."""
    word = draw(st.sampled_from([w for w in vocab if len(w) >= 4] or LONG_VOCAB))
    prefix = draw(st.booleans())
    last = len(word) - (1 if prefix else 2)
    if last < 3:
        prefix, last = True, len(word) - 1
    holes = draw(st.sets(st.integers(3, last), min_size=1, max_size=2))
    pattern = "".join("?" if i in holes else c for i, c in enumerate(word))
    if prefix:
        pattern = pattern[: draw(st.integers(max(holes) + 1, len(pattern)))] + "*"
    return Wildcard(pattern)


def query_strategy(texts: list[str] | None = None) -> st.SearchStrategy[Node]:
    """Queries over the vocabulary, biased towards words and runs of words of `texts`."""
    segments = [words(t) for t in texts or []]
    vocab = sorted({w for seg in segments for w in seg if w in VOCAB}) or VOCAB
    runs = sorted(
        {tuple(seg[i : i + n]) for seg in segments for n in (2, 3) for i in range(len(seg) - n + 1)}
    )
    vocab_words = st.one_of(st.sampled_from(vocab), st.sampled_from(VOCAB))
    stems = sorted({w[:n] for w in vocab for n in (3, 4) if len(w) >= n}) or STEMS
    phrases = st.lists(vocab_words, min_size=2, max_size=3).map(lambda ws: Phrase(tuple(ws)))
    if runs:
        phrases = st.one_of(phrases, st.sampled_from(runs).map(Phrase))
    spans = st.one_of(
        vocab_words.map(Word), st.sampled_from(stems).map(Prefix), wildcards(vocab), phrases
    )
    leaves = st.one_of(
        spans,
        spans,
        st.sampled_from(["rentree", "nike", "nike_2024", "ecole", "pouls"]).map(Hashtag),
        st.sampled_from(["pouls", "jean", "jean@mastodon.social", "x"]).map(Mention),
        st.sampled_from(["👍", "🥐", "❤"]).map(Emoji),
        st.sampled_from(["École", "C'est", "nike", "Air Max", "l’"]).map(Raw),
        st.sampled_from(sorted(FIELD_VALUES)).flatmap(
            lambda name: st.sampled_from(FIELD_VALUES[name]).map(lambda v: Field(name, v))
        ),
    )
    operands = st.one_of(
        spans, st.lists(spans, min_size=2, max_size=3).map(lambda cs: _flat(Or, cs))
    )
    nears = st.one_of(
        st.builds(
            lambda ops, d, o: Near(tuple(ops), d, o),
            st.lists(operands, min_size=2, max_size=2),
            st.integers(0, 4),
            st.booleans(),
        ),
        st.builds(
            lambda ws, d: Near(tuple(Word(w) for w in ws), d),
            st.lists(vocab_words, min_size=3, max_size=3),
            st.integers(0, 4),
        ),
    )
    return st.recursive(
        st.one_of(leaves, nears, nears),
        lambda inner: st.one_of(
            inner.map(_not),
            st.lists(inner, min_size=2, max_size=3).map(lambda cs: _flat(And, cs)),
            st.lists(inner, min_size=2, max_size=3).map(lambda cs: _flat(Or, cs)),
        ),
        max_leaves=5,
    )


queries = query_strategy()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    conn = create_db(tmp_path_factory.mktemp("agreement") / "signals.db")
    yield conn
    conn.close()


@settings(
    max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(batch=st.lists(signals, min_size=1, max_size=8), data=st.data())
def test_matcher_and_sqlite_select_the_same_signals(
    db: sqlite3.Connection, batch: list[dict[str, Any]], data: st.DataObject
) -> None:
    texts = [s["text"] for s in batch] + [s["title"] for s in batch if "title" in s]
    node = data.draw(query_strategy(texts), label="query")
    fill(db, batch)
    assert sql_select(db, node, batch) == matcher_select(node, batch), render(node)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(node=queries)
def test_render_then_parse_gives_the_same_query(node: Node) -> None:
    assert parse(render(node)) == node


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    first=st.dictionaries(st.sampled_from("abcdef"), queries, max_size=5),
    second=st.dictionaries(st.sampled_from("abcdef"), queries, max_size=5),
    batch=st.lists(signals, min_size=1, max_size=6),
)
def test_incremental_updates_match_like_a_fresh_matcher(
    first: dict[str, Node], second: dict[str, Node], batch: list[dict[str, Any]]
) -> None:
    matcher = Matcher(first)
    matcher.match_batch(batch)
    for topic_id in set(first) - set(second):
        matcher.remove(topic_id)
    for topic_id, node in second.items():
        matcher.update(topic_id, node)
    fresh = Matcher(second)
    assert [sorted(m) for m in matcher.match_batch(batch)] == [
        sorted(m) for m in fresh.match_batch(batch)
    ]


def _batch_and_query() -> st.SearchStrategy[tuple[list[dict[str, Any]], Node]]:
    def with_query(
        batch: list[dict[str, Any]],
    ) -> st.SearchStrategy[tuple[list[dict[str, Any]], Node]]:
        texts = [s["text"] for s in batch] + [s["title"] for s in batch if "title" in s]
        return query_strategy(texts).map(lambda node: (batch, node))

    return st.lists(signals, min_size=2, max_size=8).flatmap(with_query)


@pytest.mark.parametrize("kind", ["any", "near", "wildcard"])
def test_generated_queries_select_some_signals_and_not_others(kind: str) -> None:
    """Guards the agreement test against passing vacuously: the generator must produce queries
    that split a batch (and NEAR and wildcard queries that do), not only ones matching all or
    nothing."""

    def splits(example: tuple[list[dict[str, Any]], Node]) -> bool:
        batch, node = example
        if kind == "near" and not isinstance(node, Near):
            return False
        if kind == "wildcard" and not any(isinstance(leaf, Wildcard) for leaf in leaves(node)):
            return False
        return 0 < len(matcher_select(node, batch)) < len(batch)

    find(
        _batch_and_query(),
        splits,
        settings=settings(
            max_examples=2000,
            derandomize=True,
            database=None,
            phases=[Phase.generate],  # one example is proof enough: no shrinking
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


@st.composite
def boundary_nears(draw: Any, segments: list[list[str]]) -> Node:
    """A NEAR over words found in a text, with a distance at the edge of what that text allows."""
    segment = draw(st.sampled_from([s for s in segments if s]))
    count = draw(st.integers(2, 3))
    positions = sorted(
        draw(st.lists(st.integers(0, len(segment) - 1), min_size=count, max_size=count))
    )
    operands: list[Node] = []
    for p in positions:
        length = draw(st.integers(1, 2)) if count == 2 else 1
        run = tuple(segment[p : p + length])
        operands.append(Word(run[0]) if len(run) == 1 else Phrase(run))
    if count == 2 and draw(st.booleans()):
        operands.reverse()
    gap = positions[-1] - positions[0] - 1
    distance = max(0, gap + draw(st.integers(-2, 1)))
    return Near(tuple(operands), distance, count == 2 and draw(st.booleans()))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(batch=st.lists(signals, min_size=1, max_size=4), data=st.data())
def test_near_agrees_at_the_edge_of_its_distance(
    db: sqlite3.Connection, batch: list[dict[str, Any]], data: st.DataObject
) -> None:
    segments = [words(s["text"]) for s in batch] + [
        words(s["title"]) for s in batch if "title" in s
    ]
    if not any(segments):
        return
    node = data.draw(boundary_nears(segments), label="near")
    fill(db, batch)
    assert sql_select(db, node, batch) == matcher_select(node, batch), render(node)
