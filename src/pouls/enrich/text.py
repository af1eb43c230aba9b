"""What the models read of a text: normalisation, word tokens, negation and lexicon rules.

Separate from `features` (which hashes a batch's tokens into n-gram counts) because these are
the language rules a model depends on, while hashing is machinery: changing one here changes
what every shipped model was trained on.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pouls.signals import Signal

MODELS_DIR = Path(__file__).parent / "models"

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_URL = re.compile(r"(?:https?://|www\.)\S+|\bhttp\b", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{3,}")
WORD = re.compile(r"#?\w+(?:'\w+)?|[^\w\s]", re.UNICODE)
NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "nor",
        "neither",
        "cannot",
        "can't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "won't",
        "wouldn't",
        "shouldn't",
        "couldn't",
        "ain't",
        "n't",
        "ne",
        "n'",
        "pas",
        "jamais",
        "rien",
        "aucun",
        "aucune",
        "personne",
        "plus",
        "guère",
        "sans",
        "ni",
        "non",
        "nunca",
        "nada",
        "nicht",
        "kein",
        "keine",
        "nie",
        "niemals",
        "niet",
        "geen",
        "nooit",
        "não",
        "nem",
    ]
)
CLAUSE_END = frozenset('.,;:!?()[]"')


@functools.cache
def _lexicon() -> dict[str, float]:
    """Word valences (VADER's English lexicon and its French port, both MIT-licensed)."""
    lex: dict[str, float] = {}
    with (MODELS_DIR / "lexicon.txt").open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            word, _, value = line.rstrip("\n").partition("\t")
            lex[word] = float(value)
    return lex


def polarity(tokens: Sequence[str]) -> list[str]:
    """Pseudo-tokens for lexicon words: sign, strength, and whether a negator governs them."""
    lex = _lexicon()
    out: list[str] = []
    for token in tokens:
        negated = token.endswith("_neg")
        value = lex.get(token[:-4] if negated else token)
        if value is None:
            continue
        sign = "pos" if value > 0 else "neg"
        strength = 2 if abs(value) >= 2 else 1
        out.append(f"__lex_{sign}{strength}{'_negated' if negated else ''}__")
    return out


def normalize(text: str) -> str:
    """Lower-case, decode literal \\uXXXX escapes, fold URLs and mentions, cap repeated letters."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = _URL.sub(" http ", text)
    text = _MENTION.sub("@user", text)
    text = _REPEAT.sub(r"\1\1\1", text)
    return unicodedata.normalize("NFC", text).lower()


# `_URL` on a lower-cased text, written so that the regex engine jumps from "h" to "w" instead
# of trying the alternation at every position (four times faster on a batch).
_URL_LOWER = re.compile(r"h(?:ttps?://\S+|(?<!\wh)ttp\b)|www\.\S+")


def normalize_batch(text: str) -> str:
    """`normalize(text)` for a long text (a joined batch), the costly steps done faster."""
    if "\\u" in text:
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    lowered = text.lower()
    if len(lowered) == len(text):
        spans = [m.span() for m in _URL_LOWER.finditer(lowered)]
        if spans:
            cuts = [0, *(i for span in spans for i in span), len(text)]
            text = " http ".join(text[a:b] for a, b in zip(cuts[::2], cuts[1::2], strict=True))
    else:
        text = _URL.sub(" http ", text)
    text = _MENTION.sub("@user", text)
    return unicodedata.normalize("NFC", _cap_repeats(text)).lower()


def _cap_repeats(text: str) -> str:
    """`_REPEAT.sub(r"\\1\\1\\1", text)` with numpy: runs of one character (not a newline)
    longer than three are cut to three."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    same = (codes[1:] == codes[:-1]) & (codes[1:] != 10)
    if len(codes) < 4 or not (same[:-2] & same[1:-1] & same[2:]).any():
        return text
    at = np.arange(1, len(codes))
    run_start = np.maximum.accumulate(np.where(same, 0, at))
    keep = np.ones(len(codes), bool)
    keep[1:] = at - run_start < 3
    return codes[keep].tobytes().decode("utf-32-le", "surrogatepass")


def words(text: str, negation: bool = False) -> list[str]:
    """Word, hashtag, punctuation and emoji tokens of a normalised text.

    With `negation`, tokens after a negator until the end of the clause get a `_neg` copy,
    so "pas bon" and "bon" weigh differently.
    """
    tokens = WORD.findall(text)
    if not negation:
        return tokens
    out: list[str] = []
    negated = False
    for token in tokens:
        if token in CLAUSE_END:
            negated = False
        elif negated:
            out.append(token + "_neg")
        if token in NEGATORS or token.endswith("n't"):
            negated = True
        out.append(token)
    return out


def text_of(signal: Signal) -> str:
    """What the models read: the text, or the title where a signal has no text."""
    return _readable(signal)


def texts_of(batch: Sequence[Signal]) -> tuple[list[int], list[str]]:
    """The rows of `batch` that have a `text_of`, and those texts (each read once)."""
    found = [_readable(s) for s in batch]
    rows = [i for i, text in enumerate(found) if text]
    return rows, found if len(rows) == len(found) else [found[i] for i in rows]


def _readable(signal: Signal) -> str:
    # A text that is not text (a parser's bug) is read as none, so the rest of its batch is
    # still enriched rather than the whole batch skipped.
    found = signal.text or signal.title or ""
    return found.strip() if isinstance(found, str) else ""
