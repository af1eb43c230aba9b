"""What webhooks deliver: journaled durably before the answer, enriched and stored just after.

A webhook route verifies the signature, parses, then calls `accept`: the delivery goes through
the privacy stage (so the journal holds nothing identifying in clear) and is appended to the
intake journal (`pouls.bus.Journal`; the store's own SQLite file by default) together with the
deliveries of the other requests waiting at that moment, in one transaction (group commit).
The 2xx means "durably accepted". A drainer takes the journal's oldest deliveries in batches of
up to `pipeline.batch_size` entries, runs the other stages as the pipeline does and stores them
in one put that also forgets their journal rows (`pouls.web.commit`), then tells the listeners
(live pages, alert watcher). A crash at any moment leaves each delivery journaled or stored:
what is left is drained at the next start. The backlog (entries accepted and not yet stored)
is bounded by `web.intake_queue`: past it a delivery is refused at once with 503 and
`Retry-After`. The stages' models load at startup (`warm`), not with the first delivery.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, HTTPException, Request

from pouls import config, pipeline
from pouls.bus import Delivery, Journal, Journaled, size
from pouls.config import Settings
from pouls.enrich import Enricher
from pouls.locale import N_
from pouls.privacy import Guard
from pouls.signals import Batch, DeadLetter, Signal, signal_id
from pouls.store import Store
from pouls.web.commit import Outcome, commit
from pouls.web.i18n import translate

log = logging.getLogger("pouls.web.intake")

BUSY = N_("pouls is receiving more than it can store right now: retry after %(seconds)d s")
CLOSING = N_("pouls is stopping: retry in a moment")
# While the store refuses to write (disk full, file locked), the drainer tries again this often.
RETRY_S = 1.0


def stages(app: FastAPI) -> Sequence[Enricher]:
    """The app's stages (privacy first, then enrichers): those `pouls up` shares with its
    pipeline, so that a webhook's copy joins the same duplicate cluster as a polled one; or,
    for an app on its own, built once from its settings."""
    found = getattr(app.state, "stages", None)
    if found is None:
        found = app.state.stages = pipeline.stages_for(app.state.settings, app.state.store)
    return found


def split(found: Sequence[Enricher]) -> tuple[list[Enricher], list[Enricher]]:
    """The stages run before journaling (up to the privacy stage: cheap, keep no model) and
    those the drainer runs after."""
    guards = [n for n, stage in enumerate(found) if isinstance(stage, Guard)]
    cut = guards[-1] + 1 if guards else 0
    return list(found[:cut]), list(found[cut:])


def warm(settings: Settings, found: Sequence[Enricher]) -> None:
    """Load the stages' models now (one French and one English signal per workspace through the
    stateless stages), so that the first delivery does not wait seconds for them."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    texts = ("Marie Dupont a ouvert une boutique à Lyon.", "John Smith opened a shop in London.")
    batch = [
        Signal(
            id=signal_id(w.id, "pouls-warm-up", str(n)),
            workspace=w.id,
            source="pouls-warm-up",
            channel="webhook",
            kind="message",
            created_at=now,
            observed_at=now,
            text=text,
        )
        for w in settings.workspaces
        for n, text in enumerate(texts)
    ]
    # The duplicate index and the topic matcher keep what they see: a warm-up signal in them
    # would be a neighbour that was never stored. The index's tables are built aside instead.
    for stage in found:
        if stage.name == "duplicates":
            from pouls.enrich.duplicates import signatures

            signatures([s.text for s in batch])
        if stage.name in ("duplicates", "topics"):
            continue
        try:
            batch = stage.enrich(batch)
        except Exception:
            log.exception("warming %s failed; it loads on first use", stage.name)
    log.info("stages warm in %.1f s", time.perf_counter() - started)


def receives_webhooks(settings: Settings) -> bool:
    """Whether pouls.toml declares a source the web app receives (so warm it at startup)."""
    pushed = (config.WebhookSource, config.MetaSource, config.CheckinSource)
    return any(
        isinstance(s, pushed) or (isinstance(s, config.TelegramSource) and s.mode == "webhook")
        for s in settings.file.sources
    )


