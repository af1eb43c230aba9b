"""Rollups built ahead of time: a dashboard after the warm-up builds (writes) nothing, the
background builder of `pouls up` catches up after new signals, an interrupted build loses
nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from pouls import pipeline
from pouls.analyse.figures import dashboard
from pouls.analyse.keys import keys_of
from pouls.analyse.rollups import Rollups, Warmer, warm
from pouls.query.period import Period
from pouls.signals import Batch, Signal
from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore
from tests.analyse.test_figures import settings
from tests.cli.process import pouls
from tests.conftest import T0, make_signal
from tests.store.test_figures import history, summary, tally

MONTH = Period(since=T0 - timedelta(days=10), until=T0 + timedelta(days=20))
WEEK = Filters(since=T0 + timedelta(days=1, hours=3), until=T0 + timedelta(days=8, minutes=7))


def dirty(store: SQLiteStore) -> list[tuple[int, int]]:
    return store._reader().execute("SELECT block, gen FROM figure_dirty ORDER BY block").fetchall()


def exact(store: SQLiteStore, filters: Filters) -> None:
    """The rollups give what counting the signals gives, for the workspace and a topic."""
    for f in (filters, Filters(**{**_fields(filters), "topic": "croissants"})):
        assert summary(tally(store, f)) == summary(tally(store, f, raw=True))


def _fields(f: Filters) -> dict[str, object]:
    return {k: getattr(f, k) for k in f.__struct_fields__}


def test_after_the_warm_up_a_dashboard_builds_nothing(store: SQLiteStore, tmp_path: Path) -> None:
    store.put(history())
    assert dirty(store)  # what an import leaves: every block with a signal
    steps: list[tuple[int, int]] = []
    built = warm(store, "acme", lambda done, total: steps.append((done, total)))
    assert built == steps[-1][0] == steps[0][1] > 0 and steps[0][0] == 0
    assert dirty(store) == []
    writes = store._writer.total_changes
    for topic in (None, "croissants"):
        board = dashboard(store, settings(tmp_path), "acme", None, Filters(topic=topic), MONTH)
        assert board.totals["volume"].value > 0
    assert store._writer.total_changes == writes  # no block, no day built on the read path
    exact(store, WEEK)
    assert warm(store, "acme") == 0  # nothing left to do


def test_a_signal_changed_after_the_warm_up_is_rebuilt_by_the_next_one(
    store: SQLiteStore,
) -> None:
    signals = history()
    store.put(signals)
    warm(store)
    # a concealment or an erasure rewrites stored rows: their blocks are marked by triggers
    with store._transaction() as tx:
        tx.execute("UPDATE signals SET author = 'a_hidden' WHERE id = ?", (signals[40].id,))
    assert len(dirty(store)) == 1
    assert warm(store) == 1 and dirty(store) == []
    exact(store, WEEK)


class _Unbindable:
    """A key SQLite cannot store: the write fails inside its transaction."""

    def __lt__(self, other: object) -> bool:
        raise TypeError("not comparable")


def test_a_build_that_fails_midway_loses_nothing(store: SQLiteStore) -> None:
    signals = history()
    store.put(signals)
    warm(store)
    before = store._reader().execute("SELECT count(*), sum(n) FROM figure_keys").fetchone()
    with store._transaction() as tx:  # two blocks changed
        tx.execute(
            "UPDATE signals SET sentiment = NULL WHERE id IN (?, ?)",
            (signals[0].id, signals[300].id),
        )
    marks = dirty(store)
    assert len(marks) == 2

    def poisoned(s: Signal) -> Iterator[tuple[str, object, str]]:
        yield from keys_of(s)
        yield "term", _Unbindable(), "x"

    broken = Rollups(store, poisoned)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        broken.step(size=2)
    # the transaction rolled back: the old rows are whole and both blocks still dirty
    assert dirty(store) == marks
    after = store._reader().execute("SELECT count(*), sum(n) FROM figure_keys").fetchone()
    assert after == before
    assert warm(store) == 2 and dirty(store) == []
    exact(store, Filters(since=T0 - timedelta(hours=1), until=T0 + timedelta(days=11)))


class _Stream:
    """A source that gives its history, then one more batch when told, then waits."""

    def __init__(self, first: list[Signal], later: list[Signal], more: asyncio.Event) -> None:
        self.name, self.workspace = "src", "acme"
        self.first, self.later, self.more = first, later, more

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        for start in range(0, len(self.first), 100):
            yield Batch(signals=self.first[start : start + 100], cursor=str(start))
        await self.more.wait()
        yield Batch(signals=self.later, cursor="later")
        await asyncio.Event().wait()


async def _caught_up(store: SQLiteStore, rollups: Rollups, count: int) -> None:
    for _ in range(600):  # bounded: fails instead of hanging
        stored = store._reader().execute("SELECT count(*) FROM signals").fetchone()[0]
        if stored == count and rollups.outstanding() == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not caught up: {stored} stored, {rollups.outstanding()} dirty")


async def test_the_background_builder_catches_up_after_new_signals(store: SQLiteStore) -> None:
    signals = history()
    late = [make_signal(20_000 + i, "croissant chaud #tag1", source="src") for i in range(30)]
    more, stop = asyncio.Event(), asyncio.Event()
    warmer = Warmer(store, quiet=0.05, latest=0.2, idle=3600, pause=0)
    flow = asyncio.create_task(
        pipeline.run(
            [_Stream(signals, late, more)],
            store,
            limits=pipeline.Limits(batch_size=100, batch_latency=0.05),
            listeners=[warmer.poke],
            stop=stop,
        )
    )
    warming = asyncio.create_task(warmer.run(stop))
    await _caught_up(store, warmer.rollups, len(signals))
    built = warmer.rollups.built
    assert built > 0
    more.set()  # new signals days later: only their blocks are built
    await _caught_up(store, warmer.rollups, len(signals) + len(late))
    assert 0 < warmer.rollups.built - built <= 2
    stop.set()
    await asyncio.wait_for(asyncio.gather(flow, warming), 30)
    writes = store._writer.total_changes
    exact(store, Filters(since=T0, until=T0 + timedelta(days=15)))
    assert store._writer.total_changes == writes


def test_pouls_import_ends_with_the_rollups_built(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert pouls(home, "init").returncode == 0
    data = tmp_path / "history.jsonl"
    rows = [
        {
            "native_id": str(i),
            "channel": "mastodon",
            "text": f"croissant n°{i} #fournil",
            "created_at": f"2026-10-{1 + i // 24:02d}T{i % 24:02d}:00:00Z",
        }
        for i in range(72)
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    imported = pouls(home, "import", str(data))
    assert imported.returncode == 0, imported.stderr
    assert "Building the dashboards' figures" in imported.stderr
    store = SQLiteStore(home / "pouls.db")
    try:
        assert dirty(store) == []
        assert store._reader().execute("SELECT count(*) FROM figure_days").fetchone()[0] == 3
    finally:
        store.close()
