"""Query text to AST, with errors that name the column and say how to fix the query.

Precedence, tightest first: NEAR, then NOT / `-`, then AND (also implied by a space) and OR.
AND and OR never mix without parentheses: `a b OR c` is an error (as in Brandwatch), because
people read it both ways. `a NOT b` means `a AND NOT b`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from pouls.query.nodes import (
    FIELDS,
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
)
from pouls.query.tokens import _HANDLE, _TAG_BODY, fold, is_emoji, site_of, words
from pouls.signals.model import CHANNELS, KINDS, VISIBILITIES

MAX_LENGTH = 20_000
MAX_DEPTH = 50
MAX_DISTANCE = 1000
SENTIMENTS = ("negative", "neutral", "positive")

_QUOTES = {'"': '"', "“": "”", "«": "»"}
_STOP = set("()") | set(_QUOTES)
_FIELD_START = re.compile(r"([A-Za-z]+):")
_NEAR = re.compile(r"NEAR(?:/(\d*)(f?))?")
_HASHTAG_TERM = re.compile(f"#({_TAG_BODY})")
_MENTION_TERM = re.compile(f"@({_HANDLE}(?:@{_HANDLE})?)")
_EMOJI_GLUE = set("\ufe0f\ufe0e\u200d\u20e3") | {chr(cp) for cp in range(0x1F3FB, 0x1F400)}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class QueryError(ValueError):
    """A query that cannot be read: a plain-English message, the 1-based column, a stable code."""

    def __init__(self, message: str, column: int, code: str) -> None:
        super().__init__(f"{message} (column {column})")
        self.message = message
        self.column = column
        self.code = code


@dataclass(frozen=True, slots=True)
class _Lexeme:
    kind: str  # term, quoted, field, and, or, not, minus, near, lparen, rparen, end
    text: str
    column: int
    value: str = ""
    number: int | None = None
    flag: bool = False


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, as SQLite's lower() does without ICU."""
    return text.translate(_ASCII_LOWER)


def _read_quoted(query: str, i: int) -> tuple[str, int]:
    close = _QUOTES[query[i]]
    out = []
    j = i + 1
    while j < len(query):
        ch = query[j]
        if ch == "\\" and j + 1 < len(query) and query[j + 1] in '"\\':
            out.append(query[j + 1])
            j += 2
            continue
        if ch == close or (ch == '"' and close != '"'):
            return "".join(out), j + 1
        out.append(ch)
        j += 1
    raise QueryError(
        "This quote is never closed: add a closing quote at the end of the phrase.",
        i + 1,
        "unclosed_quote",
    )


def _read_bare(query: str, i: int) -> int:
    j = i
    while j < len(query) and not query[j].isspace() and query[j] not in _STOP:
        j += 1
    return j


def _lex(query: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i = 0
    n = len(query)
    while i < n:
        ch = query[i]
        col = i + 1
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Lexeme("lparen" if ch == "(" else "rparen", ch, col))
            i += 1
        elif ch in _QUOTES:
            text, j = _read_quoted(query, i)
            number = None
            if j < n and query[j] == "~":
                digits = re.match(r"\d+", query[j + 1 :])
                if not digits:
                    raise QueryError(
                        'A ~ after a phrase needs a number of words, like "a b"~5.',
                        j + 1,
                        "bad_proximity",
                    )
                number = int(digits.group())
                j += 1 + len(digits.group())
            out.append(_Lexeme("quoted", query[i:j], col, text, number))
            i = j
        elif ch == "-":
            if i + 1 >= n or query[i + 1].isspace() or query[i + 1] == ")":
                raise QueryError(
                    "A minus sign must be glued to what it leaves out, like -spam.",
                    col,
                    "dangling_minus",
                )
            out.append(_Lexeme("minus", ch, col))
            i += 1
        else:
            i = _lex_word(query, i, out)
    out.append(_Lexeme("end", "", n + 1))
    return out


