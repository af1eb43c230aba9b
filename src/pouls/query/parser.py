"""Query text to AST, with errors that name the column and say how to fix the query.

Precedence, tightest first: NEAR, then NOT / `-`, then AND (also implied by a space) and OR.
AND and OR never mix without parentheses: `a b OR c` is an error (as in Brandwatch), because
people read it both ways. `a NOT b` means `a AND NOT b`.
"""

from __future__ import annotations

from pouls.query.lexer import Lexeme, QueryError, lex
from pouls.query.nodes import And, Near, Node, Not, Or
from pouls.query.terms import field, near_operand, quoted, term

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "QueryError", "parse"]

MAX_LENGTH = 20_000
MAX_DEPTH = 50


def parse(query: str) -> Node:
    """Parse a query into its AST; raises QueryError pointing at the faulty column."""
    if len(query) > MAX_LENGTH:
        raise QueryError(
            "The query is too long (%(length)s characters; the limit is %(limit)s).",
            MAX_LENGTH + 1,
            "too_long",
            length=len(query),
            limit=MAX_LENGTH,
        )
    if not query.strip():
        raise QueryError("The query is empty: type at least one word.", 1, "empty_query")
    return _Parser(lex(query)).parse()


class _Parser:
    def __init__(self, lexemes: list[Lexeme]) -> None:
        self.lexemes = lexemes
        self.pos = 0
        self.depth = 0

    def peek(self) -> Lexeme:
        return self.lexemes[self.pos]

    def take(self) -> Lexeme:
        lexeme = self.lexemes[self.pos]
        self.pos += 1
        return lexeme

    def parse(self) -> Node:
        node = self.expr()
        extra = self.peek()
        if extra.kind == "rparen":
            raise QueryError("This ) has no ( to match it.", extra.column, "unexpected_paren")
        return node

    def expr(self) -> Node:
        items = [self.unary()]
        seen: dict[str, Lexeme] = {}
        while self.peek().kind not in ("rparen", "end"):
            lexeme = self.peek()
            if lexeme.kind in ("and", "or"):
                self.take()
                op = lexeme.kind
                after = self.peek()
                if after.kind in ("rparen", "end", "and", "or"):
                    raise QueryError(
                        "%(operator)s needs a search term on both sides.",
                        lexeme.column,
                        "missing_operand",
                        operator=lexeme.text,
                    )
            else:
                op = "and"  # a space, or `a NOT b`, means AND
            seen.setdefault(op, lexeme)
            if len(seen) == 2:
                raise QueryError(
                    "AND and OR are mixed without parentheses (a space between words means AND)."
                    " Add parentheses to say what goes together, like (a AND b) OR c.",
                    lexeme.column,
                    "mixed_and_or",
                )
            items.append(self.unary())
        if len(items) == 1:
            return items[0]
        cls = Or if "or" in seen else And
        flat: list[Node] = []
        for item in items:
            flat.extend(item.children if isinstance(item, cls) else (item,))
        return cls(tuple(flat))

    def unary(self) -> Node:
        lexeme = self.peek()
        if lexeme.kind not in ("not", "minus"):
            return self.near()
        self.take()
        if self.peek().kind in ("rparen", "end", "and", "or"):
            if lexeme.kind == "not":
                raise QueryError(
                    "NOT needs a search term after it, like NOT spam.",
                    lexeme.column,
                    "missing_operand",
                )
            raise QueryError(
                "A minus sign needs a search term after it, like -spam.",
                lexeme.column,
                "missing_operand",
            )
        self.enter(lexeme)
        child = self.unary()
        self.depth -= 1
        return child.child if isinstance(child, Not) else Not(child)

    def near(self) -> Node:
        first = self.peek()
        left = self.primary()
        lexeme = self.peek()
        if lexeme.kind != "near":
            return left
        self.take()
        second = self.peek()
        right = self.primary()
        if self.peek().kind == "near":
            raise QueryError(
                'NEAR links two things only. For more words, use quotes and ~, like "a b c"~5.',
                self.peek().column,
                "near_chain",
            )
        assert lexeme.number is not None
        return Near(
            (near_operand(left, first), near_operand(right, second)),
            lexeme.number,
            lexeme.flag,
        )

    def enter(self, lexeme: Lexeme) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(
                "Too much nesting (the limit is %(limit)s levels).",
                lexeme.column,
                "too_deep",
                limit=MAX_DEPTH,
            )

    def primary(self) -> Node:
        lexeme = self.take()
        kind = lexeme.kind
        if kind == "lparen":
            if self.peek().kind == "rparen":
                raise QueryError("These parentheses are empty.", lexeme.column, "empty_group")
            self.enter(lexeme)
            node = self.expr()
            self.depth -= 1
            if self.take().kind != "rparen":
                raise QueryError(
                    "This parenthesis is never closed: add a ) where the group ends.",
                    lexeme.column,
                    "unclosed_paren",
                )
            return node
        if kind == "term":
            return term(lexeme)
        if kind == "quoted":
            return quoted(lexeme)
        if kind == "field":
            return field(lexeme)
        if kind == "rparen":
            raise QueryError("This ) has no ( to match it.", lexeme.column, "unexpected_paren")
        if kind == "end":
            raise QueryError(
                "The query ends too early: a search term is missing.",
                lexeme.column,
                "missing_operand",
            )
        if kind in ("not", "minus"):
            raise QueryError(
                "NEAR cannot take NOT: put the NOT before the whole NEAR.",
                lexeme.column,
                "near_operand",
            )
        raise QueryError(
            "%(operator)s needs a search term before it.",
            lexeme.column,
            "missing_operand",
            operator=lexeme.text,
        )
