from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest

from pouls.signals import DeadLetter, Geo, Sentiment
from pouls.store import Filters
from pouls.store.migrations import migrations
from pouls.store.sqlite import SQLiteStore
from tests.conftest import make_signal


def test_put_twice_keeps_one_row_and_reports_the_duplicate(store: SQLiteStore) -> None:
    batch = [make_signal(i) for i in range(10)]
    first = store.put(batch)
    second = store.put(batch)
    assert (first.inserted, first.existing) == (10, 0)
    assert (second.inserted, second.existing) == (0, 10)
    assert store.count("acme") == 10


def test_same_signal_twice_in_one_batch_is_stored_once(store: SQLiteStore) -> None:
    result = store.put([make_signal(1, "a"), make_signal(1, "b")])
    assert result.inserted == 1
    assert store.get("acme", make_signal(1).id).text == "b"  # type: ignore[union-attr]


def test_updated_enrichments_win(store: SQLiteStore) -> None:
    s = make_signal(1, "super café")
    store.put([s])
    enriched = msgspec.structs.replace(
        s, lang="fr", sentiment=Sentiment(label="positive", score=0.9)
    )
    store.put([enriched])
    got = store.get("acme", s.id)
    assert got is not None and got.lang == "fr" and got.sentiment == enriched.sentiment
    assert store.facets("acme")["lang"] == {"fr": 1}


def test_edited_text_is_reindexed(store: SQLiteStore) -> None:
    s = make_signal(1, "première version")
    store.put([s])
    store.put([msgspec.structs.replace(s, text="texte corrigé")])
    assert store.search("acme", "premiere").signals == []
    assert [x.id for x in store.search("acme", "corrige").signals] == [s.id]


def test_search_is_accent_and_case_insensitive(store: SQLiteStore) -> None:
    store.put([make_signal(1, "L'École de Lyon ferme"), make_signal(2, "Rien à voir")])
    for query in ("ecole", "ÉCOLE", "école lyon", "Ecole LYON"):
        assert [s.native_id for s in store.search("acme", query).signals] == ["1"], query
    assert store.search("acme", "ecole paris").signals == []


def test_every_query_is_scoped_by_workspace(store: SQLiteStore) -> None:
    store.put(
        [make_signal(1, "secret de acme"), make_signal(1, "secret de globex", workspace="globex")]
    )
    assert [s.workspace for s in store.search("acme", "secret").signals] == ["acme"]
    assert store.get("globex", make_signal(1).id) is None
    assert store.count("globex") == 1
    assert store.facets("acme")["channel"] == {"mastodon": 1}
    assert {s.workspace for s in store.sources("globex")} == {"globex"}


def test_wall_is_newest_first_and_pages_by_cursor(store: SQLiteStore) -> None:
    store.put([make_signal(i) for i in range(25)])
    first = store.search("acme", limit=10, count=True)
    assert first.total == 25
    assert [s.native_id for s in first.signals] == [str(i) for i in range(24, 14, -1)]
    second = store.search("acme", limit=10, after=first.next)
    third = store.search("acme", limit=10, after=second.next)
    seen = [s.native_id for p in (first, second, third) for s in p.signals]
    assert seen == [str(i) for i in range(24, -1, -1)]
    assert third.next is None


def test_filters_combine_with_and(store: SQLiteStore) -> None:
    store.put(
        [
            make_signal(1, "a", channel="email", kind="message", visibility="private"),
            make_signal(2, "a", channel="email", kind="message", visibility="public"),
            make_signal(3, "a", channel="rss", kind="article", visibility="press"),
        ]
    )
    got = store.search("acme", None, Filters(channel="email", visibility="private")).signals
    assert [s.native_id for s in got] == ["1"]
    assert store.facets("acme", None, Filters(channel="email"))["visibility"] == {
        "private": 1,
        "public": 1,
    }


def test_topic_filter_uses_the_topics_a_signal_matched(store: SQLiteStore) -> None:
    store.put([make_signal(1, "x", topics=("crise",)), make_signal(2, "y")])
    assert [s.native_id for s in store.search("acme", None, Filters(topic="crise")).signals] == [
        "1"
    ]


def test_cursor_and_dead_letters_commit_with_the_batch(store: SQLiteStore) -> None:
    dead = DeadLetter(
        workspace="acme", source="src", reason="line 3: not valid JSON", raw="{", position="f:3"
    )
    result = store.put([make_signal(1)], dead_letters=[dead], cursors={("acme", "src"): "120"})
    assert result.dead_letters == 1
    assert store.cursor("acme", "src") == "120"
    again = store.put([make_signal(1)], dead_letters=[dead], cursors={("acme", "src"): "120"})
    assert again.dead_letters == 0, "a replayed batch records its dead letters once"
    [state] = store.sources("acme")
    assert (state.signals, state.dead_letters, state.cursor) == (1, 1, "120")
    assert store.dead_letters("acme")[0].reason == "line 3: not valid JSON"


