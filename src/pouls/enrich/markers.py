"""Scam cue markers (links, phones, money, lures, shouting), found for a whole batch at once.

The scam model reads them as pseudo-tokens and its rule counts them. One regex with some
hundred alternatives tried at every word boundary cost about 100 µs per text, more than every
model together: here single-word lures are looked up per distinct word (cached), only the few
multi-word lures go through a regex, and the other patterns run only on texts that can match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import numpy as np

_RAW_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+\.(?:ly|gl|gd|io|co|me|link|xyz|top|click|site|online|info|biz|ru|tk|ml)\b(?:/\S*)?",
    re.IGNORECASE,
)
# Every _RAW_URL match contains one of these (searched in the lower-cased batch, where a plain
# literal search is some ten times faster than IGNORECASE): texts without any are skipped.
_URL_HINT = re.compile(
    r"://|www\.|\.(?:ly|gl|gd|io|co|me|link|xyz|top|click|site|online|info|biz|ru|tk|ml)\b"
)
_SHORTENERS = frozenset(
    [
        "bit.ly",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "cutt.ly",
        "rb.gy",
        "shorturl.at",
        "tiny.cc",
        "rebrand.ly",
        "t.ly",
        "s.id",
        "lnkd.in",
        "bl.ink",
        "v.gd",
        "qr.co",
        "linktr.ee",
    ]
)
_BRANDS = (
    "paypal",
    "amazon",
    "netflix",
    "apple",
    "microsoft",
    "binance",
    "coinbase",
    "ameli",
    "impots",
    "laposte",
    "chronopost",
    "colissimo",
    "orange",
    "free",
    "sfr",
    "bnp",
    "creditagricole",
    "societegenerale",
    "caf",
    "antai",
    "whatsapp",
    "instagram",
    "facebook",
    "metamask",
    "dhl",
    "fedex",
    "ups",
    "bouygues",
    "google",
)
_PHONE = re.compile(r"(?<!\w)(?:\+|00)?\d(?:[\s.\-]?\d){8,13}(?!\w)")
_MONEY = re.compile(
    r"(?:[$€£]\s?\d[\d\s.,]*\d?|\d[\d\s.,]*\s?(?:[$€£]|eur(?:os?)?\b|usd\b|dollars?\b|k\b|"
    r"btc\b|eth\b|usdt\b))",
    re.IGNORECASE,
)
# Lure families: single words (whole \w+ runs) and phrases (anything with a space, a dot or an
# apostrophe). Both together are the one pattern `_LURE_RE` that documents what a lure is.
_WORDS = {
    "crypto": r"crypto\w*|bitcoin|btc|eth(?:ereum)?|usdt|airdrop|nft|token|wallet|"
    r"portefeuille|binance|metamask",
    "giveaway": r"giveaway|free|gratuit\w*|offert\w*|gagn\w*|win(?:ner)?|won|prize|lot|"
    r"cadeau\w*|concours|jackpot|bonus|claim|réclam\w*|reward|récompense\w*",
    "redirect": r"dm|mp|inbox|pm|whatsapp|telegram|signal",
    "urgency": r"urgent|now|maintenant|immédiatement|vite|limited|limité\w*|expire\w*|"
    r"today|24h|48h",
    "invest": r"invest\w*|profit\w*|rendement\w*|trading|trader|forex|returns?|roi|x10|x100",
    "account": r"verify|vérifi\w*|account|compte|password|suspend\w*|bloqu\w*|locked|login|"
    r"identifiant\w*|confirm\w*|colis|parcel|delivery|livraison",
}
_PHRASES = {
    "crypto": r"seed phrase",
    "redirect": r"wa\.me|t\.me|écri(?:s|vez)[- ]moi|contact(?:ez)?[- ]moi|text me|message me|"
    r"ajoute[sz]?[- ]moi|add me",
    "urgency": r"aujourd'hui|last chance|dernière chance|act now",
    "invest": r"double[rz]? (?:your|votre)|passive income|revenu passif",
    "account": r"mot de passe",
}
LURES = tuple(_WORDS)
_LURE_RE = re.compile(
    "|".join(
        rf"(?P<{k}>\b(?:{'|'.join(p for p in (_WORDS[k], _PHRASES.get(k)) if p)})\b)" for k in LURES
    ),
    re.IGNORECASE,
)
# The lookahead lets the regex engine skip positions that cannot start a phrase.
_PHRASE_RE = re.compile(
    rf"(?=[swtéecmaldpr])\b(?:{'|'.join(rf'(?P<{k}>{p})' for k, p in _PHRASES.items())})\b",
    re.IGNORECASE,
)
_WORD_RES = {k: re.compile(rf"(?:{p})", re.IGNORECASE) for k, p in _WORDS.items()}
# Every phrase holds one of these once lower-cased: texts without any skip the phrase regex.
# Plain substrings, each found with `str.find` (an alternation tries every position, 3x slower).
_PHRASE_HINTS = ("phrase", ".me", "moi", " me", "aujourd", "chance", " now", "double", "pass")
# Every _MONEY match holds one of these once lower-cased (a "k" amount is "k" then no letter):
# texts without any skip `_MONEY`, which every text with a digit would otherwise cost.
_MONEY_HINTS = ("$", "€", "£", "eur", "usd", "dollar", "btc", "eth")
_MONEY_K = re.compile(r"k\b")
_TOKEN = re.compile(r"\w+|\x00")
_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")
_LETTER = re.compile(r"[^\W\d_]")
_SEPARATOR = "\n\x00\n"  # no pattern here matches across it


def markers(text: str) -> list[str]:
    """Pseudo-tokens for cues that generalise across channels: links, phones, money, lures."""
    return list(batch_markers([text])[0])


def batch_markers(texts: Sequence[str]) -> list[tuple[str, ...]]:
    """`markers` of every text, in the same order, for a whole batch at once."""
    if any("\x00" in t for t in texts):
        # A NUL would read as the separator: such texts (never seen in practice) go one by one.
        return [_one(t) for t in texts]
    joined = _SEPARATOR.join(texts)
    odd = _odd_cases()
    if any(c in joined for c in odd):
        # A few letters match a hint's letter under IGNORECASE, not once lower-cased ("ſ"):
        # the texts holding one go one by one, the others as a batch.
        oddities = [any(c in t for c in odd) for t in texts]
        rest = iter(batch_markers([t for t, o in zip(texts, oddities, strict=True) if not o]))
        return [_one(t) if o else next(rest) for t, o in zip(texts, oddities, strict=True)]
    lowered = joined.lower()
    if len(lowered) != len(joined):
        # A few letters lower-case to two characters ("İ"): positions would not line up.
        return [_one(t) for t in texts]
    starts = np.cumsum([0] + [len(t) + len(_SEPARATOR) for t in texts[:-1]])
    found: list[list[str]] = [[] for _ in texts]
    for i in _docs(_URL_HINT, lowered, starts):
        for url in _RAW_URL.findall(texts[i]):
            found[i].extend(_url_markers(url))
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    # A trailing 0 so that an empty last text still has an element to sum.
    kinds = np.append(_char_table()[codes], np.uint8(0)).astype(np.int64)
    digits = np.add.reduceat(kinds & 1, starts)
    for i in np.flatnonzero(digits >= 9).tolist():
        if _PHONE.search(texts[i]):
            found[i].append("__phone__")
    money_hinted = [m.start() for m in _MONEY_K.finditer(lowered)]
    money_hinted.extend(_find_all(lowered, _MONEY_HINTS))
    for i in set(_docs_at(money_hinted, starts)).intersection(np.flatnonzero(digits > 0).tolist()):
        if _MONEY.search(texts[i]):
            found[i].append("__money__")
    phrasal = _docs_at(_find_all(lowered, _PHRASE_HINTS), starts)
    for i, mask in _lures(joined, texts, phrasal):
        found[i].extend(_lure_markers(mask))
    letters = np.add.reduceat((kinds >> 1) & 1, starts)
    upper = np.add.reduceat((kinds >> 2) & 1, starts)
    for i in np.flatnonzero(upper > 0.3 * np.maximum(1, letters)).tolist():
        found[i].append("__shouting__")
    return [tuple(f) for f in found]


def _one(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for url in _RAW_URL.findall(text):
        out.extend(_url_markers(url))
    if _PHONE.search(text):
        out.append("__phone__")
    if _MONEY.search(text):
        out.append("__money__")
    found = {m.lastgroup for m in _LURE_RE.finditer(text)}
    out.extend(f"__{name}__" for name in LURES if name in found)
    if len(_UPPER.findall(text)) > 0.3 * max(1, len(_LETTER.findall(text))):
        out.append("__shouting__")
    return tuple(out)


def _docs(pattern: re.Pattern[str], joined: str, starts: np.ndarray) -> list[int]:
    """Indices of the texts in which `pattern` matches somewhere."""
    return _docs_at([m.start() for m in pattern.finditer(joined)], starts)


def _docs_at(positions: list[int], starts: np.ndarray) -> list[int]:
    """Indices of the texts in which `positions` (of the joined batch) fall, in order."""
    if not positions:
        return []
    return sorted(set((np.searchsorted(starts, positions, side="right") - 1).tolist()))


def _find_all(text: str, needles: Sequence[str]) -> list[int]:
    """Where each of `needles` starts in `text` (plain substring search, in no order)."""
    out: list[int] = []
    for needle in needles:
        at = text.find(needle)
        while at >= 0:
            out.append(at)
            at = text.find(needle, at + 1)
    return out


@functools.cache
def _odd_cases() -> frozenset[str]:
    """Characters that IGNORECASE matches to a hint's letter though `lower()` does not give it
    ("ſ" matches "s"): the texts holding one skip the shortcuts and go one by one."""
    hints = (*_PHRASE_HINTS, *_MONEY_HINTS, _MONEY_K.pattern, _URL_HINT.pattern)
    letters = sorted({c for h in hints for c in h if c.isalpha()})
    everything = "".join(map(chr, range(0x110000)))
    found = re.findall(f"[{''.join(letters)}]", everything, re.IGNORECASE)
    return frozenset(c for c in found if c.lower() not in letters)


@functools.lru_cache(maxsize=4096)
def _url_markers(url: str) -> tuple[str, ...]:
    domain = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.lower()).split("/", 1)[0]
    domain = domain.split("?", 1)[0]
    out = ["__url__"]
    if domain in _SHORTENERS:
        out.append("__short_url__")
    bare = re.sub(r"[^a-z]", "", domain.rsplit(".", 1)[0])
    if any(b in bare and bare != b for b in _BRANDS) or re.search(r"\d", domain.split(".")[0]):
        out.append("__lookalike_url__")
    return tuple(out)


_word_lures: dict[str, int] = {"\x00": -1}


def _lure_of(word: str) -> int:
    """Bit of the first lure family whose single-word alternatives match all of `word` (or 0).

    The first one, as `_LURE_RE`'s alternation would pick it.
    """
    for bit, name in enumerate(LURES):
        if _WORD_RES[name].fullmatch(word):
            return 1 << bit
    return 0


def _lures(joined: str, texts: Sequence[str], phrasal: list[int]) -> list[tuple[int, int]]:
    """(text, bits of its lure families) for each text of `joined` (with `_SEPARATOR`) that has
    some, in order; bit k is the family `LURES[k]`. `phrasal` may hold a multi-word lure."""
    words = _TOKEN.findall(joined)
    if len(_word_lures) > 500_000:
        _word_lures.clear()
        _word_lures["\x00"] = -1
    for word in set(words).difference(_word_lures):
        _word_lures[word] = _lure_of(word)
    bits = np.fromiter(map(_word_lures.__getitem__, words), dtype=np.int64, count=len(words))
    doc = np.cumsum(bits == -1)
    hits = np.flatnonzero(bits > 0)
    masks = np.zeros(len(texts), np.int64)
    np.bitwise_or.at(masks, doc[hits], bits[hits])
    for i in phrasal:
        for m in _PHRASE_RE.finditer(texts[i]):
            if m.lastgroup:
                masks[i] |= 1 << LURES.index(m.lastgroup)
    found = np.flatnonzero(masks)
    return list(zip(found.tolist(), masks[found].tolist(), strict=True))


@functools.cache
def _lure_markers(mask: int) -> tuple[str, ...]:
    """The pseudo-tokens of the lure families in `mask`, in the order of `LURES`."""
    return tuple(f"__{name}__" for bit, name in enumerate(LURES) if mask >> bit & 1)


@functools.cache
def _char_table() -> np.ndarray:
    """Per code point: bit 0 a decimal digit, bit 1 a letter as `_LETTER`, bit 2 as `_UPPER`."""
    everything = "".join(map(chr, range(0x110000)))
    table = np.zeros(0x110000, dtype=np.uint8)
    for bit, pattern in ((0, r"\d+"), (1, r"[^\W\d_]+"), (2, r"[A-ZÀ-ÖØ-Þ]+")):
        for m in re.finditer(pattern, everything):
            table[m.start() : m.end()] |= 1 << bit
    return table