def _lex_word(query: str, i: int, out: list[_Lexeme]) -> int:
    col = i + 1
    field = _FIELD_START.match(query, i)
    if field and field.group(1).lower() not in ("http", "https"):
        name = field.group(1).lower()
        if name not in FIELDS and name != "raw":
            close = difflib.get_close_matches(name, (*FIELDS, "raw"), n=1)
            hint = f' Did you mean "{close[0]}:"?' if close else ""
            raise QueryError(
                f'Unknown field "{field.group(1)}:".{hint} Fields are: {", ".join(FIELDS)}, raw.'
                " To search for the text itself, put it in quotes.",
                col,
                "unknown_field",
            )
        j = field.end()
        if j < len(query) and query[j] in _QUOTES:
            value, end = _read_quoted(query, j)
        else:
            end = _read_bare(query, j)
            value = query[j:end]
        if not value.strip():
            raise QueryError(
                f"{name}: needs a value after the colon, like {_example(name)}.",
                col,
                "empty_value",
            )
        out.append(_Lexeme("field", name, col, value))
        return end
    end = _read_bare(query, i)
    text = query[i:end]
    if text in ("AND", "OR", "NOT"):
        out.append(_Lexeme(text.lower(), text, col))
        return end
    near = _NEAR.fullmatch(text)
    if near:
        if not near.group(1):
            raise QueryError(
                "NEAR needs a distance in words, like NEAR/5 (or NEAR/5f to keep the order).",
                col,
                "bad_near",
            )
        distance = int(near.group(1))
        if distance > MAX_DISTANCE:
            raise QueryError(f"NEAR distance is at most {MAX_DISTANCE} words.", col, "bad_near")
        out.append(_Lexeme("near", text, col, number=distance, flag=bool(near.group(2))))
        return end
    out.append(_Lexeme("term", text, col, text))
    return end


def _example(name: str) -> str:
    return {
        "lang": "lang:fr",
        "channel": "channel:mastodon",
        "source": "source:my-feed",
        "kind": "kind:post",
        "visibility": "visibility:public",
        "author": "author:@someone",
        "sentiment": "sentiment:negative",
        "site": "site:lemonde.fr",
        "country": "country:fr",
        "raw": 'raw:"Exact Text"',
    }[name]


def parse(query: str) -> Node:
    """Parse a query into its AST; raises QueryError pointing at the faulty column."""
    if len(query) > MAX_LENGTH:
        raise QueryError(
            f"The query is too long ({len(query)} characters; the limit is {MAX_LENGTH}).",
            MAX_LENGTH + 1,
            "too_long",
        )
    if not query.strip():
        raise QueryError("The query is empty: type at least one word.", 1, "empty_query")
    return _Parser(_lex(query)).parse()


