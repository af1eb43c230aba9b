"""AST back to query text, in one normalised form: `parse(render(node)) == node`."""

from __future__ import annotations

import re

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
)

_BARE_VALUE = re.compile(r'[^\s()"“”«»]+')


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _group(node: Node) -> str:
    text = render(node)
    return f"({text})" if isinstance(node, And | Or) else text


def render(node: Node) -> str:
    """The normalised text of a query: explicit operators, folded words, minimal parentheses."""
    if isinstance(node, Word):
        return node.text
    if isinstance(node, Prefix):
        return f"{node.stem}*"
    if isinstance(node, Wildcard):
        return node.pattern
    if isinstance(node, Phrase):
        return _quote(" ".join(node.words))
    if isinstance(node, Hashtag):
        return f"#{node.tag}"
    if isinstance(node, Mention):
        return f"@{node.handle}"
    if isinstance(node, Emoji):
        return node.char
    if isinstance(node, Raw):
        return f"raw:{_quote(node.text)}"
    if isinstance(node, Field):
        value = node.value
        if not _BARE_VALUE.fullmatch(value) or value.startswith("-"):
            value = _quote(value)
        return f"{node.name}:{value}"
    if isinstance(node, Not):
        return f"NOT {_group(node.child)}"
    if isinstance(node, And):
        return " AND ".join(_group(child) for child in node.children)
    if isinstance(node, Or):
        return " OR ".join(_group(child) for child in node.children)
    if isinstance(node, Near):
        if len(node.operands) > 2:
            return _quote(" ".join(render(o) for o in node.operands)) + f"~{node.distance}"
        left, right = node.operands
        suffix = "f" if node.ordered else ""
        return f"{_group(left)} NEAR/{node.distance}{suffix} {_group(right)}"
    raise TypeError(f"not a query node: {node!r}")
