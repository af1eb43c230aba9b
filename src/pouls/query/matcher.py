"""The streaming back end: every topic of a workspace tested against each new signal at once.

All the words, prefixes, phrases, hashtags, mentions and emoji of all topics go into one
Aho-Corasick automaton, run once per signal over its folded words (`tokens.words`). A topic's
boolean tree is evaluated only when one of its *trigger* patterns was found (a set of patterns
at least one of which must be present for the query to be true), or always when no such set
exists (`NOT spam`, `lang:fr`, `raw:"..."`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import ahocorasick

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
    Word,
    leaves,
)
from pouls.query.parser import ascii_lower, parse
from pouls.query.tokens import site_of, tags, words

Check = Callable[["_Doc"], bool]


def pattern(leaf: Node) -> str | None:
    """The automaton key of a text leaf, over `_Doc.joined`; None for other nodes."""
    if isinstance(leaf, Word):
        return f" {leaf.text} "
    if isinstance(leaf, Prefix):
        return f" {leaf.stem}"
    if isinstance(leaf, Phrase):
        return f" {' '.join(leaf.words)} "
    if isinstance(leaf, Hashtag):
        return f" #{leaf.tag} "
    if isinstance(leaf, Mention):
        return f" @{leaf.handle} "
    if isinstance(leaf, Emoji):
        return f" {leaf.char} "
    return None


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


class _Doc:
    """One signal as the compiled topics read it."""

    __slots__ = ("_facts", "hits", "segments", "signal", "text", "title")

    def __init__(
        self, signal: Any, title: str, text: str, segments: list[list[str]], hits: set[str]
    ) -> None:
        self.signal = signal
        self.title = title
        self.text = text
        self.segments = segments
        self.hits = hits
        self._facts: _Facts | None = None

    def facts(self) -> _Facts:
        if self._facts is None:
            self._facts = _Facts(self.signal)
        return self._facts


def _texts(signal: Any) -> tuple[str, str]:
    if type(signal) is dict or isinstance(signal, Mapping):
        return signal.get("title") or "", signal.get("text") or ""
    return signal.title or "", signal.text or ""


def _spans(operand: Node, segment: list[str]) -> list[tuple[int, int]]:
    if isinstance(operand, Or):
        return [span for child in operand.children for span in _spans(child, segment)]
    if isinstance(operand, Word):
        w = operand.text
        return [(i, i) for i, t in enumerate(segment) if t == w]
    if isinstance(operand, Prefix):
        stem = operand.stem
        return [(i, i) for i, t in enumerate(segment) if t.startswith(stem)]
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


def _compile_near(node: Near) -> Check:
    needed = [frozenset(p for leaf in leaves(op) if (p := pattern(leaf))) for op in node.operands]
    operands, distance, ordered = node.operands, node.distance, node.ordered

    def check(doc: _Doc) -> bool:
        hits = doc.hits
        if not all(not hits.isdisjoint(n) for n in needed):
            return False
        for segment in doc.segments:
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

        def lang(doc: _Doc) -> bool:
            lg = doc.facts().lang
            return lg == value or lg.startswith(dash) or lg.startswith(under)

        return lang
    if name == "author":
        return lambda doc: value in (doc.facts().author, doc.facts().handle)
    if name == "site":
        dotted = f".{value}"
        return lambda doc: doc.facts().site == value or doc.facts().site.endswith(dotted)
    return lambda doc: getattr(doc.facts(), name) == value


def _cost(node: Node) -> int:
    if pattern(node) is not None:
        return 0
    if isinstance(node, Field | Raw):
        return 1
    if isinstance(node, Near):
        return 3
    return 2


def compile_check(node: Node) -> Check:
    """A function telling whether a `_Doc` satisfies the node."""
    key = pattern(node)
    if key is not None:
        return lambda doc: key in doc.hits
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
    checks = tuple(compile_check(c) for c in sorted(node.children, key=_cost))
    if len(checks) == 2:
        a, b = checks
        if isinstance(node, And):
            return lambda doc: a(doc) and b(doc)
        return lambda doc: a(doc) or b(doc)
    if isinstance(node, And):
        return lambda doc: all(c(doc) for c in checks)
    return lambda doc: any(c(doc) for c in checks)


def triggers(node: Node, cost: Callable[[str], float] = len) -> frozenset[str] | None:
    """Patterns at least one of which a matching signal must contain; None when there are none.

    Where there is a choice (the children of an AND, the operands of a NEAR), takes the set of
    least total `cost`: the matcher passes how common each pattern looks.
    """
    key = pattern(node)
    if key is not None:
        return frozenset((key,))
    if isinstance(node, Or):
        found: set[str] = set()
        for child in node.children:
            sub = triggers(child, cost)
            if sub is None:
                return None
            found |= sub
        return frozenset(found)
    if isinstance(node, And | Near):
        options = [
            t
            for c in (node.children if isinstance(node, And) else node.operands)
            if (t := triggers(c, cost)) is not None
        ]
        if not options:
            return None
        return min(options, key=lambda t: sum(map(cost, t)))
    return None  # Not, Field, Raw: true or false whatever words are present


class _Topic:
    __slots__ = ("check", "node", "patterns", "rank", "triggers")

    def __init__(self, node: Node, rank: int) -> None:
        self.node = node
        self.rank = rank
        self.check = compile_check(node)
        self.patterns = frozenset(p for leaf in leaves(node) if (p := pattern(leaf)))
        self.triggers: frozenset[str] | None = None


class Matcher:
    """All topics of a workspace, compiled together; `match` returns the topics a signal meets."""

    def __init__(self, topics: Mapping[str, str | Node] | None = None) -> None:
        self._topics: dict[str, _Topic] = {}
        self._uses: dict[str, int] = {}
        self._triggered: dict[str, set[str]] = {}
        self._always: set[str] = set()
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        self._dirty = False
        self._pending: set[str] = set()  # topics whose triggers are to be chosen
        self._next_rank = 0
        for topic_id, query in (topics or {}).items():
            self.add(topic_id, query)

    def __len__(self) -> int:
        return len(self._topics)

    def __contains__(self, topic_id: object) -> bool:
        return topic_id in self._topics

    def add(self, topic_id: str, query: str | Node) -> None:
        """Compile one more topic; raises ValueError if the id is taken, QueryError if invalid."""
        if topic_id in self._topics:
            raise ValueError(f"topic {topic_id!r} is already in the matcher")
        node = parse(query) if isinstance(query, str) else query
        topic = _Topic(node, self._next_rank)
        self._next_rank += 1
        self._topics[topic_id] = topic
        for p in topic.patterns:
            count = self._uses.get(p, 0)
            if count == 0:
                self._automaton.add_word(p, p)
                self._dirty = True
            self._uses[p] = count + 1
        self._pending.add(topic_id)

    def remove(self, topic_id: str) -> None:
        """Forget a topic; raises KeyError if unknown."""
        topic = self._topics.pop(topic_id)
        for p in topic.patterns:
            count = self._uses[p] - 1
            if count == 0:
                del self._uses[p]
                self._automaton.remove_word(p)
                self._dirty = True
            else:
                self._uses[p] = count
        self._pending.discard(topic_id)
        self._untrigger(topic_id, topic)

    def _untrigger(self, topic_id: str, topic: _Topic) -> None:
        if topic.triggers is None:
            self._always.discard(topic_id)
        else:
            for p in topic.triggers:
                ids = self._triggered[p]
                ids.discard(topic_id)
                if not ids:
                    del self._triggered[p]
        topic.triggers = None

    def update(self, topic_id: str, query: str | Node) -> None:
        """Replace a topic's query (or add it); only the patterns that changed touch the automaton."""
        node = parse(query) if isinstance(query, str) else query
        if topic_id in self._topics:
            rank = self._topics[topic_id].rank
            self.remove(topic_id)
            self.add(topic_id, node)
            self._topics[topic_id].rank = rank
        else:
            self.add(topic_id, node)

    def _cost(self, p: str) -> float:
        # How common a pattern probably is in texts: the more topics use it, the more generic
        # it is (brands are specific to a few topics, "avis" or "service" to thousands); short
        # words are common, phrases rare.
        cost = float(self._uses.get(p, 1))
        if len(p) <= 5:
            cost *= 4
        if " " in p.strip():
            cost /= 4
        return cost

    def _build(self) -> None:
        if not self._dirty and not self._pending:
            return
        if self._dirty:
            if self._uses:
                self._automaton.make_automaton()
            self._dirty = False
            # New patterns change what is common: choose every topic's triggers again.
            self._pending.update(self._topics)
        for topic_id in self._pending:
            topic = self._topics[topic_id]
            self._untrigger(topic_id, topic)
            topic.triggers = triggers(topic.node, self._cost)
            if topic.triggers is None:
                self._always.add(topic_id)
            else:
                for p in topic.triggers:
                    self._triggered.setdefault(p, set()).add(topic_id)
        self._pending.clear()

    def match(self, signal: Any) -> list[str]:
        """Ids of the topics the signal matches, in the order the topics were added.

        `signal` is a `pouls.signals.Signal` or a mapping with the same keys (and `country`).
        """
        self._build()
        return self._match(signal)

    def match_batch(self, signals: Iterable[Any]) -> list[list[str]]:
        """`match` for each signal of a batch."""
        self._build()
        return [self._match(s) for s in signals]

    def _match(self, signal: Any) -> list[str]:
        title, text = _texts(signal)
        text_words = words(text)
        hashtags, mentions, emoji = tags(text)
        if title:
            title_words = words(title)
            segments = [title_words, text_words]
            more = tags(title)
            hashtags |= more[0]
            mentions |= more[1]
            emoji |= more[2]
        else:
            title_words = []
            segments = [text_words]
        marks = " ".join([*("#" + h for h in hashtags), *("@" + m for m in mentions), *emoji])
        joined = f" {' '.join(title_words)} \n {' '.join(text_words)} \n {marks} "
        hits = {p for _, p in self._automaton.iter(joined)} if self._uses else set()
        candidates = set(self._always)
        triggered = self._triggered
        for p in hits:
            ids = triggered.get(p)
            if ids:
                candidates |= ids
        if not candidates:
            return []
        doc = _Doc(signal, title, text, segments, hits)
        topics = self._topics
        found = [tid for tid in candidates if topics[tid].check(doc)]
        if len(found) > 1:
            found.sort(key=lambda tid: topics[tid].rank)
        return found
