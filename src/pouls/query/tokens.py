"""The one tokeniser both back ends share: words exactly as SQLite FTS5 unicode61 sees them.

Words are runs of the characters FTS5's `unicode61 remove_diacritics 2` keeps in tokens, folded
the way it folds them (case and accents), so a word's position here is its position in the
index: phrases, prefixes and NEAR mean the same thing in the matcher and in SQL. Apostrophes
(' and ’), hyphens, dots and underscores separate words, which handles French elision:
`l'école` is the two words `l` and `ecole`. Hashtags, mentions and emoji are collected apart,
without positions; links are words too, but never hashtags or mentions.

For speed, `words` first cuts the text at ASCII separators in one C call (`pieces`), then reads
each distinct piece once (by regular expression where it is not plain ASCII) and remembers its
words.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import chain
from typing import NamedTuple, cast
from urllib.parse import urlsplit

from pouls.query.unicode61 import FOLDS, TOKEN_RANGES


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


_TOKEN_CHARS = _char_class(TOKEN_RANGES)
_TAG_BODY = f"[{_TOKEN_CHARS}_]+"
_HANDLE = f"[{_TOKEN_CHARS}_](?:[{_TOKEN_CHARS}_.-]*[{_TOKEN_CHARS}_])?"
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Emoji and pictographs: the symbol blocks people actually post, category So only.
_EMOJI_BLOCKS = ((0x2190, 0x2BFF), (0x3030, 0x3299), (0x1F000, 0x1FAFF))
_EMOJI_SET = frozenset(
    chr(cp)
    for a, b in _EMOJI_BLOCKS
    for cp in range(a, b + 1)
    if unicodedata.category(chr(cp)) == "So"
)


class _Patterns(NamedTuple):
    word: re.Pattern[str]
    hashtag: re.Pattern[str]
    mention: re.Pattern[str]


def _patterns(ranges: tuple[tuple[int, int], ...]) -> _Patterns:
    t = _char_class(ranges)
    handle = f"[{t}_](?:[{t}_.-]*[{t}_])?"
    return _Patterns(
        re.compile(f"[{t}]+"),
        re.compile(f"(?<![{t}_&/])#([{t}_]+)"),
        re.compile(f"(?<![{t}_.@/])@({handle})(?:@({handle}))?"),
    )


# Python's re tests characters above U+FFFF against a character class one range at a time, so
# the hot paths use classes cut at U+FFFF, plus one catch-all range above it whose rare matches
# are then cut again with the full class.
_FULL = _patterns(TOKEN_RANGES)
_BMP = _patterns(tuple((a, min(b, 0xFFFF)) for a, b in TOKEN_RANGES if a <= 0xFFFF))
_LOOSE_WORD = re.compile(
    f"[{_char_class(tuple((a, min(b, 0xFFFF)) for a, b in TOKEN_RANGES if a <= 0xFFFF))}\U00010000-\U0010ffff]+"
)
_HIGH = re.compile("[\u2190-\U0010ffff]")  # emoji blocks and above
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_EMOJI_CANDIDATE = re.compile("[\u2190-\u2bff\u3030-\u3299\U0001f000-\U0001faff]")


def _pick(text: str) -> _Patterns:
    return _FULL if _ASTRAL.search(text) else _BMP


def _raw_words(text: str) -> list[str]:
    if not _ASTRAL.search(text):
        return _BMP.word.findall(text)
    out: list[str] = []
    for run in _LOOSE_WORD.findall(text):
        if _ASTRAL.search(run):
            out.extend(_FULL.word.findall(run))
        else:
            out.append(run)
    return out


_FOLD_TABLE = str.maketrans(FOLDS)
_fold_cache: dict[str, str] = {}


class Tokens(NamedTuple):
    """A text as the query language sees it."""

    words: list[str]
    hashtags: set[str]
    mentions: set[str]
    emoji: set[str]


def fold(word: str) -> str:
    """Lower-case and strip accents exactly as FTS5 `unicode61 remove_diacritics 2` does."""
    folded = _fold_cache.get(word)
    if folded is None:
        folded = word.lower() if word.isascii() else word.translate(_FOLD_TABLE)
        if len(_fold_cache) > 200_000:  # bound the memory an unending stream of new words takes
            _fold_cache.clear()
        _fold_cache[word] = folded
    return folded


# ASCII letters and digits are the only ASCII characters unicode61 keeps in tokens; UTF-8 never
# uses an ASCII byte inside a longer character. So turning every other ASCII byte into a space,
# and upper-case into lower-case, cuts a text into pieces that each hold whole words.
_CUT = bytes(
    (b | 0x20 if 0x41 <= b <= 0x5A else b) if chr(b).isalnum() or b >= 0x80 else 0x20
    for b in range(256)
)
_piece_cache: dict[bytes, tuple[str, ...]] = {}


def pieces(text: str) -> list[bytes]:
    """The text cut at ASCII separators, ASCII lower-cased, in UTF-8: each piece is whole words.

    A piece of ASCII letters and digits is one folded word; `piece_words` reads any piece.
    Anything but text (a parser's bug) has no words, rather than failing its whole batch.
    """
    if not isinstance(text, str):
        return []
    return text.encode("utf-8", "surrogatepass").translate(_CUT).split()


def piece_words(piece: bytes) -> tuple[str, ...]:
    """The folded words of one of `pieces`' pieces (most often one word, sometimes none)."""
    found = _piece_cache.get(piece)
    if found is None:
        if piece.isascii():
            found = (piece.decode("ascii"),)
        else:  # folded here, not by fold(): its cache is no place for words seen once
            raw = _raw_words(piece.decode("utf-8", "surrogatepass"))
            found = tuple(f for w in raw if (f := w.translate(_FOLD_TABLE)))
        if len(_piece_cache) > 200_000:  # bound the memory an unending stream of new words takes
            _piece_cache.clear()
        _piece_cache[piece] = found
    return found


def words(text: str) -> list[str]:
    """The folded words of a text, in order; their indexes are FTS5 token positions."""
    cut = pieces(text)
    found = list(map(_piece_cache.get, cut))  # mostly cache hits, without a Python-level loop
    if None in found:
        found = [piece_words(p) if f is None else f for p, f in zip(cut, found, strict=True)]
    return list(chain.from_iterable(cast(list[tuple[str, ...]], found)))


def emoji(text: str) -> set[str]:
    """The emoji of a text (skin tones and other modifiers dropped)."""
    if not isinstance(text, str) or text.isascii() or not _HIGH.search(text):
        return set()
    return {c for c in _EMOJI_CANDIDATE.findall(text) if c in _EMOJI_SET}


def tags(text: str) -> tuple[set[str], set[str], set[str]]:
    """The folded hashtags, mentions and emoji of a text (no positions)."""
    hashtags: set[str] = set()
    mentions: set[str] = set()
    emoji_found = emoji(text)
    if isinstance(text, str) and ("#" in text or "@" in text):
        if "://" in text or "www." in text or "WWW." in text:
            text = _URL.sub(" ", text)
        patterns = _pick(text)
        for body in patterns.hashtag.findall(text):
            hashtags.add(fold(body))
        for local, domain in patterns.mention.findall(text):
            local = fold(local)
            mentions.add(local)
            if domain:
                mentions.add(f"{local}@{fold(domain)}")
    hashtags.discard("")
    return hashtags, mentions, emoji_found


def tokenize(text: str) -> Tokens:
    """Words (with FTS5 positions), hashtags, mentions and emoji of a text, all folded."""
    return Tokens(words(text), *tags(text))


def is_emoji(char: str) -> bool:
    """Whether a character counts as an emoji for `tags`."""
    return char in _EMOJI_SET


def site_of(url: str | None) -> str | None:
    """The host of a url, lower-cased, without `www.`: what `site:` compares with.

    The same as the `site` column of the store (`pouls.store.rows.site`), which it must stay.
    """
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host
