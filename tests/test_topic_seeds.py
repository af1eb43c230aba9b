"""pouls.toml seeds the store's topics: followed while nobody changes them elsewhere, kept as
changed in the app, and not seeded again once deleted there (docs/settings.md)."""

from __future__ import annotations

from pathlib import Path

from pouls import pipeline
from pouls.config import load
from pouls.store.sqlite import SQLiteStore
from pouls.store.topics import Topic

TOML = """
[[workspaces]]
id = "acme"

[[topics]]
workspace = "acme"
name = "lyon"
query = "{query}"
"""


def _settings(home: Path, query: str):  # type: ignore[no-untyped-def]
    (home / "pouls.toml").write_text(TOML.format(query=query), encoding="utf-8")
    return load(home, environ={})


def test_pouls_toml_seeds_topics_and_the_app_changes_them_for_good(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "pouls.db")
    settings = _settings(tmp_path, "lyon")
    assert pipeline.sync_topics(settings, store) == [("acme", "lyon")]
    assert store.topics.get("acme", "lyon").origin == "config"  # type: ignore[union-attr]
    settings = _settings(tmp_path, "lyon OR villeurbanne")
    assert pipeline.sync_topics(settings, store) == [("acme", "lyon")]  # follows the file
    changed = Topic(workspace="acme", name="lyon", query="lyon -match", origin="web")
    store.topics.save(changed)
    assert pipeline.sync_topics(_settings(tmp_path, "lyon"), store) == []
    assert store.topics.get("acme", "lyon").query == "lyon -match"  # type: ignore[union-attr]
    assert pipeline.remove_topic(settings, store, "acme", "lyon")
    assert pipeline.sync_topics(settings, store) == []
    assert store.topics.get("acme", "lyon") is None  # deleted in the app: stays deleted
    store.close()