def test_a_failed_put_saves_neither_signals_nor_cursor(store: SQLiteStore) -> None:
    class Boom(Exception):
        pass

    class BadDead(DeadLetter, frozen=True):
        @property
        def position(self) -> str:  # type: ignore[override]
            raise Boom

    with pytest.raises(Boom):
        store.put(
            [make_signal(1)],
            dead_letters=[BadDead(workspace="acme", source="src", reason="r", raw="x")],
            cursors={("acme", "src"): "9"},
        )
    assert store.count("acme") == 0
    assert store.cursor("acme", "src") is None


def test_source_errors_are_recorded_without_moving_the_cursor(store: SQLiteStore) -> None:
    store.put([], cursors={("acme", "feed"): "7"})
    store.record_error("acme", "feed", "ConnectError: refused")
    [state] = store.sources("acme")
    assert (state.cursor, state.last_error) == ("7", "ConnectError: refused")
    assert state.last_error_at is not None and state.updated_at is not None
    assert state.last_error_at >= state.updated_at


def test_site_and_country_columns_feed_filters(store: SQLiteStore, tmp_path: Path) -> None:
    store.put([make_signal(1, "x", url="https://www.Le-Monde.fr/a", geo=Geo(country="FR"))])
    row = (
        sqlite3.connect(tmp_path / "pouls.db")
        .execute("SELECT site, country FROM signals")
        .fetchone()
    )
    assert row == ("le-monde.fr", "FR")


def test_migrations_are_numbered_and_applied_once(tmp_path: Path) -> None:
    numbers = [n for n, _ in migrations()]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1
    SQLiteStore(tmp_path / "a.db").close()
    s = SQLiteStore(tmp_path / "a.db")  # reopening applies nothing twice
    assert s._writer.execute("PRAGMA user_version").fetchone()[0] == numbers[-1]
    assert s._writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    s.close()


def test_readers_are_not_blocked_by_an_open_write(tmp_path: Path) -> None:
    s = SQLiteStore(tmp_path / "w.db")
    s.put([make_signal(1, "avant")])
    writer = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM signals")
    assert s.count("acme") == 1  # reads the last committed state while the write is open
    writer.execute("ROLLBACK")
    writer.close()
    s.close()


def test_series_fills_empty_buckets_and_counts_shares(store: SQLiteStore) -> None:
    from datetime import timedelta

    from pouls.signals import Metrics
    from tests.conftest import T0

    store.put(
        [
            make_signal(
                0,
                "a",
                author="a1",
                sentiment=Sentiment(label="negative", score=0.9),
                metrics=Metrics(followers=100),
            ),
            make_signal(1, "b", author="a2", toxicity={"insult": 0.8, "threat": 0.1}),
            make_signal(2, "c", author="a1", scam=0.97, metrics=Metrics(likes=3, shares=2)),
            make_signal(125, "d", author="a3"),
        ]
    )
    series = store.series(
        "acme", bucket=timedelta(hours=1), since=T0, until=T0 + timedelta(hours=3)
    )
    assert [b.volume for b in series] == [3, 0, 1]
    first = series[0]
    assert (first.negative, first.toxic, first.scam, first.reach, first.authors) == (
        1,
        1,
        1,
        105,
        2,
    )
    assert series[1].start == T0 + timedelta(hours=1)
    only_b = store.series(
        "acme", "b", bucket=timedelta(hours=1), since=T0, until=T0 + timedelta(hours=1)
    )
    assert [b.volume for b in only_b] == [1]


def test_sentiment_filters_and_counts_as_a_facet(store: SQLiteStore) -> None:
    store.put(
        [
            make_signal(1, "a", sentiment=Sentiment(label="negative", score=0.9)),
            make_signal(2, "b", sentiment=Sentiment(label="positive", score=0.7)),
            make_signal(3, "c", sentiment=Sentiment(label="negative", score=0.6)),
            make_signal(4, "d"),  # no text model ran: no sentiment, in no count
        ]
    )
    got = store.search("acme", None, Filters(sentiment="negative")).signals
    assert sorted(s.native_id for s in got) == ["1", "3"]
    assert store.facets("acme")["sentiment"] == {"negative": 2, "positive": 1}
    assert store.facets("acme", None, Filters(sentiment="positive"))["sentiment"] == {"positive": 1}


def test_flags_filter_and_count_toxic_and_scam_signals(store: SQLiteStore) -> None:
    store.put(
        [
            make_signal(1, "a", toxicity={"toxic": 0.2, "insult": 0.7}),
            make_signal(2, "b", toxicity={"toxic": 0.4}, scam=0.9),
            make_signal(3, "c", scam=0.5),
            make_signal(4, "d", toxicity={"toxic": 0.49}, scam=0.1),
            make_signal(5, "e"),
        ]
    )

    def ids(flag: str) -> list[str]:
        found = store.search("acme", None, Filters(flag=flag)).signals
        return sorted(s.native_id for s in found)

    assert ids("toxic") == ["1"]  # the highest attribute counts
    assert ids("scam") == ["2", "3"]
    assert store.facets("acme")["flag"] == {"toxic": 1, "scam": 2}
    assert store.facets("acme", None, Filters(flag="scam"))["flag"] == {"scam": 2}
    with pytest.raises(ValueError, match="flag must be one of"):
        store.search("acme", None, Filters(flag="rude"))
