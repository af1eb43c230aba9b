"""Storing what webhooks deliver: concurrent deliveries committed together, each answered after.

Webhook routes (generic ingest, Meta, Telegram, check-ins) call `store_batch` and answer only
after the commit: a 2xx means stored. While one group of deliveries is enriched and committed
(`pouls.web.commit`, in a worker thread), those that arrive wait and form the next group, so
under load the costs paid per batch (model calls, the transaction) are paid once for many
requests, and a lone sender waits for nothing. The waiting room holds at most `web.intake_queue`
signals: past it a delivery is refused at once with 503 and `Retry-After`, never queued without
bound. The stages are built and their models loaded at startup (`warm`), not by the first request.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import FastAPI, HTTPException, Request

from pouls import config, pipeline
from pouls.config import Settings
from pouls.enrich import Enricher
from pouls.locale import N_
from pouls.signals import Batch, Signal, signal_id
from pouls.store import Store
from pouls.web.commit import Delivery, Outcome, commit
from pouls.web.i18n import translate

log = logging.getLogger("pouls.web.intake")

BUSY = N_("pouls is receiving more than it can store right now: retry after %(seconds)d s")
CLOSING = N_("pouls is stopping: retry in a moment")


def stages(app: FastAPI) -> Sequence[Enricher]:
    """The app's stages (privacy first, then enrichers): those `pouls up` shares with its
    pipeline, so that a webhook's copy joins the same duplicate cluster as a polled one; or,
    for an app on its own, built once from its settings."""
    found = getattr(app.state, "stages", None)
    if found is None:
        found = app.state.stages = pipeline.stages_for(app.state.settings, app.state.store)
    return found


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
    """The waiting room is full, or the intake is closing: answer 503 with `Retry-After`."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass
class _Waiting:
    delivery: Delivery
    size: int
    answer: asyncio.Future[Outcome]


class Intake:
    """Gathers concurrent deliveries and commits them in groups of up to `group` signals."""

    def __init__(
        self,
        store: Store,
        found: Sequence[Enricher],
        publish: Callable[[list[Signal]], None],
        *,
        capacity: int,
        group: int,
    ) -> None:
        self.store = store
        self.stages = found
        self.publish = publish
        self.capacity = capacity
        self.group = group
        self.waiting_signals = 0
        self._waiting: deque[_Waiting] = deque()
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._rate = 1000.0  # signals per second, refined by each commit (for Retry-After)
        self.groups = 0

    def start(self) -> None:
        """Start committing, on the running event loop."""
        self._task = asyncio.create_task(self._run(), name="pouls-intake")

    async def put(self, workspace: str, source: str, batch: Batch) -> Outcome:
        """Wait for the batch to be committed with those of the other requests; Busy if full."""
        if self._closing:
            raise Busy(CLOSING, 5)
        size = max(1, len(batch.signals) + len(batch.dead_letters))
        # An empty room takes a delivery larger than itself: it would never be taken otherwise.
        if self._waiting and self.waiting_signals + size > self.capacity:
            raise Busy(BUSY, self.retry_after())
        answer: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(Delivery(workspace, source, batch), size, answer))
        self.waiting_signals += size
        self._wake.set()
        return await answer

    def retry_after(self) -> int:
        """Seconds until what waits now is likely stored (at least 1)."""
        return max(1, min(60, math.ceil(self.waiting_signals / self._rate)))

    async def close(self) -> None:
        """Refuse new deliveries, commit those already accepted, then stop."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while True:
            if not self._waiting:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            await self._commit(self._take())

    def _take(self) -> list[_Waiting]:
        taken = [self._waiting.popleft()]
        total = taken[0].size
        while self._waiting and total + self._waiting[0].size <= self.group:
            total += self._waiting[0].size
            taken.append(self._waiting.popleft())
        self.waiting_signals -= total
        return taken

    async def _commit(self, taken: list[_Waiting]) -> None:
        started = time.perf_counter()
        group = [w.delivery for w in taken]
        try:
            outcomes = await asyncio.to_thread(commit, self.store, self.stages, group)
        except Exception as exc:  # the store itself is down: each request answers 5xx
            log.exception("a group of %d deliveries could not be stored", len(group))
            for w in taken:
                if not w.answer.done():
                    w.answer.set_exception(exc)
                    w.answer.exception()  # retrieved: a request gone meanwhile warns nobody
            return
        self.groups += 1
        size = sum(w.size for w in taken)
        elapsed = max(time.perf_counter() - started, 1e-4)
        self._rate = 0.8 * self._rate + 0.2 * (size / elapsed)
        for w, outcome in zip(taken, outcomes, strict=True):
            if not w.answer.done():
                w.answer.set_result(outcome)
        stored = [s for outcome in outcomes for s in outcome.stored]
        if stored:
            try:
                self.publish(stored)
            except Exception:  # live pages are watchers: their failure must not undo the commit
                log.exception("live listeners failed")


def intake_for(app: FastAPI, listeners: Sequence[Callable[[list[Signal]], None]] = ()) -> Intake:
    """A new intake over the app's store and stages, sized from its settings; what it stores
    goes to `listeners` (`pouls up` gives the live pages and the alert watcher, as its
    pipeline does), or to the live pages alone."""
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
        stages(app),
        publish,
        capacity=settings.file.web.intake_queue,
        group=settings.file.pipeline.batch_size,
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The app's intake from startup to shutdown, its stages warmed first when webhooks are
    configured; at shutdown, what was accepted is committed before the app stops."""
    settings: Settings = app.state.settings
    if receives_webhooks(settings):
        await asyncio.to_thread(warm, settings, stages(app))
    app.state.intake = intake_for(app)
    app.state.intake.start()
    try:
        yield
    finally:
        await app.state.intake.close()


async def store_batch(request: Request, workspace: str, source: str, batch: Batch) -> Outcome:
    """Store the batch with those of concurrent requests, then tell live pages; 503 if full."""
    app = request.app
    intake: Intake | None = getattr(app.state, "intake", None)
    if intake is None:  # an app served without its lifespan (a TestClient not entered)
        [outcome] = await asyncio.to_thread(
            commit, app.state.store, stages(app), [Delivery(workspace, source, batch)]
        )
        if outcome.stored:
            app.state.live.publish(outcome.stored)
        return outcome
    try:
        return await intake.put(workspace, source, batch)
    except Busy as busy:
        lang = "fr" if _prefers_french(request) else "en"
        text = translate(lang, busy.message, seconds=busy.retry_after)
        raise HTTPException(503, text, {"Retry-After": str(busy.retry_after)}) from None


def _prefers_french(request: Request) -> bool:
    """Senders are programs: English unless the request asks for French first."""
    first = request.headers.get("accept-language", "").split(",")[0]
    return first.strip()[:2].lower() == "fr"
