"""The NER worker of `pouls up`: spaCy's names for stored signals, in a process of its own.

A process, not a thread: spaCy holds the interpreter's lock while it reads, so a thread would
take its time from the pipeline and the web server; in its own process it reads on the other
core, and its pipelines (some 150 MB) are not in the server's memory. It opens the same
SQLite file (WAL: the server keeps reading and writing; a write waits for the other's at
most a moment). The worker itself is `pouls.enrich.later.Backlog`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.synchronize import Event

from pouls.config import Settings
from pouls.signals import Signal

log = logging.getLogger("pouls.entities")
STOP_WAIT = 30.0  # seconds a worker is given to finish its chunk at shutdown


class Naming:
    """The worker process, started by `start`; `poke` is a pipeline listener."""

    def __init__(self, process: multiprocessing.process.BaseProcess, stop: Event, more: Event):
        self.process = process
        self._stop = stop
        self._more = more

    def poke(self, signals: Sequence[Signal] = ()) -> None:
        """New signals were stored: the worker looks at once instead of after its pause."""
        if signals:
            self._more.set()

    def close(self) -> None:
        """Stop after the current chunk (the next start reads on from the recorded position)."""
        self._stop.set()
        self._more.set()
        self.process.join(STOP_WAIT)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()


def listeners(naming: Naming | None) -> list[Callable[[list[Signal]], None]]:
    """The pipeline listeners of a worker (none without one)."""
    return [] if naming is None else [naming.poke]


def start(settings: Settings, database: str) -> Naming | None:
    """Start the worker for the workspaces whose `entities` is not off; None when all are."""
    modes = {
        w.id: w.entities
        for w in settings.workspaces
        if w.entities != "off" and (w.enrichers is None or "entities" in w.enrichers)
    }
    if not modes:
        return None
    books = {w.id: dict(w.gazetteer) for w in settings.workspaces if w.gazetteer}
    context = multiprocessing.get_context("spawn")  # no copy of the server's threads or memory
    stop, more = context.Event(), context.Event()
    process = context.Process(
        target=_work, args=(database, modes, books, stop, more), name="pouls-entities", daemon=True
    )
    process.start()
    return Naming(process, stop, more)


def _work(
    database: str,
    modes: Mapping[str, str],
    books: Mapping[str, Mapping[str, list[str]]],
    stop: Event,
    more: Event,
) -> None:
    # Ctrl+C reaches the whole process group: the server stops this worker itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from pouls.enrich.entities import Gazetteer
    from pouls.enrich.later import Backlog
    from pouls.store.entities import EntityProgress
    from pouls.store.sqlite import SQLiteStore

    # A server killed outright cannot stop its worker: the worker stops when orphaned.
    parent = os.getppid()
    threading.Thread(target=_orphaned, args=(parent, stop, more), daemon=True).start()
    store = SQLiteStore(database)
    try:
        gazetteers = {ws: Gazetteer.from_types(book) for ws, book in books.items()}
        Backlog(EntityProgress(store), modes, gazetteers).serve(stop, more)  # type: ignore[arg-type]
    finally:
        store.close()


def _orphaned(parent: int, stop: Event, more: Event) -> None:
    while not stop.is_set():
        if os.getppid() != parent:
            stop.set()
            more.set()
            return
        time.sleep(1.0)
