"""The streaming back end: every topic of a workspace tested against each new signal at once.

A signal's text is cut into pieces (`tokens.pieces`: bytes, one C call); each distinct piece is
read once and remembered with the index *keys* it holds (`checks.keys`): the topics' folded
words, prefixes, wildcards and emoji. Most signals hold no key that could make a topic true,
which one set lookup per piece tells. A topic's compiled check (`checks.compile_check`) runs
only when one of its *trigger* keys was found (a set of keys at least one of which must be
present for the query to be true), or always when no such set exists (`NOT spam`, `lang:fr`,
`raw:"..."`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pouls.query.checks import Doc, compile_check, keys, partial, word_pattern
from pouls.query.nodes import And, Near, Node, Or, leaves
from pouls.query.parser import parse
from pouls.query.tokens import emoji, piece_words, pieces

_MAX_PIECES = 100_000  # pieces remembered per matcher before it starts afresh


def _head(key: str) -> str:
    """Where a prefix or wildcard key is indexed: its first 3 letters ("" if it has fewer, which
    only a tree built by hand, not a parsed query, can have)."""
    head = key[:3]
    return "" if "*" in head or "?" in head else head


def _texts(signal: Any) -> tuple[str, str]:
    if type(signal) is dict or isinstance(signal, Mapping):
        return signal.get("title") or "", signal.get("text") or ""
    return signal.title or "", signal.text or ""


def triggers(node: Node, cost: Callable[[str], float] = len) -> frozenset[str] | None:
    """Keys at least one of which a matching signal must hold; None when there are none.

    Where there is a choice (the keys of a phrase, the children of an AND, the operands of a
    NEAR), takes the one of least total `cost`: the matcher passes how common a key looks.
    """
    if isinstance(node, Or):
        found: set[str] = set()
        for child in node.children:
            sub = triggers(child, cost)
            if sub is None:
                return None
            found |= sub
        return frozenset(found)
    if isinstance(node, (And, Near)):
        options = [
            t
            for c in (node.children if isinstance(node, And) else node.operands)
            if (t := triggers(c, cost)) is not None
        ]
        if not options:
            return None
        return min(options, key=lambda t: sum(map(cost, t)))
    needed = keys(node)
    if needed:
        return frozenset((min(needed, key=cost),))
    return None  # Not, Field, Raw, a hashtag of underscores: true or false whatever the words


class _Topic:
    __slots__ = ("check", "keys", "node", "rank", "triggers")

    def __init__(self, node: Node, rank: int) -> None:
        self.node = node
        self.rank = rank
        self.check = compile_check(node)
        self.keys = [k for leaf in leaves(node) for k in keys(leaf)]
        self.triggers: frozenset[str] | None = None


class Matcher:
    """All topics of a workspace, compiled together; `match` returns the topics a signal meets."""

    def __init__(self, topics: Mapping[str, str | Node] | None = None) -> None:
        self._topics: dict[str, _Topic] = {}
        self._uses: dict[str, int] = {}  # key -> how many leaves of all topics need it
        # The first 3 letters of prefixes and wildcards (`_head`) -> their keys -> tests.
        self._partials: dict[str, dict[str, Callable[[str], object]]] = {}
        self._emoji: set[str] = set()  # the emoji of emoji keys
        self._triggered: dict[str, set[str]] = {}
        self._always: set[str] = set()
        # Pieces of text seen since the keys last changed: those that hold keys (with the keys),
        # and those that hold no trigger (most, and most signals hold only those). A piece seen
        # is in one or both; a piece in neither is new.
        self._loud: dict[bytes, frozenset[str]] = {}
        self._quiet: set[bytes] = set()
        self._new_keys = False
        self._pending: set[str] = set()  # topics whose triggers are to be chosen
        self._changes = 0  # topics added or removed since every topic's triggers were chosen
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
        for k in topic.keys:
            count = self._uses.get(k, 0)
            if count == 0:
                self._new_keys = True
                if partial(k):
                    self._partials.setdefault(_head(k), {})[k] = word_pattern(k).fullmatch
                elif k.startswith(" "):
                    self._emoji.add(k[1:])
            self._uses[k] = count + 1
        self._pending.add(topic_id)
        self._changes += 1

    def remove(self, topic_id: str) -> None:
        """Forget a topic; raises KeyError if unknown."""
        topic = self._topics.pop(topic_id)
        for k in topic.keys:
            count = self._uses[k] - 1
            if count:
                self._uses[k] = count
                continue
            del self._uses[k]  # pieces seen keep it: no topic checks it any more
            if partial(k):
                partials = self._partials[_head(k)]
                del partials[k]
                if not partials:
                    del self._partials[_head(k)]
            elif k.startswith(" "):
                self._emoji.discard(k[1:])
        self._pending.discard(topic_id)
        self._changes += 1
        self._untrigger(topic_id, topic)

    def _untrigger(self, topic_id: str, topic: _Topic) -> None:
        if topic.triggers is None:
            self._always.discard(topic_id)
        else:
            for k in topic.triggers:
                ids = self._triggered[k]
                ids.discard(topic_id)
                if not ids:
                    del self._triggered[k]
        topic.triggers = None

    def update(self, topic_id: str, query: str | Node) -> None:
        """Replace a topic's query (or add it); only its own keys and triggers change."""
        node = parse(query) if isinstance(query, str) else query
        if topic_id in self._topics:
            rank = self._topics[topic_id].rank
            self.remove(topic_id)
            self.add(topic_id, node)
            self._topics[topic_id].rank = rank
        else:
            self.add(topic_id, node)

    def _cost(self, k: str) -> float:
        # How common a key probably is in texts: the more topics use it, the more generic it is
        # (brands are specific to a few topics, "avis" or "service" to thousands); short words
        # are common.
        cost = float(self._uses.get(k, 1))
        if len(k) <= 5:
            cost *= 4
        return cost

    def _build(self) -> None:
        if not self._new_keys and not self._pending:
            return
        if self._new_keys:  # a piece seen may hold a new key
            self._forget()
            self._new_keys = False
        if self._changes > len(self._topics) // 10:
            # What is common has moved: choose every topic's triggers again (and which pieces
            # hold one).
            self._pending.update(self._topics)
            self._changes = 0
            self._forget()
        fresh: set[str] = set()
        for topic_id in self._pending:
            topic = self._topics[topic_id]
            self._untrigger(topic_id, topic)
            topic.triggers = triggers(topic.node, self._cost)
            if topic.triggers is None:
                self._always.add(topic_id)
                continue
            for k in topic.triggers:
                ids = self._triggered.get(k)
                if ids is None:
                    ids = self._triggered[k] = set()
                    fresh.add(k)
                ids.add(topic_id)
        self._pending.clear()
        if fresh and self._quiet:  # pieces holding a key that has just become a trigger
            self._quiet.difference_update(
                [piece for piece, held in self._loud.items() if not held.isdisjoint(fresh)]
            )

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

    def _forget(self) -> None:
        self._loud.clear()
        self._quiet.clear()

    def _learn(self, piece: bytes) -> None:
        """Remember the keys a piece holds, and whether it holds a trigger."""
        held_words = piece_words(piece)
        found = [w for w in held_words if w in self._uses]
        if self._partials:
            short = self._partials.get("", {})
            for w in held_words:
                for partials in (self._partials.get(w[:3]), short):
                    if partials:
                        found.extend(k for k, test in partials.items() if test(w))
        if self._emoji and not piece.isascii():
            held_emoji = emoji(piece.decode("utf-8", "surrogatepass")) & self._emoji
            found.extend(f" {c}" for c in held_emoji)
        if not found:
            self._quiet.add(piece)
            return
        held = self._loud[piece] = frozenset(found)
        if self._triggered.keys().isdisjoint(held):
            self._quiet.add(piece)

    def _hits(self, cut: list[bytes]) -> set[str]:
        """The keys the pieces hold."""
        loud = self._loud
        if len(loud) + len(self._quiet) > _MAX_PIECES:  # bound the memory new words take
            self._forget()
        distinct = set(cut)
        for piece in distinct.difference(self._quiet):  # pieces holding a trigger, or new
            if piece not in loud:
                self._learn(piece)
        found: set[str] = set()
        for piece in loud.keys() & distinct:
            found |= loud[piece]
        return found

    def _match(self, signal: Any) -> list[str]:
        title, text = _texts(signal)
        cut = pieces(f"{title}\n{text}" if title else text)
        if not self._always and self._quiet.issuperset(cut):
            return []  # most signals: no trigger at all
        hits = self._hits(cut)
        candidates = set(self._always)
        triggered = self._triggered
        for k in hits:
            ids = triggered.get(k)
            if ids:
                candidates |= ids
        if not candidates:
            return []
        doc = Doc(signal, title, text, hits)
        topics = self._topics
        found = [tid for tid in candidates if topics[tid].check(doc)]
        if len(found) > 1:
            found.sort(key=lambda tid: topics[tid].rank)
        return found
