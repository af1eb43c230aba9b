"""spaCy's NER after storage: a background worker that adds the names it finds to stored signals.

On the ingest path entities come from the workspace's gazetteer only (tens of thousands of
signals per second); NER reads some 2,000 per second and would set the pace of every import
and webhook. So `pouls up` runs it here instead, per the workspace's `entities` setting (off,
on, or only for signals that match a topic): it reads the stored signals in order, a chunk at
a time, and writes their entities back (`pouls.store.entities`), which searches, facets and
dashboards then read like any other. Back-pressure is the store itself: what NER has not read
waits in the signals table, not in memory, and the worker takes at most half of one core.
`pouls up` runs it in a process of its own (`pouls.cli.naming`).
"""

from __future__ import annotations

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


class Flag(Protocol):
    """What the worker needs of an event: `threading.Event` or `multiprocessing.Event`."""

    def is_set(self) -> bool: ...

    def set(self) -> None: ...

    def clear(self) -> None: ...

    def wait(self, timeout: float | None = None) -> bool: ...


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

    def serve(self, stop: Flag, more: Flag) -> None:
        """Step until `stop`, resting between steps as long as `share` asks, and when nothing
        waits until `more` is set (new signals stored) or IDLE seconds have passed."""
        while not stop.is_set():
            started = time.monotonic()
            try:
                read = self.step()
            except Exception:
                log.exception("entities: NER failed on a chunk; trying again later")
                read = 0
            if read:
                stop.wait((time.monotonic() - started) * (1 / self.share - 1))
                continue
            more.wait(IDLE)
            more.clear()
