from __future__ import annotations

from pathlib import Path

import pytest

from pouls.config import load
from pouls.query import QueryError
from pouls.query.stage import TopicStage
from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore
from pouls.store.topics import Topic
from tests.conftest import make_signal


def ids(store: SQLiteStore, topic: str, workspace: str = "acme") -> set[str]:
    return {
        s.native_id or ""
        for s in store.search(workspace, None, Filters(topic=topic), limit=500).signals
    }


def test_backfill_matches_stored_history_including_what_sql_cannot_decide(
    store: SQLiteStore,
) -> None:
    store.put(
        [
            make_signal(1, "Promo d'été chez #MaisonLumiere"),
            make_signal(2, "maison lumière sans hashtag"),
            make_signal(3, "rien"),
            make_signal(4, "#MaisonLumiere", workspace="globex"),
        ]
    )
    store.topics.save(Topic(workspace="acme", name="tag", query="#maisonlumiere"))
    assert store.topics.backfill("acme", "tag") == 1
    assert ids(store, "tag") == {"1"}
    assert ids(store, "tag", "globex") == set()
    [signal] = store.search("acme", None, Filters(topic="tag")).signals
    assert signal.topics == ("tag",)


def test_backfill_resumes_where_it_stopped_and_counts_only_new_matches(store: SQLiteStore) -> None:
    store.put([make_signal(1, "retard livraison")])
    store.topics.save(Topic(workspace="acme", name="retards", query="retard*"))
    assert store.topics.backfill("acme", "retards") == 1
    store.put([make_signal(2, "encore en retard")])
    assert store.topics.backfill("acme", "retards") == 1
    assert ids(store, "retards") == {"1", "2"}


def test_changing_a_query_forgets_old_matches_and_removing_a_topic_drops_them(
    store: SQLiteStore,
) -> None:
    store.put([make_signal(1, "croissant"), make_signal(2, "baguette")])
    store.topics.save(Topic(workspace="acme", name="t", query="croissant"))
    store.topics.backfill("acme", "t")
    before = store.topics.version("acme")
    assert store.topics.save(Topic(workspace="acme", name="t", query="baguette"))
    assert store.topics.version("acme") != before
    assert ids(store, "t") == set()
    store.topics.backfill("acme", "t")
    assert ids(store, "t") == {"2"}
    assert not store.topics.save(Topic(workspace="acme", name="t", query="baguette")), "unchanged"
    assert store.topics.remove("acme", "t")
    assert store.topics.list("acme") == [] and ids(store, "t") == set()


def test_an_invalid_query_is_refused_before_it_is_stored(store: SQLiteStore) -> None:
    with pytest.raises(QueryError):
        store.topics.save(Topic(workspace="acme", name="bad", query="a AND (b"))
    assert store.topics.list("acme") == []


def test_topic_stage_tags_new_signals_and_follows_topic_changes(store: SQLiteStore) -> None:
    store.topics.save(Topic(workspace="acme", name="ecole", query="ecole NOT fermee"))
    stage = TopicStage(
        lambda ws: [(t.name, t.query) for t in store.topics.list(ws)],
        store.topics.version,
        refresh=0,
    )
    out = stage.enrich(
        [
            make_signal(1, "L'École rouvre"),
            make_signal(2, "école fermée"),
            make_signal(3, "école", workspace="globex"),
        ]
    )
    assert [s.topics for s in out] == [("ecole",), (), ()]
    store.topics.save(Topic(workspace="acme", name="fermeture", query="fermee"))
    out = stage.enrich([make_signal(4, "école fermée")])
    assert out[0].topics == ("fermeture",)
    store.put(out)
    assert ids(store, "fermeture") == {"4"}


