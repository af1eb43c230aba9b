"""The shared tokeniser: the same words, positions and folds as SQLite FTS5 unicode61."""

from __future__ import annotations

import sqlite3

from pouls.query import fold, site_of, tokenize, words


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
