"""A query tree compiled to one function of a signal: what the matcher runs on its candidates.

The function reads a `Doc`: the index keys the signal's text holds (found by the matcher,
see `keys`), and, only when asked, its words with positions, its hashtags and mentions, and its
other attributes. Cheap tests run first; words are cut again only for phrases and NEAR.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from pouls.query.nodes import (
    And,
    Emoji,
    Field,
    Hashtag,
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
    leaves,
)
from pouls.query.terms import ascii_lower
from pouls.query.tokens import site_of, tags, words

Check = Callable[["Doc"], bool]
_ONE_KEY = (Word, Prefix, Wildcard, Emoji)  # leaves that hold exactly when their one key is present
_TEXT = (*_ONE_KEY, Phrase, Hashtag, Mention)


def keys(leaf: Node) -> tuple[str, ...]:
    """The index keys a text leaf needs, every one of them; () for other nodes.

    A word is its own key, `stem*` a prefix's, `wom?n` a wildcard's, a space and the emoji an
    emoji's. Phrases, hashtags and mentions need the keys of their words (a hashtag's words are
    in the text).
    """
    if isinstance(leaf, Word):
        return (leaf.text,)
    if isinstance(leaf, Prefix):
        return (f"{leaf.stem}*",)
    if isinstance(leaf, Wildcard):
        return (leaf.pattern,)
    if isinstance(leaf, Phrase):
        return leaf.words
    if isinstance(leaf, Hashtag):
        return tuple(words(leaf.tag))
    if isinstance(leaf, Mention):
        return tuple(words(leaf.handle))
    if isinstance(leaf, Emoji):
        return (f" {leaf.char}",)
    return ()


@functools.lru_cache(maxsize=4096)
def word_pattern(key: str) -> re.Pattern[str]:
    """The folded words a prefix (`stem*`) or wildcard (`wom?n`, `wom?n*`) key finds: fullmatch."""
    body = key.removesuffix("*")
    rx = "".join("." if c == "?" else re.escape(c) for c in body)
    return re.compile(rx + (".*" if key.endswith("*") else ""), re.DOTALL)


def partial(key: str) -> bool:
    """Whether a key stands for many words (a prefix or a wildcard): words hold no * or ?."""
    return "*" in key or "?" in key


class _Facts:
    """A signal's attributes as `Field` compares them: ASCII lower-case, '' when absent."""

    __slots__ = (
        "author",
        "channel",
        "country",
        "handle",
        "kind",
        "lang",
        "sentiment",
        "site",
        "source",
        "visibility",
    )

    def __init__(self, signal: Any) -> None:
        get = signal.get if isinstance(signal, Mapping) else lambda n: getattr(signal, n, None)
        sentiment = get("sentiment")
        if sentiment is not None and not isinstance(sentiment, str):
            sentiment = sentiment["label"] if isinstance(sentiment, Mapping) else sentiment.label
        country = get("country") if isinstance(signal, Mapping) else None
        geo = get("geo")
        if country is None and geo is not None:
            country = geo.get("country") if isinstance(geo, Mapping) else geo.country
        self.lang = ascii_lower(get("lang") or "")
        self.channel = ascii_lower(get("channel") or "")
        self.source = ascii_lower(get("source") or "")
        self.kind = ascii_lower(get("kind") or "")
        self.visibility = ascii_lower(get("visibility") or "")
        self.author = ascii_lower(get("author") or "")
        self.handle = ascii_lower(get("author_handle") or "").lstrip("@")
        self.sentiment = ascii_lower(sentiment or "")
        self.site = ascii_lower(site_of(get("url")) or "")
        self.country = ascii_lower(country or "")


class Doc:
    """One signal as compiled checks read it: the keys it holds (all of them), the rest when asked."""

    __slots__ = ("_facts", "_segments", "_tags", "hits", "signal", "text", "title")

    def __init__(self, signal: Any, title: str, text: str, hits: set[str]) -> None:
        self.signal = signal
        self.title = title
        self.text = text
        self.hits = hits
        self._facts: _Facts | None = None
        self._segments: list[list[str]] | None = None
        self._tags: tuple[set[str], set[str]] | None = None

    def facts(self) -> _Facts:
        if self._facts is None:
            self._facts = _Facts(self.signal)
        return self._facts

    def segments(self) -> list[list[str]]:
        """The words of the title and of the text: positions never run from one to the other."""
        if self._segments is None:
            self._segments = (
                [words(self.title), words(self.text)] if self.title else [words(self.text)]
            )
        return self._segments

    def tags(self) -> tuple[set[str], set[str]]:
        """Hashtags and mentions of the title and the text."""
        if self._tags is None:
            hashtags, mentions, _ = tags(self.text)
            if self.title:
                more = tags(self.title)
                hashtags, mentions = hashtags | more[0], mentions | more[1]
            self._tags = (hashtags, mentions)
        return self._tags


def _has_run(segment: list[str], run: list[str]) -> bool:
    first, n = run[0], len(run)
    i = -1
    try:
        while True:
            i = segment.index(first, i + 1)
            if segment[i : i + n] == run:
                return True
    except ValueError:
        return False