class _Parser:
    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lexemes = lexemes
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Lexeme:
        return self.lexemes[self.pos]

    def take(self) -> _Lexeme:
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
        seen: dict[str, _Lexeme] = {}
        while self.peek().kind not in ("rparen", "end"):
            lexeme = self.peek()
            if lexeme.kind in ("and", "or"):
                self.take()
                op = lexeme.kind
                after = self.peek()
                if after.kind in ("rparen", "end", "and", "or"):
                    raise QueryError(
                        f"{lexeme.text} needs a search term on both sides.",
                        lexeme.column,
                        "missing_operand",
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
            word = "NOT" if lexeme.kind == "not" else "A minus sign"
            raise QueryError(
                f"{word} needs a search term after it, like NOT spam.",
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
            (_near_operand(left, first), _near_operand(right, second)),
            lexeme.number,
            lexeme.flag,
        )

    def enter(self, lexeme: _Lexeme) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(
                f"Too much nesting (the limit is {MAX_DEPTH} levels).", lexeme.column, "too_deep"
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
            return _term(lexeme)
        if kind == "quoted":
            return _quoted(lexeme)
        if kind == "field":
            return _field(lexeme)
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
            f"{lexeme.text} needs a search term before it.", lexeme.column, "missing_operand"
        )


def _near_operand(node: Node, lexeme: _Lexeme) -> Node:
    if isinstance(node, Word | Prefix | Phrase):
        return node
    if isinstance(node, Or) and all(isinstance(c, Word | Prefix | Phrase) for c in node.children):
        return node
    raise QueryError(
        "NEAR works with words, phrases, wildcards like ecol*, and OR groups of those.",
        lexeme.column,
        "near_operand",
    )


def _words_node(found: list[str], lexeme: _Lexeme) -> Node:
    if not found:
        raise QueryError(
            f"{lexeme.text} has no letters or digits to search for.", lexeme.column, "empty_term"
        )
    return Word(found[0]) if len(found) == 1 else Phrase(tuple(found))


def _emoji_node(text: str) -> Node | None:
    chars = [c for c in text if not c.isspace()]
    if not chars or not all(is_emoji(c) or c in _EMOJI_GLUE for c in chars):
        return None
    found = list(dict.fromkeys(c for c in chars if is_emoji(c)))
    if not found:
        return None
    return Emoji(found[0]) if len(found) == 1 else And(tuple(Emoji(c) for c in found))


def _term(lexeme: _Lexeme) -> Node:
    text = lexeme.text
    if text.startswith("#"):
        return _tag(lexeme, _HASHTAG_TERM, Hashtag, "#rentrée")
    if text.startswith("@"):
        return _tag(lexeme, _MENTION_TERM, Mention, "@pouls")
    if "*" in text:
        stem = text[:-1]
        if not text.endswith("*") or "*" in stem:
            raise QueryError(
                "The * wildcard only works at the end of a word, like ecol*.",
                lexeme.column + max(text.find("*"), 0),
                "bad_wildcard",
            )
        found = words(stem)
        if len(found) != 1:
            raise QueryError(
                "The * wildcard works on one word, like ecol*.", lexeme.column, "bad_wildcard"
            )
        if len(found[0]) < 3:
            raise QueryError(
                "A wildcard needs at least 3 letters before the *, like ecol*.",
                lexeme.column,
                "short_prefix",
            )
        return Prefix(found[0])
    return _emoji_node(text) or _words_node(words(text), lexeme)


def _tag(lexeme: _Lexeme, pattern: re.Pattern[str], cls: type, example: str) -> Node:
    found = pattern.match(lexeme.text)
    rest = lexeme.text[found.end() :] if found else lexeme.text
    if not found or words(rest):
        raise QueryError(
            f"{lexeme.text[0]} must be followed by letters or digits only, like {example}.",
            lexeme.column,
            "bad_hashtag" if cls is Hashtag else "bad_mention",
        )
    return cls(fold(found.group(1)))


def _quoted(lexeme: _Lexeme) -> Node:
    if "*" in lexeme.value:
        raise QueryError(
            "Wildcards do not work inside quotes: write the word outside them, like ecol*.",
            lexeme.column + lexeme.text.find("*"),
            "bad_wildcard",
        )
    emoji = _emoji_node(lexeme.value)
    if emoji is not None and lexeme.number is None:
        return emoji
    found = words(lexeme.value)
    if lexeme.number is None:
        return _words_node(found, lexeme)
    if len(found) < 2:
        raise QueryError(
            'A ~ proximity needs at least two words in the quotes, like "a b"~5.',
            lexeme.column,
            "bad_proximity",
        )
    if lexeme.number > MAX_DISTANCE:
        raise QueryError(
            f"The distance after ~ is at most {MAX_DISTANCE} words.", lexeme.column, "bad_proximity"
        )
    return Near(tuple(Word(w) for w in found), lexeme.number)


def _field(lexeme: _Lexeme) -> Node:
    name, value = lexeme.text, lexeme.value.strip()
    if name == "raw":
        return Raw(lexeme.value)
    lowered = ascii_lower(value)
    allowed = {
        "channel": CHANNELS,
        "kind": KINDS,
        "visibility": VISIBILITIES,
        "sentiment": SENTIMENTS,
    }.get(name)
    if allowed is not None:
        if lowered not in allowed:
            close = difflib.get_close_matches(lowered, allowed, n=1)
            hint = f' Did you mean "{close[0]}"?' if close else ""
            raise QueryError(
                f'Unknown {name} "{value}".{hint} Choose one of: {", ".join(allowed)}.',
                lexeme.column,
                "bad_value",
            )
        return Field(name, lowered)
    if name == "lang" and not re.fullmatch(r"[a-z]{2,3}", lowered):
        raise QueryError(
            "lang: takes a two-letter language code, like lang:fr or lang:en.",
            lexeme.column,
            "bad_value",
        )
    if name == "country" and not re.fullmatch(r"[a-z]{2}", lowered):
        raise QueryError(
            "country: takes a two-letter country code, like country:fr or country:ca.",
            lexeme.column,
            "bad_value",
        )
    if name == "site":
        site = site_of(lowered if "//" in lowered else f"//{lowered}")
        if not site or any(c.isspace() for c in site):
            raise QueryError(
                "site: takes a domain name, like site:lemonde.fr.", lexeme.column, "bad_value"
            )
        return Field(name, site)
    if name == "author":
        lowered = lowered.lstrip("@")
        if not lowered:
            raise QueryError(
                "author: needs a name after the @, like author:@someone.",
                lexeme.column,
                "empty_value",
            )
    return Field(name, lowered)
