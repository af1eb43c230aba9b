"""Query text to lexemes: words, quoted phrases, fields, operators and parentheses, each with its
column, so that every error can point at where the query is wrong.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from pouls.query.nodes import FIELDS

MAX_DISTANCE = 1000

_QUOTES = {'"': '"', "“": "”", "«": "»"}
_STOP = set("()") | set(_QUOTES)
_FIELD_START = re.compile(r"([A-Za-z]+):")
_NEAR = re.compile(r"NEAR(?:/(\d*)(f?))?")


class QueryError(ValueError):
    """A query that cannot be read: a plain-English message, the 1-based column, a stable code."""

    def __init__(self, message: str, column: int, code: str, **values: object) -> None:
        filled = message % values if values else message
        super().__init__(f"{filled} (column {column})")
        self.message = filled  # English, as the API and the CLI answer
        self.template = message  # the msgid a page translates, then fills with `values`
        self.values = values
        self.column = column
        self.code = code


@dataclass(frozen=True, slots=True)
class Lexeme:
    """One unit of a query, with its 1-based column."""

    kind: str  # term, quoted, field, and, or, not, minus, near, lparen, rparen, end
    text: str
    column: int
    value: str = ""
    number: int | None = None
    flag: bool = False
    values: tuple[tuple[str, int], ...] = ()  # a field group's values and their columns


def read_quoted(query: str, i: int) -> tuple[str, int]:
    """The text between a quote and its closing quote, and where it ends."""
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


def lex(query: str) -> list[Lexeme]:
    """The lexemes of a query, ending with an `end` lexeme."""
    out: list[Lexeme] = []
    i = 0
    n = len(query)
    while i < n:
        ch = query[i]
        col = i + 1
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(Lexeme("lparen" if ch == "(" else "rparen", ch, col))
            i += 1
        elif ch in _QUOTES:
            text, j = read_quoted(query, i)
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
            out.append(Lexeme("quoted", query[i:j], col, text, number))
            i = j
        elif ch == "-":
            if i + 1 >= n or query[i + 1].isspace() or query[i + 1] == ")":
                raise QueryError(
                    "A minus sign must be glued to what it leaves out, like -spam.",
                    col,
                    "dangling_minus",
                )
            out.append(Lexeme("minus", ch, col))
            i += 1
        else:
            i = _lex_word(query, i, out)
    out.append(Lexeme("end", "", n + 1))
    return out


def _lex_word(query: str, i: int, out: list[Lexeme]) -> int:
    col = i + 1
    field = _FIELD_START.match(query, i)
    if field and field.group(1).lower() not in ("http", "https"):
        name = field.group(1).lower()
        if name not in FIELDS and name != "raw":
            close = difflib.get_close_matches(name, (*FIELDS, "raw"), n=1)
            fields = ", ".join(FIELDS)
            if close:
                raise QueryError(
                    'Unknown field "%(field)s:". Did you mean "%(close)s:"? Fields are:'
                    " %(fields)s, raw. To search for the text itself, put it in quotes.",
                    col,
                    "unknown_field",
                    field=field.group(1),
                    close=close[0],
                    fields=fields,
                )
            raise QueryError(
                'Unknown field "%(field)s:". Fields are: %(fields)s, raw. To search for the'
                " text itself, put it in quotes.",
                col,
                "unknown_field",
                field=field.group(1),
                fields=fields,
            )
        j = field.end()
        if j < len(query) and query[j] == "(" and name != "raw":
            values, end = _read_group(query, j, name)
            out.append(Lexeme("field", name, col, values=values))
            return end
        if j < len(query) and query[j] in _QUOTES:
            value, end = read_quoted(query, j)
        else:
            end = _read_bare(query, j)
            value = query[j:end]
        if not value.strip():
            raise QueryError(
                "%(name)s: needs a value after the colon, like %(example)s.",
                col,
                "empty_value",
                name=name,
                example=example(name),
            )
        out.append(Lexeme("field", name, col, value))
        return end
    end = _read_bare(query, i)
    text = query[i:end]
    if text in ("AND", "OR", "NOT"):
        out.append(Lexeme(text.lower(), text, col))
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
            raise QueryError(
                "NEAR distance is at most %(n)s words.", col, "bad_near", n=MAX_DISTANCE
            )
        out.append(Lexeme("near", text, col, number=distance, flag=bool(near.group(2))))
        return end
    if text.startswith("NEAR/"):  # NEAR/x, NEAR/5x: a NEAR written wrongly, not three words
        raise QueryError(
            "NEAR needs a distance in words, like NEAR/5 (or NEAR/5f to keep the order).",
            col + len("NEAR/"),
            "bad_near",
        )
    out.append(Lexeme("term", text, col, text))
    return end


def _read_group(query: str, i: int, name: str) -> tuple[tuple[tuple[str, int], ...], int]:
    """The values of `name:(a OR b)`, each with its column, and where the group ends."""
    values: list[tuple[str, int]] = []
    j = i + 1
    want_value = True
    while True:
        while j < len(query) and query[j].isspace():
            j += 1
        if j >= len(query):
            raise QueryError(
                "This parenthesis is never closed: add a ) after the last value.",
                i + 1,
                "unclosed_paren",
            )
        if query[j] == ")":
            if not values:
                raise QueryError(
                    "%(name)s:( ) needs values, like %(name)s:(%(pair)s).",
                    i + 1,
                    "empty_value",
                    name=name,
                    pair=_EXAMPLE_PAIRS[name],
                )
            if want_value:
                raise QueryError("OR needs a value on both sides.", j + 1, "missing_operand")
            return tuple(values), j + 1
        if query[j] == "(":
            raise QueryError(
                "A %(name)s:( ) group holds values only, like %(name)s:(%(pair)s).",
                j + 1,
                "bad_value",
                name=name,
                pair=_EXAMPLE_PAIRS[name],
            )
        if query[j] in _QUOTES:
            value, end = read_quoted(query, j)
            bare = ""
        else:
            end = _read_bare(query, j)
            value = bare = query[j:end]
        if bare == "OR":
            if want_value:
                raise QueryError("OR needs a value on both sides.", j + 1, "missing_operand")
            want_value = True
        elif not want_value or bare in ("AND", "NOT"):
            raise QueryError(
                "The values of a %(name)s:( ) group are separated by OR, like %(name)s:(%(pair)s).",
                j + 1,
                "bad_value",
                name=name,
                pair=_EXAMPLE_PAIRS[name],
            )
        else:
            values.append((value, j + 1))
            want_value = False
        j = end


_EXAMPLE_PAIRS = {
    "lang": "fr OR en",
    "channel": "mastodon OR bluesky",
    "source": "my-feed OR other-feed",
    "kind": "post OR comment",
    "visibility": "public OR press",
    "author": "@someone OR @other",
    "sentiment": "negative OR neutral",
    "site": "lemonde.fr OR lefigaro.fr",
    "country": "fr OR be",
}


def example(name: str) -> str:
    """A short example of a field, for error messages."""
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
