"""The dashboards' rollups built ahead of time, so that no dashboard waits for them.

A dashboard recomputes the dirty blocks it reads (`pouls.store.figures`): after an import that
is seconds (a week over 200,000 signals) to minutes (a freshly filled million-signal store),
all in the first request. `pouls up` runs `Warmer` beside the pipeline instead: after it
starts, a short while after each commit batch (debounced) and every minute (topic backfills,
concealment and re-marking write without telling it), it builds what is outstanding in small
steps in a worker thread, newest blocks first (the last 30 days are what dashboards show).
`pouls import` calls `warm` at its end, with a progress bar.

A step is one write transaction per few blocks (`Figures.build`): a block's rows and the
removal of its dirty mark are committed together, so an interrupted build loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from pouls.analyse.keys import keys_of
from pouls.signals import Signal
from pouls.store.figures import BLOCKS_PER_DAY, Figures, KeysOf
from pouls.store.sqlite import SQLiteStore

log = logging.getLogger("pouls.rollups")

STEP = 2  # blocks per write transaction: a few hundred ms of work, then the others' turn
PAUSE = 0.1  # seconds between two steps, so the event loop and the pipeline's writer go first
QUIET = 3.0  # seconds without a commit before building (an import commits every second)
LATEST = 30.0  # ... but never more than this after the first commit not yet built
IDLE = 60.0  # seconds between two looks at the dirty marks when nothing was committed


class Rollups:
    """The outstanding rollups of a store, built a step at a time."""

    def __init__(self, store: SQLiteStore, keys: KeysOf = keys_of) -> None:
        self.store = store
        self.figures = Figures(store, keys)
        self.built = 0  # blocks built by this object: what the tests count

    def outstanding(self, workspace: str | None = None) -> int:
        """How many blocks are dirty (in one workspace, or in all)."""
        sql, params = "SELECT count(*) FROM figure_dirty", []
        if workspace is not None:
            sql, params = sql + " WHERE workspace = ?", [workspace]
        return int(self.store._reader().execute(sql, params).fetchone()[0])

    def step(self, workspace: str | None = None, size: int = STEP) -> int:
        """Build up to `size` dirty blocks of one workspace, the newest first, then the day
        rows of the days left with no dirty block; returns how many blocks were built."""
        reader = self.store._reader()
        if workspace is None:
            found = reader.execute("SELECT workspace FROM figure_dirty LIMIT 1").fetchone()
            if found is None:
                return 0
            workspace = str(found[0])
        dirty = reader.execute(
            "SELECT block, gen FROM figure_dirty WHERE workspace = ? ORDER BY block DESC LIMIT ?",
            (workspace, size),
        ).fetchall()
        if not dirty:
            return 0
        self.figures.build(workspace, dirty)
        self.built += len(dirty)
        days = {block // BLOCKS_PER_DAY for block, _ in dirty}
        still = {
            block // BLOCKS_PER_DAY
            for (block,) in reader.execute(
                "SELECT block FROM figure_dirty WHERE workspace = ? AND block >= ? AND block < ?",
                (workspace, min(days) * BLOCKS_PER_DAY, (max(days) + 1) * BLOCKS_PER_DAY),
            )
        }
        self.figures.build_days(workspace, days - still)
        return len(dirty)


def warm(
    store: SQLiteStore,
    workspace: str | None = None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    """Build every outstanding rollup now (`pouls import`); `progress(done, total)` after each
    step. Returns how many blocks were built."""
    rollups = Rollups(store)
    total = rollups.outstanding(workspace)
    progress(0, total)
    while rollups.step(workspace, size=6):
        # a block dirtied meanwhile counts once more: the bar may end past its first total
        progress(rollups.built, max(total, rollups.built))
    return rollups.built


class Warmer:
    """`pouls up`'s background builder: `poke` it after a commit (any thread), `run` it until
    `stop` is set."""

    def __init__(
        self,
        store: SQLiteStore,
        keys: KeysOf = keys_of,
        *,
        quiet: float = QUIET,
        latest: float = LATEST,
        idle: float = IDLE,
        pause: float = PAUSE,
    ) -> None:
        self.rollups = Rollups(store, keys)
        self.quiet, self.latest, self.idle, self.pause = quiet, latest, idle, pause
        self._poked: float | None = None  # when the first commit not yet built was seen
        self._last: float = 0.0  # when the latest one was

    def poke(self, signals: Sequence[Signal] = ()) -> None:
        """A commit marked blocks dirty: build them soon. A pipeline listener; thread-safe."""
        now = time.monotonic()
        if self._poked is None:
            self._poked = now
        self._last = now

    def _due(self, since_look: float) -> bool:
        now = time.monotonic()
        if self._poked is None:
            return since_look >= self.idle
        return now - self._last >= self.quiet or now - self._poked >= self.latest

    async def run(self, stop: asyncio.Event) -> None:
        """Build outstanding rollups at start, after commits (debounced) and every `idle`
        seconds, a step at a time, until `stop` is set; errors are logged and retried."""
        looked = -self.idle  # at start: look at once
        while not stop.is_set():
            if self._due(time.monotonic() - looked):
                self._poked = None
                looked = time.monotonic()
                await self._catch_up(stop)
            try:
                await asyncio.wait_for(stop.wait(), min(0.5, self.quiet))
            except TimeoutError:
                continue

    async def _catch_up(self, stop: asyncio.Event) -> None:
        built = 0
        while not stop.is_set():
            try:
                done = await asyncio.to_thread(self.rollups.step)
            except Exception as exc:  # the store busy or closing: the marks stay, next time
                log.warning("dashboard rollups not built: %s", type(exc).__name__)
                return
            if not done:
                break
            built += done
            await asyncio.sleep(self.pause)
        if built:
            log.info("dashboard rollups: %d blocks built ahead", built)
