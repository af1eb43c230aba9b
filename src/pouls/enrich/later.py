"""spaCy's NER after storage: a background worker that adds the names it finds to stored signals.

On the ingest path entities come from the workspace's gazetteer only (tens of thousands of
signals per second); NER reads some 2,000 per second and would set the pace of every import
and webhook. So `pouls up` runs it here instead, per the workspace's `entities` setting (off,
on, or only for signals that match a topic): it reads the stored signals in order, a chunk at
a time, and writes their entities back (`pouls.store.entities`), which searches, facets and
dashboards then read like any other. Back-pressure is the store itself: what NER has not read
waits in the signals table, not in memory, and the worker takes at most half of one core, so
ingest keeps the rest when both have work.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

from pouls.enrich.entities import EntityEnricher, Gazetteer
from pouls.signals import Signal

log = logging.getLogger("pouls.entities")

Mode = Literal["off", "on", "topics"]
CHUNK = 256  # signals per step: a step takes about a tenth of a second
SHARE = 0.5  # of a core, at most, while there is a backlog
IDLE = 2.0  # seconds between two looks when nothing waits and nothing was stored


class Progress(Protocol):
    """Where the worker reads and writes (`pouls.store.entities.EntityProgress`)."""

    def pending(
        self, workspace: str, *, only_topics: bool, limit: int
    ) -> tuple[list[Signal], int | None]: ...

    def save(self, workspace: str, found: Sequence[Signal], through: int) -> int: ...


class Backlog:
    """The stored signals NER has still to read, read a chunk at a time."""

    def __init__(
        self,
        progress: Progress,
        modes: Mapping[str, Mode],
        gazetteers: Mapping[str, Gazetteer] | None = None,
        *,
        chunk: int = CHUNK,
        share: float = SHARE,
    ) -> None:
        self.progress = progress
        self.modes = {ws: mode for ws, mode in modes.items() if mode != "off"}
        self.names = EntityEnricher(gazetteers, use_spacy=True)
        self.chunk = chunk
        self.share = share
        self._more = asyncio.Event()

    def __bool__(self) -> bool:
        return bool(self.modes)

    def step(self) -> int:
        """Read one chunk of each workspace that has signals waiting; how many were read."""
        read = 0
        for workspace, mode in self.modes.items():
            signals, through = self.progress.pending(
                workspace, only_topics=mode == "topics", limit=self.chunk
            )
            if through is None:
                continue
            found = self.names.enrich(signals) if signals else []
            self.progress.save(workspace, found, through)
            read += max(len(signals), 1)
        return read

    def drain(self) -> int:
        """Steps until nothing waits (tests, and a command that catches up); signals read."""
        total = 0
        while read := self.step():
            total += read
        return total

    def poke(self, signals: Sequence[Signal] = ()) -> None:
        """A pipeline or intake listener: new signals were stored, look sooner."""
        if any(s.workspace in self.modes for s in signals):
            self._more.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Step in a thread until `stop`; between steps, rest as long as `share` asks."""
        while not stop.is_set():
            started = time.monotonic()
            try:
                read = await asyncio.to_thread(self.step)
            except Exception:  # a broken chunk must not end the worker: try again later
                log.exception("entities: NER failed on a chunk; trying again later")
                read = 0
            spent = time.monotonic() - started
            rest = spent * (1 / self.share - 1) if read else IDLE
            self._more.clear()
            waits = [asyncio.create_task(stop.wait())]
            if not read:
                waits.append(asyncio.create_task(self._more.wait()))
            _, pending = await asyncio.wait(
                waits, timeout=rest, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