def _spans(operand: Node, segment: list[str]) -> list[tuple[int, int]]:
    if isinstance(operand, Or):
        return [span for child in operand.children for span in _spans(child, segment)]
    if isinstance(operand, Word):
        w = operand.text
        return [(i, i) for i, t in enumerate(segment) if t == w]
    if isinstance(operand, Prefix):
        stem = operand.stem
        return [(i, i) for i, t in enumerate(segment) if t.startswith(stem)]
    if isinstance(operand, Wildcard):
        test = word_pattern(operand.pattern).fullmatch
        return [(i, i) for i, t in enumerate(segment) if test(t)]
    assert isinstance(operand, Phrase)
    ws = list(operand.words)
    n = len(ws)
    first = ws[0]
    return [
        (i, i + n - 1)
        for i, t in enumerate(segment[: len(segment) - n + 1])
        if t == first and segment[i : i + n] == ws
    ]


def near_holds(spans: list[list[tuple[int, int]]], distance: int, ordered: bool) -> bool:
    """Whether one span per operand fits: FTS5 NEAR's rule, or in written order for NEAR/nf.

    Unordered (FTS5): with S the latest start chosen, every chosen span ends at most
    `distance` words before S. Ordered: each span starts after the previous one ends, with at
    most `distance` words between them.
    """
    if ordered:
        first, second = spans
        return any(0 <= b0 - a1 - 1 <= distance for _, a1 in first for b0, _ in second)
    for start in sorted({s for operand in spans for s, _ in operand}):
        if all(any(s <= start and e >= start - distance - 1 for s, e in op) for op in spans):
            return True
    return False


def _compile_near(node: Node) -> Check:
    assert isinstance(node, Near)
    # An operand is possible only if all the keys of one of its leaves are present: those of
    # one-leaf operands are all needed, one key of an OR of words at least.
    needed: set[str] = set()
    any_of: list[frozenset[str]] = []
    one_of: list[tuple[frozenset[str], ...]] = []
    for op in node.operands:
        found = [frozenset(keys(leaf)) for leaf in leaves(op)]
        if len(found) == 1:
            needed |= found[0]
        elif all(len(k) == 1 for k in found):
            any_of.append(frozenset().union(*found))
        else:
            one_of.append(tuple(found))
    all_of = frozenset(needed)
    operands, distance, ordered = node.operands, node.distance, node.ordered

    def check(doc: Doc) -> bool:
        hits = doc.hits
        if not all_of <= hits:
            return False
        if any_of and any(k.isdisjoint(hits) for k in any_of):
            return False
        if one_of and not all(any(k <= hits for k in op) for op in one_of):
            return False
        for segment in doc.segments():
            spans = [_spans(op, segment) for op in operands]
            if all(spans) and near_holds(spans, distance, ordered):
                return True
        return False

    return check


def _compile_field(node: Field) -> Check:
    value = node.value
    name = node.name
    if name == "lang":
        dash, under = f"{value}-", f"{value}_"

        def lang(doc: Doc) -> bool:
            lg = doc.facts().lang
            return lg == value or lg.startswith(dash) or lg.startswith(under)

        return lang
    if name == "author":
        return lambda doc: value in (doc.facts().author, doc.facts().handle)
    if name == "site":
        dotted = f".{value}"
        return lambda doc: doc.facts().site == value or doc.facts().site.endswith(dotted)
    return lambda doc: getattr(doc.facts(), name) == value


def _compile_leaf(node: Node) -> Check:
    needed = frozenset(keys(node))
    if isinstance(node, Phrase):
        run = list(node.words)
        return lambda doc: needed <= doc.hits and any(_has_run(s, run) for s in doc.segments())
    if isinstance(node, (Hashtag, Mention)):
        tag, which = (node.tag, 0) if isinstance(node, Hashtag) else (node.handle, 1)
        return lambda doc: needed <= doc.hits and tag in doc.tags()[which]
    (key,) = needed
    return lambda doc: key in doc.hits


def _cost(node: Node) -> int:
    """How much evaluating a node takes: the cheap ones are tried first."""
    if isinstance(node, _ONE_KEY):
        return 0
    if isinstance(node, (Field, Raw)):
        return 1
    if isinstance(node, (Phrase, Hashtag, Mention)):
        return 2
    if isinstance(node, Near):
        return 3
    if isinstance(node, Not):
        return _cost(node.child)
    assert isinstance(node, And | Or)
    return max(map(_cost, node.children))


def compile_check(node: Node) -> Check:
    """A function telling whether a `Doc` satisfies the node."""
    if isinstance(node, _TEXT):
        return _compile_leaf(node)
    if isinstance(node, Raw):
        text = node.text
        return lambda doc: text in doc.title or text in doc.text
    if isinstance(node, Field):
        return _compile_field(node)
    if isinstance(node, Not):
        inner = compile_check(node.child)
        return lambda doc: not inner(doc)
    if isinstance(node, Near):
        return _compile_near(node)
    assert isinstance(node, And | Or)
    # Children that are one key each (words, prefixes, wildcards, emoji) are tested together,
    # by one set operation on the signal's keys; the others after them, cheapest first.
    simple = frozenset(k for c in node.children if isinstance(c, _ONE_KEY) for k in keys(c))
    rest = sorted((c for c in node.children if not isinstance(c, _ONE_KEY)), key=_cost)
    checks = tuple(compile_check(c) for c in rest)
    if isinstance(node, And):
        if simple:
            checks = ((lambda doc: simple <= doc.hits), *checks)
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            a, b = checks
            return lambda doc: a(doc) and b(doc)
        return lambda doc: all(c(doc) for c in checks)
    if simple:
        checks = ((lambda doc: not simple.isdisjoint(doc.hits)), *checks)
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        a, b = checks
        return lambda doc: a(doc) or b(doc)
    return lambda doc: any(c(doc) for c in checks)
