"""NER after storage: the background worker adds spaCy's names to stored signals, per the
workspace's `entities` setting, and searches and dashboards see them."""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from pouls import config
from pouls.analyse.keys import KINDS, keys_of
from pouls.analyse.rollups import Rollups
from pouls.cli import naming
from pouls.corrections import verdict
from pouls.enrich.entities import EntityEnricher, Gazetteer, pipeline
from pouls.enrich.later import Backlog
from pouls.signals import Signal
from pouls.store import Filters
from pouls.store.entities import EntityProgress
from pouls.store.figures import Figures
from pouls.store.sqlite import SQLiteStore
from tests.conftest import T0, make_signal

pytestmark = pytest.mark.skipif(pipeline("fr") is None, reason="no French spaCy pipeline")

TEXTS = [
    "Emmanuel Macron a goûté les croissants de Maison Lumière à Lyon.",
    "Merci pour votre accueil, super équipe à Lille !",
    "Tim Cook visited the Maison Lumière bakery in London yesterday.",
]
BOOK = Gazetteer.from_types({"brand": ["Maison Lumière"]})


def stored(store: SQLiteStore, topics: dict[int, tuple[str, ...]] | None = None) -> list[Signal]:
    """The texts as the ingest path stores them: gazetteer names only."""
    signals = [
        make_signal(i, text, lang="fr" if i < 2 else "en", topics=(topics or {}).get(i, ()))
        for i, text in enumerate(TEXTS)
    ]
    signals = EntityEnricher({"acme": BOOK}, use_spacy=False).enrich(signals)
    store.put(signals)
    return signals


def names(store: SQLiteStore) -> dict[str, set[tuple[str, str]]]:
    page = store.search("acme", None, Filters(), limit=50)
    return {s.text: {(e.type, e.norm) for e in s.entities} for s in page.signals}


def test_ner_adds_its_names_to_stored_signals_and_keeps_the_gazetteers(store: SQLiteStore):
    stored(store)
    assert names(store)[TEXTS[0]] == {("brand", "maison lumiere")}
    backlog = Backlog(EntityProgress(store), {"acme": "on"}, {"acme": BOOK})
    assert backlog.drain() == 3
    found = names(store)
    assert {("person", "emmanuel macron"), ("place", "lyon")} <= found[TEXTS[0]]
    assert ("brand", "maison lumiere") in found[TEXTS[0]]
    assert ("place", "london") in found[TEXTS[2]]
    assert all(norm != "merci" for _, norm in found[TEXTS[1]])
    # Read once: the position moved past them, a second drain has nothing to do.
    assert EntityProgress(store).position("acme") > 0
    assert backlog.drain() == 0


def test_dashboards_count_the_names_found_later_rollups_included(store: SQLiteStore):
    stored(store)
    rollups = Rollups(store)
    while rollups.step("acme"):  # the dashboards' rollups built ahead, as pouls up does
        pass
    figures = Figures(store, keys_of)
    period = Filters(since=T0 - timedelta(days=1), until=T0 + timedelta(days=1))
    before = figures.tally("acme", None, period, KINDS)
    assert "person:emmanuel macron" not in {c.key for c in before.tops["entity"]}
    Backlog(EntityProgress(store), {"acme": "on"}, {"acme": BOOK}).drain()
    assert rollups.outstanding("acme")  # the rewritten documents marked their blocks stale
    while rollups.step("acme"):
        pass
    after = figures.tally("acme", None, period, KINDS)
    assert "person:emmanuel macron" in {c.key for c in after.tops["entity"]}


def test_topics_mode_reads_only_the_signals_that_match_a_topic(store: SQLiteStore):
    stored(store, topics={2: ("visits",)})
    Backlog(EntityProgress(store), {"acme": "topics"}, {"acme": BOOK}).drain()
    found = names(store)
    assert ("place", "london") in found[TEXTS[2]]
    assert found[TEXTS[0]] == {("brand", "maison lumiere")}  # no topic: gazetteer only


def test_off_reads_nothing_and_other_workspaces_are_left_alone(store: SQLiteStore):
    stored(store)
    assert not Backlog(EntityProgress(store), {"acme": "off"})
    assert Backlog(EntityProgress(store), {"other": "on"}).drain() == 0
    assert names(store)[TEXTS[0]] == {("brand", "maison lumiere")}
    assert EntityProgress(store).position("acme") == 0


def test_a_persons_correction_of_entities_wins_over_ner(store: SQLiteStore):
    signals = stored(store)
    value = verdict("entities", [{"type": "org", "text": "Lumière"}])
    store.corrections.correct("acme", [signals[0].id], "entities", value, user_id=None, by="Ana")
    Backlog(EntityProgress(store), {"acme": "on"}, {"acme": BOOK}).drain()
    assert names(store)[TEXTS[0]] == {("org", "lumiere")}


def test_the_worker_serves_until_stopped_and_looks_at_once_when_told(store: SQLiteStore):
    backlog = Backlog(EntityProgress(store), {"acme": "on"}, {"acme": BOOK})
    stop, more = threading.Event(), threading.Event()
    worker = threading.Thread(target=backlog.serve, args=(stop, more))
    worker.start()
    stored(store)
    more.set()
    for _ in range(400):  # bounded: a few steps read the three
        if EntityProgress(store).position("acme") > 0:
            break
        time.sleep(0.05)
    stop.set()
    more.set()
    worker.join(60)
    assert not worker.is_alive()
    assert ("place", "london") in names(store)[TEXTS[2]]


def test_pouls_up_runs_ner_in_a_process_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "pouls.toml").write_text(
        '[[workspaces]]\nid = "acme"\nentities = "on"\n'
        '[[workspaces]]\nid = "quiet"\nentities = "off"\n',
        encoding="utf-8",
    )
    settings = config.load(tmp_path, {})
    store = SQLiteStore(tmp_path / "pouls.db")
    try:
        stored(store)
        worker = naming.start(settings, store.path)
        assert worker is not None and worker.process.pid != os.getpid()
        worker.poke([make_signal(9, "x")])
        for _ in range(1200):  # bounded: the process starts, loads spaCy, reads three signals
            if EntityProgress(store).position("acme") > 0:
                break
            time.sleep(0.05)
        worker.close()
        assert not worker.process.is_alive()
        assert ("place", "london") in names(store)[TEXTS[2]]
        assert EntityProgress(store).position("quiet") == 0
    finally:
        store.close()


def test_no_process_when_every_workspace_has_entities_off(tmp_path: Path) -> None:
    (tmp_path / "pouls.toml").write_text(
        '[[workspaces]]\nid = "acme"\nentities = "off"\n', encoding="utf-8"
    )
    assert naming.start(config.load(tmp_path, {}), str(tmp_path / "pouls.db")) is None