def test_config_topics_follow_the_file_and_cli_topics_stay(store: SQLiteStore, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pouls import pipeline
    from pouls.config import load

    (tmp_path / "pouls.toml").write_text(
        '[[workspaces]]\nid = "acme"\n[[topics]]\nname = "a"\nworkspace = "acme"\nquery = "x"\n'
        '[[topics]]\nname = "b"\nworkspace = "acme"\nquery = "y"\n',
        encoding="utf-8",
    )
    assert pipeline.sync_topics(load(tmp_path, environ={}), store) == [("acme", "a"), ("acme", "b")]
    store.topics.save(Topic(workspace="acme", name="mine", query="z"))
    (tmp_path / "pouls.toml").write_text(
        '[[workspaces]]\nid = "acme"\n[[topics]]\nname = "a"\nworkspace = "acme"\nquery = "x2"\n',
        encoding="utf-8",
    )
    assert pipeline.sync_topics(load(tmp_path, environ={}), store) == [("acme", "a")]
    assert {(t.name, t.query, t.origin) for t in store.topics.list("acme")} == {
        ("a", "x2", "config"),
        ("mine", "z", "cli"),
    }


def test_a_stopped_backfill_resumes_where_it_left_off(store: SQLiteStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pouls.store import topics as module

    monkeypatch.setattr(module, "BACKFILL_CHUNK", 2)
    store.put([make_signal(i, "retard") for i in range(5)])
    store.topics.save(Topic(workspace="acme", name="r", query="retard"))
    chunks = iter([False, True])
    assert store.topics.backfill("acme", "r", stop=lambda: next(chunks)) == 2
    assert len(ids(store, "r")) == 2
    assert store.topics.backfill("acme", "r") == 3
    assert ids(store, "r") == {str(i) for i in range(5)}


def test_a_backfill_stopped_before_its_end_is_listed_until_it_finishes(
    store: SQLiteStore, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from pouls.store import topics as module

    monkeypatch.setattr(module, "BACKFILL_CHUNK", 2)
    store.put([make_signal(i, "retard") for i in range(5)])
    store.topics.save(Topic(workspace="acme", name="r", query="retard"))
    store.topics.save(Topic(workspace="acme", name="empty-at-save", query="x"))
    assert store.topics.unfinished() == [("acme", "empty-at-save"), ("acme", "r")]
    store.topics.backfill("acme", "empty-at-save")
    store.topics.backfill("acme", "r", stop=iter([False, True]).__next__)
    assert store.topics.unfinished() == [("acme", "r")]
    store.topics.save(Topic(workspace="acme", name="r", query="retard", tags=["x"]))
    assert store.topics.unfinished() == [("acme", "r")]  # same query: still owes the rest
    store.topics.backfill("acme", "r")
    assert store.topics.unfinished() == []
    store.put([make_signal(9, "retard")])  # matched live, not owed by the backfill
    assert store.topics.unfinished() == []
    store.topics.save(Topic(workspace="acme", name="r", query="retard OR avance"))
    assert store.topics.unfinished() == [("acme", "r")]


def test_pouls_up_resumes_the_backfills_a_stop_interrupted(
    tmp_path: Path, store: SQLiteStore, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from pouls.cli.serve import _backfill_topics
    from pouls.store import topics as module

    monkeypatch.setattr(module, "BACKFILL_CHUNK", 2)
    (tmp_path / "pouls.toml").write_text('[[workspaces]]\nid = "acme"\n', encoding="utf-8")
    store.put([make_signal(i, "retard") for i in range(5)])
    store.topics.save(Topic(workspace="acme", name="r", query="retard"))
    store.topics.backfill("acme", "r", stop=iter([False, True]).__next__)
    # pouls up stops as soon as nothing is owed: the loop must have resumed the backfill
    _backfill_topics(load(tmp_path, environ={}), store, lambda: not store.topics.unfinished())
    assert ids(store, "r") == {str(i) for i in range(5)}
    assert store.topics.unfinished() == []


def test_signals_stored_before_the_live_stage_took_a_topic_up_are_backfilled(
    store: SQLiteStore,
) -> None:
    """The race between a finished backfill and the live stage's reload (every 2 s)."""
    from pouls.cli.serve import _backfill_pass

    store.put([make_signal(1, "retard")])
    stage = TopicStage(
        lambda ws: [(t.name, t.query) for t in store.topics.list(ws)],
        store.topics.version,
        refresh=0,
        on_reload=store.topics.live_from,
    )
    stage.enrich([make_signal(0, "rien", workspace="acme")])  # the stage runs, no topics yet
    store.topics.save(Topic(workspace="acme", name="r", query="retard"))
    store.topics.backfill("acme", "r")  # done at once: one signal
    # A batch read with the old matcher lands after the backfill, before the reload...
    store.put(stage_before_reload := [make_signal(2, "retard encore")])
    assert stage_before_reload[0].topics == ()
    assert store.topics.unfinished() == []
    stage.enrich([make_signal(3, "autre chose")])  # ...then the stage takes the topic up
    assert store.topics.unfinished() == [("acme", "r")]
    _backfill_pass(store, [], lambda: False)
    assert ids(store, "r") == {"1", "2"}
    assert store.topics.unfinished() == []


def test_a_topic_is_backfilled_by_one_thread_at_a_time(store: SQLiteStore) -> None:
    """The web app's backfill and pouls up's keeper may reach the same topic together."""
    store.put([make_signal(i, "retard") for i in range(3)])
    store.topics.save(Topic(workspace="acme", name="r", query="retard"))
    inner: list[int] = []
    # While the first backfill reports progress, a second call on the same topic returns at once.
    first = store.topics.backfill(
        "acme",
        "r",
        on_progress=lambda done, total: inner.append(store.topics.backfill("acme", "r")),
    )
    assert first == 3 and inner == [0]
    assert ids(store, "r") == {"0", "1", "2"}
    assert store.topics.backfill("acme", "r") == 0 and store.topics.unfinished() == []


def test_pouls_up_logs_how_many_signals_a_topic_matches_not_only_its_last_run(
    store: SQLiteStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A topic already backfilled (by `topic add`, or before a restart) matches 0 new."""
    from pouls.cli.serve import _backfill_pass

    store.put([make_signal(i, "retard") for i in range(7)])
    store.topics.save(Topic(workspace="acme", name="r", query="retard"))
    assert store.topics.backfill("acme", "r") == 7
    with caplog.at_level("INFO", logger="pouls.topics"):
        _backfill_pass(store, [("acme", "r")], lambda: False)
    assert "topic acme/r backfilled: 7 stored signals match (0 new)" in caplog.text
    assert store.topics.matches("acme", "r") == 7