class Busy(Exception):
    """The backlog is full, the intake is closing or the journal cannot be written: answer 503
    with `Retry-After`."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass
class Receipt:
    """A delivery durably accepted: the signals that will be stored (as journaled, after the
    privacy stage), the entries already refused with their reason, and, when asked for, the
    outcome of its storage to come."""

    accepted: list[Signal]
    dead_letters: list[DeadLetter]
    seq: int
    stored: asyncio.Future[Outcome] | None = None


@dataclass
class _Waiting:
    delivery: Delivery
    size: int
    answer: asyncio.Future[Receipt]
    stored: asyncio.Future[Outcome] | None = None


@dataclass
class _Tally:
    """What the intake did since it started (for `pouls up`'s log and the bench)."""

    accepted: int = 0
    stored: int = 0
    groups: int = 0
    drains: int = 0
    durations: list[float] = field(default_factory=list)


class Intake:
    """Journals concurrent deliveries together; drains the journal into the store in batches."""

    def __init__(
        self,
        store: Store,
        journal: Journal,
        found: Sequence[Enricher],
        publish: Callable[[list[Signal]], None],
        *,
        capacity: int,
        group: int,
        latency: float = 0.0,
    ) -> None:
        self.store = store
        self.journal = journal
        self.front, self.back = split(found)
        self.publish = publish
        self.capacity = capacity
        self.group = group
        self.latency = latency
        self.backlog = 0  # entries journaled and not yet stored
        self.waiting_signals = 0  # entries waiting for the next append
        self.tally = _Tally()
        self._waiting: list[_Waiting] = []
        self._stored: dict[int, asyncio.Future[Outcome]] = {}
        self._appended = asyncio.Event()
        self._journaled = asyncio.Event()
        self._idle = asyncio.Event()
        self._hurry = asyncio.Event()  # drain now: a full batch waits, or someone waits for it
        self._closing = False
        self._tasks: list[asyncio.Task[None]] = []
        self._rate = 1000.0  # entries stored per second, refined by each drain (Retry-After)

    def start(self) -> None:
        """Start journaling and draining, on the running event loop; what an earlier run left
        in the journal is drained first."""
        self.backlog = self.journal.backlog()
        self._tasks = [
            asyncio.create_task(self._append_loop(), name="pouls-intake-journal"),
            asyncio.create_task(self._drain_loop(), name="pouls-intake-drain"),
        ]

    async def put(
        self, workspace: str, source: str, batch: Batch, *, wait: bool = False
    ) -> Receipt:
        """Journal the batch with those of the other requests; Busy if the backlog is full.
        `wait`: the receipt's `stored` will tell the outcome of its storage."""
        if self._closing:
            raise Busy(CLOSING, 5)
        n = size(Delivery(workspace, source, batch))
        queued = self.backlog + self.waiting_signals
        # An empty intake takes a delivery larger than itself: it would never be taken otherwise.
        if queued and queued + n > self.capacity:
            raise Busy(BUSY, self.retry_after())
        loop = asyncio.get_running_loop()
        waiting = _Waiting(
            Delivery(workspace, source, batch),
            n,
            loop.create_future(),
            loop.create_future() if wait else None,
        )
        self._waiting.append(waiting)
        self.waiting_signals += n
        self._appended.set()
        receipt = await waiting.answer
        receipt.stored = waiting.stored
        return receipt

    def retry_after(self) -> int:
        """Seconds until the backlog is likely stored (at least 1)."""
        queued = self.backlog + self.waiting_signals
        return max(1, min(60, math.ceil(queued / max(self._rate, 1.0))))

    async def settled(self) -> None:
        """Wait until everything accepted so far is stored (tests, the bench, shutdown)."""
        while self._waiting or self.waiting_signals or self.backlog:
            self._idle.clear()
            self._hurry.set()
            self._journaled.set()
            await self._idle.wait()

    async def close(self) -> None:
        """Refuse new deliveries, journal and store those already accepted, then stop."""
        self._closing = True
        self._appended.set()
        self._hurry.set()
        self._journaled.set()
        await asyncio.gather(*self._tasks)

    # -- journaling ---------------------------------------------------------------------------

    async def _append_loop(self) -> None:
        while True:
            if not self._waiting:
                if self._closing:
                    self._journaled.set()
                    return
                self._appended.clear()
                await self._appended.wait()
                continue
            taken, self._waiting = self._waiting, []
            await self._append(taken)

    async def _append(self, taken: list[_Waiting]) -> None:
        deliveries = [w.delivery for w in taken]
        try:
            # On the loop when the writer is free (a thread hop costs more than the insert,
            # on a busy machine several times more), else from a worker thread.
            protected = [self._protect(d) for d in deliveries]
            seqs = self.journal.append_now(protected)
            if seqs is None:
                seqs = await asyncio.to_thread(self.journal.append, protected)
        except Exception:  # the journal cannot be written: nothing accepted, senders retry
            log.exception("%d deliveries could not be journaled", len(taken))
            for w in taken:
                self._answer(w.answer, exception=Busy(BUSY, 5))
            self.waiting_signals -= sum(w.size for w in taken)
            return
        entries = sum(w.size for w in taken)
        self.waiting_signals -= entries
        self.backlog += entries
        self.tally.accepted += entries
        self.tally.groups += 1
        for w, d, seq in zip(taken, protected, seqs, strict=True):
            if w.stored is not None:
                self._stored[seq] = w.stored
                self._hurry.set()  # a sender waits for the storage itself
            self._answer(w.answer, Receipt(d.batch.signals, d.batch.dead_letters, seq))
        if self.backlog >= self.group:
            self._hurry.set()
        self._journaled.set()

    def _protect(self, d: Delivery) -> Delivery:
        """The delivery as it may be kept on disk: privacy applied to signals and dead letters."""
        if not self.front:
            return d
        n = len(d.batch.signals)
        signals = pipeline.apply(self.front, list(d.batch.signals), exclusive=False)
        if len(signals) != len(d.batch.signals):  # each entry must stay accounted for
            raise RuntimeError(f"the privacy stages returned {len(signals)} signals of {n}")
        dead = pipeline.redact(self.front, list(d.batch.dead_letters))
        batch = Batch(signals=signals, dead_letters=dead, cursor=d.batch.cursor)
        return Delivery(d.workspace, d.source, batch)

    # -- draining -----------------------------------------------------------------------------

    async def _drain_loop(self) -> None:
        while True:
            # Cleared before the take, not after: a delivery journaled while the take runs
            # (unseen by it) must still wake the next wait.
            self._journaled.clear()
            try:
                taken = await asyncio.to_thread(self.journal.take, self.group)
            except Exception:
                log.exception("the intake journal could not be read")
                await asyncio.sleep(RETRY_S)
                continue
            if not taken:
                self._idle.set()
                if self._closing and not self._waiting and not self.waiting_signals:
                    return
                await self._journaled.wait()
                await self._gather()
                continue
            if not await self._drain(taken):
                if self._closing:  # kept in the journal: drained at the next start
                    self._idle.set()
                    return
                await asyncio.sleep(RETRY_S)

    async def _gather(self) -> None:
        """Let a batch form, as the pipeline does (`pipeline.batch_latency_ms`): one pass of
        the stages and one put for many deliveries cost much less than one for each, and the
        put holds the store's writer that the next deliveries' journaling waits for."""
        if self.latency <= 0:
            return
        with suppress(TimeoutError):
            await asyncio.wait_for(self._hurry.wait(), self.latency)
        if not self._closing:
            self._hurry.clear()

    async def _drain(self, taken: list[Journaled]) -> bool:
        """Store what was taken; False when the store refused (it stays in the journal)."""
        started = time.perf_counter()
        seqs = [t.seq for t in taken]
        try:
            outcomes = await asyncio.to_thread(
                commit, self.store, self.back, [t.delivery for t in taken], seqs
            )
            await asyncio.to_thread(self.journal.ack, seqs)
        except Exception as exc:  # the store itself is down: kept, tried again
            log.exception("%d journaled deliveries could not be stored yet", len(taken))
            for seq in seqs:
                found = self._stored.pop(seq, None)
                if found is not None:
                    self._answer(found, exception=exc)
            return False
        entries = sum(t.size for t in taken)
        self.backlog = max(0, self.backlog - entries)
        elapsed = max(time.perf_counter() - started, 1e-4)
        self._rate = 0.8 * self._rate + 0.2 * (entries / elapsed)
        self.tally.drains += 1
        self.tally.stored += entries
        for seq, outcome in zip(seqs, outcomes, strict=True):
            found = self._stored.pop(seq, None)
            if found is not None:
                self._answer(found, outcome)
        stored = [s for outcome in outcomes for s in outcome.stored]
        if stored:
            try:
                self.publish(stored)
            except Exception:  # live pages are watchers: their failure must not undo the commit
                log.exception("live listeners failed")
        return True

    @staticmethod
    def _answer(
        future: asyncio.Future[Any], value: Any = None, *, exception: BaseException | None = None
    ) -> None:
        if future.done():  # the request is gone
            return
        if exception is not None:
            future.set_exception(exception)
            future.exception()  # retrieved: a request gone meanwhile warns nobody
        else:
            future.set_result(value)


def intake_for(app: FastAPI, listeners: Sequence[Callable[[list[Signal]], None]] = ()) -> Intake:
    """A new intake over the app's store, its journal and stages, sized from its settings; what
    it stores goes to `listeners` (`pouls up` gives the live pages and the alert watcher, as
    its pipeline does), or to the live pages alone."""
    from pouls.store.journal import SQLiteJournal

    settings: Settings = app.state.settings
    told = list(listeners) or [app.state.live.publish]

    def publish(signals: list[Signal]) -> None:
        for listener in told:
            try:
                listener(signals)
            except Exception:  # a listener is a watcher: its failure must not undo the commit
                log.exception("listener failed")

    return Intake(
        app.state.store,
        SQLiteJournal(app.state.store),
        stages(app),
        publish,
        capacity=settings.file.web.intake_queue,
        group=settings.file.pipeline.batch_size,
        latency=settings.file.pipeline.batch_latency_ms / 1000,
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The app's intake from startup to shutdown, its stages warmed first when webhooks are
    configured; at shutdown, what was accepted is stored before the app stops."""
    settings: Settings = app.state.settings
    if receives_webhooks(settings):
        await asyncio.to_thread(warm, settings, stages(app))
    # Its own intake, closed by this lifespan: two clients of one app (tests) each start one,
    # and the later one replaces `app.state.intake` while the first is still open.
    intake = app.state.intake = intake_for(app)
    intake.start()
    try:
        yield
    finally:
        await intake.close()


async def accept(request: Request, workspace: str, source: str, batch: Batch) -> Receipt:
    """Journal the batch with those of concurrent requests (stored just after); 503 if full."""
    return await _put(request, workspace, source, batch, wait=False)


async def store_batch(request: Request, workspace: str, source: str, batch: Batch) -> Outcome:
    """Journal the batch and wait until it is stored, for a route whose answer says what became
    of each entry (check-ins); 503 if full."""
    receipt = await _put(request, workspace, source, batch, wait=True)
    if receipt.stored is None:
        raise RuntimeError("the intake did not follow the storage of a delivery")
    outcome = await receipt.stored
    return outcome


async def _put(
    request: Request, workspace: str, source: str, batch: Batch, *, wait: bool
) -> Receipt:
    app = request.app
    intake: Intake | None = getattr(app.state, "intake", None)
    if intake is None:  # an app served without its lifespan (a TestClient not entered)
        [outcome] = await asyncio.to_thread(
            commit, app.state.store, stages(app), [Delivery(workspace, source, batch)]
        )
        if outcome.stored:
            app.state.live.publish(outcome.stored)
        done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        done.set_result(outcome)
        return Receipt(outcome.stored, batch.dead_letters + outcome.refused, 0, done)
    try:
        return await intake.put(workspace, source, batch, wait=wait)
    except Busy as busy:
        lang = "fr" if _prefers_french(request) else "en"
        text = translate(lang, busy.message, seconds=busy.retry_after)
        raise HTTPException(503, text, {"Retry-After": str(busy.retry_after)}) from None


def _prefers_french(request: Request) -> bool:
    """Senders are programs: English unless the request asks for French first."""
    first = request.headers.get("accept-language", "").split(",")[0]
    return first.strip()[:2].lower() == "fr"
