"""Compiles a query AST to SQLite: an FTS5 MATCH expression plus a WHERE over the facets.

Pure: it builds SQL text and parameters; the store runs them. Each node compiles to an *upper*
condition (every signal the node matches satisfies it) and a *lower* one (only signals it
matches satisfy it); they are the same SQL where SQLite can say exactly what the node means.
NOT swaps them, so a negated approximation stays on the safe side. The plan selects the upper
condition of the whole query; when it is not exact, the caller finishes with the matcher.

Exact in SQL: words, prefixes, phrases, unordered NEAR (expanded when it has OR groups), fields,
`raw:`. Approximate: hashtags and mentions (FTS5 sees their words only), emoji (FTS5 drops
them), `?` wildcards (FTS5 has prefixes only: the letters before the first `?`), ordered NEAR
(FTS5 has no order), NEAR with too many OR combinations or with a `?` wildcard.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

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
from pouls.query.tokens import words

MAX_NEAR_EXPANSION = 64
_FTS_IN = "signals.seq IN (SELECT rowid FROM signals_fts WHERE signals_fts MATCH ?)"


@dataclass(frozen=True, slots=True)
class SqlPlan:
    """How to select a query's candidates from `signals`.

    `match`: an FTS5 expression for `signals_fts MATCH` (None: no full-text constraint);
    `where`: SQL over `signals` (columns qualified, `?` placeholders) with `params`;
    `exact`: True when the candidates are exactly the matches, else run the matcher on them.
    """

    match: str | None
    where: str
    params: tuple[object, ...] = ()
    exact: bool = True

    def condition(self) -> tuple[str, list[object]]:
        """One SQL condition over `signals` (match and where together) and its parameters."""
        if self.match is None:
            return self.where, list(self.params)
        if self.where == "1":
            return _FTS_IN, [self.match]
        return f"{_FTS_IN} AND {self.where}", [self.match, *self.params]


# A condition: ("true",) | ("false",) | ("fts", expr) | ("sql", text, params)
# | ("and", [conds]) | ("or", [conds]) | ("not", cond)
Cond = tuple
_TRUE: Cond = ("true",)
_FALSE: Cond = ("false",)


@dataclass(slots=True)
class _Bounds:
    upper: Cond
    lower: Cond
    exact: bool


def _quote(tokens: list[str] | tuple[str, ...]) -> str:
    return '"' + " ".join(tokens) + '"'


def _span_fts(node: Node) -> list[str]:
    """FTS5 phrases for a NEAR operand (one per OR alternative)."""
    if isinstance(node, Or):
        return [p for child in node.children for p in _span_fts(child)]
    if isinstance(node, Word):
        return [_quote([node.text])]
    if isinstance(node, Prefix):
        return [_quote([node.stem]) + "*"]
    if isinstance(node, Wildcard):
        return [_quote([node.pattern.split("?")[0]]) + "*"]
    assert isinstance(node, Phrase)
    return [_quote(node.words)]


def _neg(cond: Cond) -> Cond:
    if cond[0] == "true":
        return _FALSE
    if cond[0] == "false":
        return _TRUE
    if cond[0] == "not":
        return cond[1]
    return ("not", cond)


def _join(kind: str, items: list[Cond]) -> Cond:
    unit, zero = (_TRUE, _FALSE) if kind == "and" else (_FALSE, _TRUE)
    flat: list[Cond] = []
    for item in items:
        if item[0] == zero[0]:
            return zero
        if item[0] == unit[0]:
            continue
        flat.extend(item[1] if item[0] == kind else [item])
    if not flat:
        return unit
    return flat[0] if len(flat) == 1 else (kind, flat)


def _exact(cond: Cond) -> _Bounds:
    return _Bounds(cond, cond, True)


def _field(node: Field) -> Cond:
    column = f"lower(coalesce(signals.{node.name}, ''))"
    v = node.value
    if node.name == "lang":
        return (
            "sql",
            f"({column} = ? OR substr({column}, 1, ?) IN (?, ?))",
            (v, len(v) + 1, f"{v}-", f"{v}_"),
        )
    if node.name == "site":
        escaped = v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return ("sql", f"({column} = ? OR {column} LIKE ? ESCAPE '\\')", (v, f"%.{escaped}"))
    if node.name == "author":
        handle = (
            "lower(ltrim(coalesce(json_extract(CAST(signals.doc AS TEXT),"
            " '$.author_handle'), ''), '@'))"
        )
        return ("sql", f"({column} = ? OR {handle} = ?)", (v, v))
    return ("sql", f"{column} = ?", (v,))


def _near(node: Near) -> _Bounds:
    alternatives = [_span_fts(op) for op in node.operands]
    combos = 1
    for alt in alternatives:
        combos *= len(alt)
    if combos <= MAX_NEAR_EXPANSION:
        nears = [
            ("fts", f"NEAR({' '.join(combo)}, {node.distance})")
            for combo in itertools.product(*alternatives)
        ]
        upper = _join("or", nears)
        if not node.ordered and not any(isinstance(leaf, Wildcard) for leaf in leaves(node)):
            return _exact(upper)
        return _Bounds(upper, _FALSE, False)
    upper = _join("and", [_join("or", [("fts", p) for p in alt]) for alt in alternatives])
    return _Bounds(upper, _FALSE, False)


def bounds(node: Node) -> _Bounds:
    """Upper and lower SQL conditions of a node, and whether they are the same."""
    if isinstance(node, Word):
        return _exact(("fts", _quote([node.text])))
    if isinstance(node, Prefix):
        return _exact(("fts", _quote([node.stem]) + "*"))
    if isinstance(node, Wildcard):
        return _Bounds(("fts", _span_fts(node)[0]), _FALSE, False)
    if isinstance(node, Phrase):
        return _exact(("fts", _quote(node.words)))
    if isinstance(node, Hashtag | Mention):
        found = words(node.tag if isinstance(node, Hashtag) else node.handle)
        return _Bounds(("fts", _quote(found)) if found else _TRUE, _FALSE, False)
    if isinstance(node, Emoji):
        return _Bounds(_TRUE, _FALSE, False)
    if isinstance(node, Raw):
        sql = "(instr(coalesce(signals.title, ''), ?) > 0 OR instr(signals.text, ?) > 0)"
        return _exact(("sql", sql, (node.text, node.text)))
    if isinstance(node, Field):
        return _exact(_field(node))
    if isinstance(node, Near):
        return _near(node)
    if isinstance(node, Not):
        inner = bounds(node.child)
        return _Bounds(_neg(inner.lower), _neg(inner.upper), inner.exact)
    assert isinstance(node, And | Or)
    kind = "and" if isinstance(node, And) else "or"
    parts = [bounds(c) for c in node.children]
    return _Bounds(
        _join(kind, [p.upper for p in parts]),
        _join(kind, [p.lower for p in parts]),
        all(p.exact for p in parts),
    )


def _merge(cond: Cond) -> Cond:
    """Fold sibling full-text conditions into one FTS5 expression each."""
    kind = cond[0]
    if kind == "not":
        return _neg(_merge(cond[1]))
    if kind not in ("and", "or"):
        return cond
    children = [_merge(c) for c in cond[1]]
    texts = [c[1] for c in children if c[0] == "fts"]
    rest = [c for c in children if c[0] != "fts"]
    if kind == "or":
        if len(texts) > 1:
            rest.insert(0, ("fts", " OR ".join(f"({t})" for t in texts)))
        elif texts:
            rest.insert(0, ("fts", texts[0]))
        return _join("or", rest)
    if not texts:
        return _join("and", rest)
    negated = [c[1][1] for c in rest if c[0] == "not" and c[1][0] == "fts"]
    rest = [c for c in rest if not (c[0] == "not" and c[1][0] == "fts")]
    expr = " AND ".join(f"({t})" for t in texts) if len(texts) > 1 else texts[0]
    if negated:
        excluded = negated[0] if len(negated) == 1 else " OR ".join(f"({t})" for t in negated)
        expr = f"({expr}) NOT ({excluded})"
    return _join("and", [("fts", expr), *rest])


def _render(cond: Cond, params: list[object]) -> str:
    kind = cond[0]
    if kind == "true":
        return "1"
    if kind == "false":
        return "0"
    if kind == "fts":
        params.append(cond[1])
        return _FTS_IN
    if kind == "sql":
        params.extend(cond[2])
        return cond[1]
    if kind == "not":
        return f"NOT {_render(cond[1], params)}"
    glue = " AND " if kind == "and" else " OR "
    return "(" + glue.join(_render(c, params) for c in cond[1]) + ")"


def compile_sqlite(node: Node) -> SqlPlan:
    """The SQLite plan selecting a query's candidates (its matches when `exact`)."""
    found = bounds(node)
    cond = _merge(found.upper)
    match = None
    if cond[0] == "fts":
        match, cond = cond[1], _TRUE
    elif cond[0] == "and" and any(c[0] == "fts" for c in cond[1]):
        text = next(c for c in cond[1] if c[0] == "fts")
        match = text[1]
        cond = _join("and", [c for c in cond[1] if c is not text])
    params: list[object] = []
    where = _render(cond, params)
    return SqlPlan(match, where, tuple(params), found.exact)
