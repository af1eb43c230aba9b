"""Lexemes to AST leaves: words, phrases, wildcards, hashtags, mentions, emoji and field values,
each checked, with errors pointing at the lexeme's column.
"""

from __future__ import annotations

import difflib
import re

from pouls.query.lexer import MAX_DISTANCE, Lexeme, QueryError, example
from pouls.query.nodes import (
    And,
    Emoji,
    Field,
    Hashtag,
    Mention,
    Near,
    Node,
    Or,
    Phrase,
    Prefix,
    Raw,
    Wildcard,
    Word,
)
from pouls.query.tokens import _HANDLE, _TAG_BODY, _TOKEN_CHARS, fold, is_emoji, site_of, words
from pouls.signals.model import CHANNELS, KINDS, VISIBILITIES

SENTIMENTS = ("negative", "neutral", "positive")

_HASHTAG_TERM = re.compile(f"#({_TAG_BODY})")
_MENTION_TERM = re.compile(f"@({_HANDLE}(?:@{_HANDLE})?)")
# `?` is a wildcard between two letters or digits (or before a `*`); elsewhere, as at the end of
# `quoi?`, it is punctuation, as it always was.
_WILD = re.compile(f"(?<=[{_TOKEN_CHARS}])\\?+(?=[{_TOKEN_CHARS}*])")
_EMOJI_GLUE = set("\ufe0f\ufe0e\u200d\u20e3") | {chr(cp) for cp in range(0x1F3FB, 0x1F400)}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, as SQLite's lower() does without ICU."""
    return text.translate(_ASCII_LOWER)


def near_operand(node: Node, lexeme: Lexeme) -> Node:
    """The node if it can be a side of a NEAR; raises QueryError otherwise."""
    spans = (Word, Prefix, Wildcard, Phrase)
    if isinstance(node, spans):
        return node
    if isinstance(node, Or) and all(isinstance(c, spans) for c in node.children):
        return node
    raise QueryError(
        "NEAR works with words, phrases, wildcards like ecol*, and OR groups of those.",
        lexeme.column,
        "near_operand",
    )


def _words_node(found: list[str], lexeme: Lexeme) -> Node:
    if not found:
        raise QueryError(
            "%(text)s has no letters or digits to search for.",
            lexeme.column,
            "empty_term",
            text=lexeme.text,
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


def term(lexeme: Lexeme) -> Node:
    """The leaf an unquoted term stands for: a word or phrase, wildcard, hashtag, mention, emoji."""
    text = lexeme.text
    if text.startswith("#"):
        return _tag(lexeme, _HASHTAG_TERM, Hashtag, "#rentrée")
    if text.startswith("@"):
        return _tag(lexeme, _MENTION_TERM, Mention, "@pouls")
    if _WILD.search(text):
        return _wildcard(lexeme)
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


def _wildcard(lexeme: Lexeme) -> Node:
    text = lexeme.text
    runs = list(_WILD.finditer(text))
    cuts = [0, *(i for run in runs for i in run.span()), len(text)]
    segments = [text[a:b] for a, b in zip(cuts[::2], cuts[1::2], strict=True)]
    prefix = segments[-1].endswith("*")
    if prefix:
        segments[-1] = segments[-1][:-1]
    star = text.find("*")
    if star != -1 and (not prefix or star != len(text) - 1):
        raise QueryError(
            "The * wildcard only works at the end of a word, like ecol*.",
            lexeme.column + star,
            "bad_wildcard",
        )
    found = [words(segment) for segment in segments]
    if any(len(f) != 1 for f in found[:-1]) or len(found[-1]) > 1:
        raise QueryError(
            "The ? wildcard works inside one word, like wom?n.", lexeme.column, "bad_wildcard"
        )
    if len(found[0][0]) < 3:
        raise QueryError(
            "A wildcard needs at least 3 letters before the first ?, like wom?n.",
            lexeme.column,
            "short_prefix",
        )
    pattern = "".join(f[0] + run.group() for f, run in zip(found, runs, strict=False))
    return Wildcard(pattern + "".join(found[-1]) + ("*" if prefix else ""))


def _tag(lexeme: Lexeme, pattern: re.Pattern[str], cls: type, sample: str) -> Node:
    found = pattern.match(lexeme.text)
    rest = lexeme.text[found.end() :] if found else lexeme.text
    if not found or words(rest):
        raise QueryError(
            "%(sign)s must be followed by letters or digits only, like %(sample)s.",
            lexeme.column,
            "bad_hashtag" if cls is Hashtag else "bad_mention",
            sign=lexeme.text[0],
            sample=sample,
        )
    return cls(fold(found.group(1)))


def quoted(lexeme: Lexeme) -> Node:
    """The node a quoted lexeme stands for: a phrase, a word, emoji, or a `~` proximity."""
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
            "The distance after ~ is at most %(n)s words.",
            lexeme.column,
            "bad_proximity",
            n=MAX_DISTANCE,
        )
    return Near(tuple(Word(w) for w in found), lexeme.number)


def field(lexeme: Lexeme) -> Node:
    """The node of a field lexeme: one value, an OR of a group's values, or `raw:`."""
    name = lexeme.text
    if name == "raw":
        return Raw(lexeme.value)
    if not lexeme.values:
        return _field_value(name, lexeme.value.strip(), lexeme.column)
    found = list(dict.fromkeys(_field_value(name, v.strip(), c) for v, c in lexeme.values))
    return found[0] if len(found) == 1 else Or(tuple(found))


def _field_value(name: str, value: str, column: int) -> Node:
    if not value:
        raise QueryError(
            "%(name)s: needs a value, like %(example)s.",
            column,
            "empty_value",
            name=name,
            example=example(name),
        )
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
            choices = ", ".join(allowed)
            if close:
                raise QueryError(
                    'Unknown %(name)s "%(value)s". Did you mean "%(close)s"? Choose one of:'
                    " %(choices)s.",
                    column,
                    "bad_value",
                    name=name,
                    value=value,
                    close=close[0],
                    choices=choices,
                )
            raise QueryError(
                'Unknown %(name)s "%(value)s". Choose one of: %(choices)s.',
                column,
                "bad_value",
                name=name,
                value=value,
                choices=choices,
            )
        return Field(name, lowered)
    if name == "lang" and not re.fullmatch(r"[a-z]{2,3}", lowered):
        raise QueryError(
            "lang: takes a two-letter language code, like lang:fr or lang:en.",
            column,
            "bad_value",
        )
    if name == "country" and not re.fullmatch(r"[a-z]{2}", lowered):
        raise QueryError(
            "country: takes a two-letter country code, like country:fr or country:ca.",
            column,
            "bad_value",
        )
    if name == "site":
        site = site_of(lowered if "//" in lowered else f"//{lowered}")
        if not site or any(c.isspace() for c in site):
            raise QueryError(
                "site: takes a domain name, like site:lemonde.fr.", column, "bad_value"
            )
        return Field(name, site)
    if name == "author":
        lowered = lowered.lstrip("@")
        if not lowered:
            raise QueryError(
                "author: needs a name after the @, like author:@someone.",
                column,
                "empty_value",
            )
    return Field(name, lowered)
