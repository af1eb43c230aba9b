"""The query AST: what a query means, independent of any back end.

Leaves hold folded values (see `tokens.fold`), so two queries that mean the same thing compare
equal. Nodes are frozen and hashable.
"""

from __future__ import annotations

from dataclasses import dataclass

FIELDS = (
    "lang",
    "channel",
    "source",
    "kind",
    "visibility",
    "author",
    "sentiment",
    "site",
    "country",
)


@dataclass(frozen=True, slots=True)
class Word:
    """One word (folded): matches the word anywhere in the title or text."""

    text: str


@dataclass(frozen=True, slots=True)
class Prefix:
    """`stem*`: a word starting with the (folded) stem."""

    stem: str


@dataclass(frozen=True, slots=True)
class Wildcard:
    """`wom?n`: a word with one letter or digit at each `?`; `wom?n*`: a word starting so.

    `pattern` is folded, with `?` for each free character and `*` at the end for a prefix.
    """

    pattern: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """`"a b c"`: these words next to each other, in this order (two or more)."""

    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hashtag:
    """`#tag`: the hashtag, not the bare word."""

    tag: str


@dataclass(frozen=True, slots=True)
class Mention:
    """`@name`: a mention of the account."""

    handle: str


@dataclass(frozen=True, slots=True)
class Emoji:
    """An emoji anywhere in the title or text."""

    char: str


@dataclass(frozen=True, slots=True)
class Raw:
    """`raw:"..."`: this exact character sequence, case and punctuation included."""

    text: str


@dataclass(frozen=True, slots=True)
class Field:
    """`name:value` on a signal's attribute (lang, channel, site, ...)."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Not:
    """`NOT x` or `-x`."""

    child: Node


@dataclass(frozen=True, slots=True)
class And:
    """Every child matches (two or more)."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one child matches (two or more)."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Near:
    """Operands within `distance` words of each other; `ordered`: in the written order.

    Operands are words, prefixes, phrases, or ORs of those. `distance` counts the words
    between two operands, as SQLite FTS5's NEAR does.
    """

    operands: tuple[Node, ...]
    distance: int
    ordered: bool = False


Node = (
    Word
    | Prefix
    | Wildcard
    | Phrase
    | Hashtag
    | Mention
    | Emoji
    | Raw
    | Field
    | Not
    | And
    | Or
    | Near
)
Span = Word | Prefix | Wildcard | Phrase  # what a NEAR operand is made of


def leaves(node: Node) -> list[Node]:
    """Every leaf under a node, left to right."""
    if isinstance(node, Not):
        return leaves(node.child)
    if isinstance(node, And | Or):
        return [leaf for child in node.children for leaf in leaves(child)]
    if isinstance(node, Near):
        return [leaf for child in node.operands for leaf in leaves(child)]
    return [node]
