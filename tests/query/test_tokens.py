"""The shared tokeniser: the same words, positions and folds as SQLite FTS5 unicode61."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pouls.query import fold, site_of, tokenize, words
from pouls.query.tokens import _CUT, _raw_words, pieces
from pouls.query.unicode61 import TOKEN_RANGES

PAYLOADS = Path(__file__).parents[1] / "payloads"


def regex_words(text: str) -> list[str]:
    """The reference: `words` as it was before `pieces`, one regular expression over the text."""
    return [folded for word in _raw_words(text) if (folded := fold(word))]


def test_words_are_the_fts5_tokens_for_every_character_of_the_bmp() -> None:
    db = sqlite3.connect(":memory:")
    db.execute('CREATE VIRTUAL TABLE t USING fts5(x, tokenize="unicode61 remove_diacritics 2")')
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    cps = [cp for cp in range(1, 0x10000) if not 0xD800 <= cp < 0xE000]
    db.executemany("INSERT INTO t (rowid, x) VALUES (?, ?)", ((cp, f"a{chr(cp)}b É") for cp in cps))
    fts: dict[int, list[str]] = {}
    for term, doc in db.execute("SELECT term, doc FROM v ORDER BY doc, offset"):
        fts.setdefault(doc, []).append(term)
    wrong = [hex(cp) for cp in cps if words(f"a{chr(cp)}b É") != fts[cp]]
    assert not wrong


def test_french_elision_hyphens_and_accents() -> None:
    assert words("L’École d'été, porte-monnaie") == ["l", "ecole", "d", "ete", "porte", "monnaie"]
    assert words("e\u0301cole") == ["ecole"]
    assert fold("ÉCOLE") == "ecole"


def test_hashtags_mentions_and_emoji_are_collected_apart() -> None:
    tokens = tokenize("#Rentrée avec @Jean@mastodon.social 👍🏽 https://x.fr/#top mail@x.fr")
    assert tokens.hashtags == {"rentree"}
    assert tokens.mentions == {"jean", "jean@mastodon.social"}
    assert tokens.emoji == {"👍"}
    assert tokens.words[:2] == ["rentree", "avec"]


def test_site_is_the_host_without_www() -> None:
    assert site_of("https://www.LeMonde.fr/a?b") == "lemonde.fr"
    assert site_of("https://blog.lemonde.fr") == "blog.lemonde.fr"
    assert site_of(None) is None
    assert site_of("not a url") is None


def test_pieces_cut_at_every_ascii_character_unicode61_does_not_keep() -> None:
    kept = {cp for a, b in TOKEN_RANGES for cp in range(a, b + 1) if cp < 0x80}
    for byte in range(0x80):
        assert (_CUT[byte] != 0x20) == (byte in kept), hex(byte)
    assert pieces("L’École d'été, NIKE_2024!") == [
        "l’École".encode(),  # only ASCII letters are lowered here
        b"d",
        "été".encode(),
        b"nike",
        b"2024",
    ]


# Characters that cut, join or fold words: ASCII and Latin letters, apostrophes, combining marks,
# emoji and their modifiers, letters above U+FFFF, separators of every kind, a lone surrogate.
_ALPHABET = st.one_of(
    st.characters(max_codepoint=0x7F),
    st.sampled_from("éÉèàçœŒßıİﬁ’‘«»\u00a0\u2009\u0301\u0327\u200d\ufe0f—–…·"),
    st.sampled_from(["👍", "🏽", "🥐", "❤", "𝐀", "𐐀", "\U0001f1eb", "\ud800"]),
    st.characters(max_codepoint=0x2FFF),
    st.characters(),
)


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(text=st.text(_ALPHABET, max_size=40))
def test_words_by_pieces_are_the_words_by_regular_expression(text: str) -> None:
    assert words(text) == regex_words(text)


def test_words_by_pieces_are_the_words_by_regular_expression_on_recorded_payloads() -> None:
    lines = [
        line
        for path in sorted(PAYLOADS.rglob("*"))
        if path.is_file()
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
    ]
    assert len(lines) > 500
    assert [words(line) for line in lines] == [regex_words(line) for line in lines]
