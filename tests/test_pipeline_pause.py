"""A source paused in the web app stops reading, keeps its cursor, stays paused across a
restart, and reads on from its cursor once resumed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from pouls import pipeline
from pouls.pipeline import Limits
from pouls.signals import Batch
from pouls.store.pauses import Pauses
from pouls.store.sqlite import SQLiteStore
from tests.conftest import make_signal

FAST = Limits(batch_size=10, batch_latency=0.005)


class Feed:
    """Yields a batch of one signal each time `gate` lets it, with its cursor; never ends."""

    def __init__(self) -> None:
        self.name, self.workspace = "feed", "acme"
        self.gate: asyncio.Queue[None] = asyncio.Queue()
        self.starts: list[str | None] = []
        self.reading = False

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        self.starts.append(cursor)
        self.reading = True
        n = int(cursor or 0)
        try:
            while True:
                await self.gate.get()
                n += 1
                yield Batch(signals=[make_signal(n, source="feed")], cursor=str(n))
        finally:
            self.reading = False


async def _until(check: object) -> None:
    for _ in range(500):
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never got there")


async def test_a_paused_source_stops_reading_and_reads_on_from_its_cursor(
    store: SQLiteStore,
) -> None:
    pauses = Pauses(store)
    feed = Feed()
    stop = asyncio.Event()
    run = asyncio.create_task(
        pipeline.run(
            [feed], store, limits=FAST, stop=stop, paused=pauses.is_paused, pause_every=0.01
        )
    )
    feed.gate.put_nowait(None)
    await _until(lambda: store.cursor("acme", "feed") == "1")
    pauses.pause("acme", "feed", "ana@acme.fr")
    await _until(lambda: not feed.reading)
    for _ in range(3):
        feed.gate.put_nowait(None)  # what it would read, were it reading
    await asyncio.sleep(0.05)  # nothing may happen meanwhile; no timing is measured
    assert store.count("acme") == 1 and store.cursor("acme", "feed") == "1"
    assert pauses.resume("acme", "feed")
    await _until(lambda: store.count("acme") == 4)
    assert feed.starts == [None, "1"] and store.cursor("acme", "feed") == "4"
    stop.set()
    await run


async def test_a_pause_outlives_a_restart(tmp_path: Path) -> None:
    first = SQLiteStore(tmp_path / "pouls.db")
    Pauses(first).pause("acme", "feed", "ana@acme.fr")
    first.close()
    store = SQLiteStore(tmp_path / "pouls.db")
    pauses = Pauses(store)
    (pause,) = pauses.list("acme").values()
    assert (pause.source, pause.by) == ("feed", "ana@acme.fr")
    feed = Feed()
    feed.gate.put_nowait(None)
    stop = asyncio.Event()
    run = asyncio.create_task(
        pipeline.run(
            [feed], store, limits=FAST, stop=stop, paused=pauses.is_paused, pause_every=0.01
        )
    )
    await asyncio.sleep(0.05)
    assert feed.starts == [] and store.count("acme") == 0  # never started reading
    assert pauses.list("globex") == {}
    pauses.resume("acme", "feed")
    await _until(lambda: store.count("acme") == 1)
    stop.set()
    await run
    store.close()
