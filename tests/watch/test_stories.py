"""The crisis page's stories, linked once and then followed: what they say is what a replay of
the whole span says, when signals keep coming, come late, or are removed."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest

from pouls import pipeline
from pouls.sources.files import FileSource
from pouls.store.sqlite import SQLiteStore
from pouls.watch.crisis import Escalation, Stories, recent
from tests.watch import badbuzz

SPAN = timedelta(days=30)


def load(store: SQLiteStore, path: Path, records: list[dict], name: str) -> None:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    source = FileSource(name=name, workspace=badbuzz.WORKSPACE, path=path)
    asyncio.run(pipeline.run([source], store))


def told(found: list[Escalation]) -> list[tuple[str, str, str, int]]:
    return [(e.story.key, e.target, e.at.isoformat(), len(e.story.seen["public"])) for e in found]


@pytest.fixture
def halves(tmp_path: Path) -> tuple[SQLiteStore, list[dict], list[dict]]:
    """The demo's first five weeks stored; its last week (the bad buzz's end) still to come."""
    recs = badbuzz.records()
    cut = (badbuzz.END - timedelta(days=7)).isoformat()
    early = [r for r in recs if r["created_at"] < cut]
    store = SQLiteStore(tmp_path / "pouls.db")
    load(store, tmp_path / "early.jsonl", early, "early")
    return store, early, [r for r in recs if r["created_at"] >= cut]


def test_followed_stories_say_what_a_replay_of_the_span_says(
    halves: tuple[SQLiteStore, list[dict], list[dict]], tmp_path: Path
) -> None:
    store, _, late = halves
    stories = Stories(store, badbuzz.WORKSPACE, SPAN)
    first, _ = stories.current()
    assert told(first) == told(recent(store, badbuzz.WORKSPACE, SPAN)[0])
    linked: list[int] = []
    add_all = stories._tracker.add_all  # type: ignore[union-attr]
    stories._tracker.add_all = lambda signals: linked.append(len(signals)) or add_all(signals)  # type: ignore[union-attr, method-assign]
    load(store, tmp_path / "late.jsonl", late, "late")
    found, until = stories.current()
    assert linked == [len(late)]  # only what was stored since
    expected, expected_until = recent(store, badbuzz.WORKSPACE, SPAN)
    assert until == expected_until
    assert told(found) == told(expected)
    assert {e.target for e in found} == {"public", "press"}
    assert stories.current()[0] == found  # nothing new: nothing linked
    assert linked == [len(late), 0]
    store.close()


def test_signals_stored_late_or_removed_make_the_stories_linked_again(
    halves: tuple[SQLiteStore, list[dict], list[dict]], tmp_path: Path
) -> None:
    store, early, late = halves
    stories = Stories(store, badbuzz.WORKSPACE, SPAN)
    load(store, tmp_path / "late.jsonl", late, "late")
    stories.current()
    # An import of older signals (a week of the history again, under another source name).
    again = [r for r in early if r["created_at"] >= (badbuzz.END - timedelta(days=21)).isoformat()]
    load(store, tmp_path / "again.jsonl", again, "again")
    assert told(stories.current()[0]) == told(recent(store, badbuzz.WORKSPACE, SPAN)[0])
    with store._transaction() as conn:  # erasure of a source's signals
        conn.execute("DELETE FROM signals WHERE source = 'again'")
    assert told(stories.current()[0]) == told(recent(store, badbuzz.WORKSPACE, SPAN)[0])
    store.close()
