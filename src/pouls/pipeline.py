"""Wires the stages: sources -> (bounded queue) -> batcher -> enrich and match -> store -> listeners.

A plain asyncio function, not a framework. The store commit is the acknowledgement: a source's
cursor is saved in the same transaction as the batch it produced, so a crash replays what was
not committed and the stable ids make the replay a no-op for what was.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from pouls import config
from pouls.config import Settings
from pouls.enrich import Enricher
from pouls.privacy import Guard
from pouls.signals import Batch, DeadLetter, Signal
from pouls.sources import Source
from pouls.store import Store

log = logging.getLogger("pouls.pipeline")

Listener = Callable[[list[Signal]], None]
Paused = Callable[[str, str], bool]  # (workspace, source) -> paused in the web app
PAUSE_EVERY = 2.0  # seconds between two looks at whether a source is paused


@dataclass
class Totals:
    """What went through the pipeline: read from sources, stored new, already there, dead."""

    read: int = 0
    stored: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    batches: int = 0
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    """Batch size and latency bounds, and how many source batches may wait (back-pressure)."""

    batch_size: int = 500
    batch_latency: float = 0.2
    queue_size: int = 8


_DONE = object()


async def run(
    sources: Sequence[Source],
    store: Store,
    *,
    stages: Sequence[Enricher] = (),
    limits: Limits = Limits(),
    listeners: Sequence[Listener] = (),
    stop: asyncio.Event | None = None,
    paused: Paused | None = None,
    pause_every: float = PAUSE_EVERY,
) -> Totals:
    """Run until every source is exhausted or `stop` is set; in-flight batches are drained.

    `paused(workspace, source)` (the web app's pause, kept in the store) is asked every
    `pause_every` seconds: a paused source stops reading, what it was building is dropped and
    its cursor stays at its last stored batch; once resumed it reads on from there.
    """
    stop = stop or asyncio.Event()
    queue: asyncio.Queue[tuple[tuple[str, str], Batch] | object] = asyncio.Queue(limits.queue_size)
    totals = Totals()
    pumps: list[asyncio.Task[None]] = []
    by_name: dict[tuple[str, str], asyncio.Task[None]] = {}
    for s in sorted(sources, key=lambda s: getattr(s, "after", None) is not None):
        first = by_name.get((s.workspace, getattr(s, "after", None) or ""))
        pump = (
            _pump(s, store, queue, totals, first)
            if paused is None
            else _pausable(s, store, queue, totals, first, paused, pause_every)
        )
        task = asyncio.create_task(pump, name=f"source:{s.name}")
        by_name[(s.workspace, s.name)] = task
        pumps.append(task)
    worker = asyncio.create_task(_process(queue, store, stages, limits, listeners, totals))
    stopper = asyncio.create_task(stop.wait())
    pending: set[asyncio.Task[Any]] = set(pumps)
    while pending and not stop.is_set():
        _, pending = await asyncio.wait(pending | {stopper}, return_when=asyncio.FIRST_COMPLETED)
        pending.discard(stopper)
    for task in pending:
        task.cancel()  # a batch a source was still building is not acknowledged: replayed later
    await asyncio.gather(*pending, return_exceptions=True)
    stopper.cancel()
    await queue.put(_DONE)
    await worker
    return totals


async def _pump(
    source: Source,
    store: Store,
    queue: asyncio.Queue,
    totals: Totals,
    after: asyncio.Task[None] | None = None,
) -> None:
    key = (source.workspace, source.name)
    if after is not None:  # e.g. replay live only once the history is imported
        await asyncio.wait([after])
    try:
        cursor = await asyncio.to_thread(store.cursor, *key)
        async for batch in source.stream(cursor):
            totals.read += len(batch.signals) + len(batch.dead_letters)
            await queue.put((key, batch))
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a broken source must not stop the others: record it and end it
        message = f"{type(exc).__name__}: {exc}"
        log.error("source %s/%s stopped: %s", *key, message)
        totals.errors[f"{key[0]}/{key[1]}"] = message
        await asyncio.to_thread(store.record_error, *key, message)


async def _pausable(
    source: Source,
    store: Store,
    queue: asyncio.Queue,
    totals: Totals,
    after: asyncio.Task[None] | None,
    paused: Paused,
    every: float,
) -> None:
    """`_pump`, stopped while the source is paused and started again from its stored cursor."""
    key = (source.workspace, source.name)
    if after is not None:
        await asyncio.wait([after])
    while True:
        if paused(*key):
            log.info("source %s/%s paused", *key)
            while paused(*key):
                await asyncio.sleep(every)
            log.info("source %s/%s resumed", *key)
        reading = asyncio.create_task(_pump(source, store, queue, totals))
        while not reading.done():
            await asyncio.wait([reading], timeout=every)
            if not reading.done() and paused(*key):
                reading.cancel()  # a batch being built is not acknowledged: read again later
                await asyncio.gather(reading, return_exceptions=True)
                break
        else:
            return  # the source is exhausted (or failed, which `_pump` recorded)


async def _process(
    queue: asyncio.Queue,
    store: Store,
    stages: Sequence[Enricher],
    limits: Limits,
    listeners: Sequence[Listener],
    totals: Totals,
) -> None:
    finished = False
    while not finished:
        signals: list[Signal] = []
        dead: list[DeadLetter] = []
        cursors: dict[tuple[str, str], str | None] = {}
        item = await queue.get()
        deadline = time.monotonic() + limits.batch_latency
        while True:
            if item is _DONE:
                finished = True
                break
            key, batch = item  # type: ignore[misc]
            signals.extend(batch.signals)
            dead.extend(batch.dead_letters)
            cursors[key] = batch.cursor  # cursors of one source only move forward
            if len(signals) + len(dead) >= limits.batch_size:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                item = await asyncio.wait_for(queue.get(), remaining)
            except TimeoutError:
                break
        if cursors:
            await _commit(signals, dead, cursors, store, stages, listeners, totals)


async def _commit(
    signals: list[Signal],
    dead: list[DeadLetter],
    cursors: dict[tuple[str, str], str | None],
    store: Store,
    stages: Sequence[Enricher],
    listeners: Sequence[Listener],
    totals: Totals,
) -> None:
    # Enrichment is CPU work: off the event loop, so the web app and sources stay responsive.
    if signals and stages:
        signals = await asyncio.to_thread(apply, stages, signals)
    if dead and stages:
        dead = await asyncio.to_thread(redact, stages, dead)
    result = await asyncio.to_thread(store.put, signals, dead_letters=dead, cursors=cursors)
    totals.stored += result.inserted
    totals.duplicates += result.existing
    totals.dead_letters += len(dead)
    totals.batches += 1
    for listener in listeners:
        try:
            listener(signals)
        except Exception:  # a listener is a watcher: its failure must not undo the commit
            log.exception("listener failed")


# One batch at a time through the stages: `pouls up` shares them between the pipeline and
# the webhooks (one duplicate index, one topic matcher), and the models are not thread-safe.
_applying = threading.Lock()


def apply(
    stages: Sequence[Enricher], signals: list[Signal], *, exclusive: bool = True
) -> list[Signal]:
    """Run the stages in order; a stage that fails is logged and skipped for this batch, except
    the privacy stage: when it fails, the batch goes on stripped of whatever may name someone.
    `exclusive=False` for stages that keep no model and may run beside a batch (own accounts,
    privacy: what the webhook intake runs before journaling a delivery)."""
    with _applying if exclusive else contextlib.nullcontext():
        for stage in stages:
            try:
                signals = stage.enrich(signals)
            except Exception as exc:
                if isinstance(stage, Guard):  # never skipped: nothing is stored in clear
                    log.error(
                        "privacy failed on a batch of %d (%s); stored without raw, urls, ids",
                        len(signals),
                        type(exc).__name__,
                    )
                    signals = stage.strip(signals)
                    continue
                # A failing model must not block the stream: store without it.
                log.exception(
                    "enricher %s failed on a batch of %d; stored without it",
                    stage.name,
                    len(signals),
                )
    return signals


def redact(stages: Sequence[Enricher], dead_letters: list[DeadLetter]) -> list[DeadLetter]:
    """Dead letters through the privacy stage, as `apply` takes signals, before they are stored."""
    for stage in stages:
        if isinstance(stage, Guard):
            dead_letters = stage.redact(dead_letters)
    return dead_letters


def sources_from(
    settings: Settings,
    *,
    only: Sequence[str] | None = None,
    on_error: Callable[[str, str, str], None] | None = None,
) -> list[Source]:
    """The configured sources as connector instances (optionally only those named).

    `on_error(workspace, source, message)` hears the failures a connector survives (a 429, a
    reconnection), e.g. `store.record_error`, so `pouls status` shows them. Webhook, Meta,
    check-in and webhook-mode Telegram sources are not here: the web app receives them
    (`pouls.web.intake`).
    """
    out: list[Source] = []
    for s in settings.file.sources:
        if only is not None and s.name not in only:
            continue
        built = _connector(s, settings, _reporter(on_error, s))
        if built is not None:
            out.append(built)
    return out


def read_here(s: config.SourceSettings) -> bool:
    """Whether the pipeline reads the source (and may pause it); the web app receives the
    others (webhooks, Meta, check-ins, Telegram in webhook mode), whose senders retry."""
    if isinstance(s, (config.WebhookSource, config.CheckinSource, config.MetaSource)):
        return False
    return not (isinstance(s, config.TelegramSource) and s.mode != "polling")


def _connector(
    s: config.SourceSettings, settings: Settings, on_error: Callable[[str], None] | None
) -> Source | None:
    """One connector from its settings; None for the sources the web app receives."""
    batch = {"batch_size": settings.file.pipeline.batch_size}
    if isinstance(s, config.ImportSource):
        from pouls.sources.files import FileSource

        return _build(FileSource, s, path=settings.resolve(s.path), **batch)
    if isinstance(s, config.RssSource):
        from pouls.sources.rss import RssSource

        return _build(RssSource, s, on_error=on_error)
    if isinstance(s, config.ReplaySource):
        from pouls.sources.replay import ReplaySource

        return _build(ReplaySource, s, path=settings.resolve(s.path))
    if isinstance(s, config.MqttSource):
        from pouls.sources.mqtt import MqttSource, TopicMap

        topics = [TopicMap(**msgspec.structs.asdict(t)) for t in s.topics]
        password = config.read_secret(s.password, s.password_env)
        return _build(MqttSource, s, topics=topics, password=password, on_error=on_error, **batch)
    if isinstance(s, config.EmailSource):
        from pouls.sources.email import EmailSource

        password = config.read_secret(s.password, s.password_env) or ""
        return _build(
            EmailSource, s, port=s.port or None, password=password, on_error=on_error, **batch
        )
    if isinstance(s, config.MastodonSource):
        from pouls.sources.mastodon import MastodonSource

        token = config.read_secret(s.access_token, s.access_token_env)
        return _build(MastodonSource, s, access_token=token, on_error=on_error)
    if isinstance(s, config.TelegramSource) and s.mode == "polling":
        from pouls.sources.telegram import TelegramSource

        token = config.read_secret(s.token, s.token_env) or ""
        return _build(TelegramSource, s, token=token, on_error=on_error)
    if isinstance(s, config.BlueskySource):
        from pouls.sources.bluesky import BlueskySource

        password = config.read_secret(s.app_password, s.app_password_env)
        return _build(BlueskySource, s, app_password=password, on_error=on_error)
    if isinstance(s, config.RedditSource):
        from pouls.sources.reddit import RedditSource

        token = config.read_secret(s.token, s.token_env)
        return _build(RedditSource, s, token=token, on_error=on_error)
    return None


def _build(cls: Callable[..., Source], s: config.SourceSettings, **given: Any) -> Source:
    """`cls(...)` with every keyword it takes that a setting of the same name holds, plus `given`.

    Keeps the settings structs the single list of a connector's options: a new setting reaches
    the connector by having the same name as its constructor argument.
    """
    takes = inspect.signature(cls).parameters
    values = {k: getattr(s, k) for k in takes if k not in given and hasattr(s, k)}
    return cls(**values, **{k: v for k, v in given.items() if k in takes})


def _reporter(
    on_error: Callable[[str, str, str], None] | None, s: config.SourceSettings
) -> Callable[[str], None] | None:
    if on_error is None:
        return None
    return lambda message: on_error(s.workspace, s.name, message)


def limits_from(settings: Settings) -> Limits:
    """Batching limits from the [pipeline] settings."""
    p = settings.file.pipeline
    return Limits(
        batch_size=p.batch_size, batch_latency=p.batch_latency_ms / 1000, queue_size=p.queue_size
    )


def stages_for(
    settings: Settings, store: Store | None = None, *, enrich: bool = True
) -> list[Enricher]:
    """The stages every batch goes through, in order: own accounts, privacy, the enrichers,
    each workspace's adaptation to its corrections, topic matching."""
    from pouls.enrich.accounts import OwnAccounts
    from pouls.privacy.pseudonyms import for_settings as privacy_stage

    stages: list[Enricher] = []
    declared = {w.id: w.own_accounts for w in settings.workspaces if w.own_accounts}
    if declared:  # before privacy: it drops the handles the accounts are known by
        stages.append(OwnAccounts(declared, own_authors(settings)))
    stages.append(privacy_stage(settings))
    if enrich:
        stages += enrichers_for(settings)
    corrections = getattr(store, "corrections", None)
    if enrich and corrections is not None:  # after the models, before topics read sentiment:
        from pouls.corrections.adaptation import Adaptation

        stages.append(Adaptation(corrections.examples, corrections.version))
    topics = getattr(store, "topics", None)
    if topics is not None:
        from pouls.query.stage import TopicStage

        stages.append(
            TopicStage(
                lambda ws: [(t.name, t.query) for t in topics.list(ws)],
                topics.version,
                on_reload=topics.live_from,
            )
        )
    return stages


def enrichers_for(settings: Settings) -> list[Enricher]:
    """The enrichers the workspaces ask for (all by default), each seeing only those workspaces."""
    from pouls.enrich import ENRICHERS, build_enrichers, load_models

    wanted = {
        w.id: set(ENRICHERS if w.enrichers is None else w.enrichers) for w in settings.workspaces
    }
    gazetteers = {w.id: w.gazetteer for w in settings.workspaces if w.gazetteer}
    languages = {w.id: list(w.languages) for w in settings.workspaces if w.languages}
    names = [n for n in ENRICHERS if any(n in chosen for chosen in wanted.values())]
    out: list[Enricher] = []
    load_models(names)
    # NER is not on this path: `pouls.enrich.later` adds its names after storage.
    for enricher in build_enrichers(names, gazetteers, spacy=False, languages=languages):
        users = frozenset(ws for ws, chosen in wanted.items() if enricher.name in chosen)
        out.append(enricher if users == frozenset(wanted) else Only(enricher, users))
    return out


class Only:
    """An enricher applied to the signals of some workspaces only (`enrichers` in pouls.toml)."""

    def __init__(self, enricher: Enricher, workspaces: frozenset[str]) -> None:
        self.enricher = enricher
        self.workspaces = workspaces
        self.name = enricher.name

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        picked = [i for i, s in enumerate(batch) if s.workspace in self.workspaces]
        if not picked:
            return batch
        done = self.enricher.enrich([batch[i] for i in picked])
        out = list(batch)
        for i, signal in zip(picked, done, strict=True):
            out[i] = signal
        return out


def own_authors(settings: Settings) -> dict[str, set[str]]:
    """The author pseudonyms of each workspace's own accounts, as the privacy stage makes them."""
    from pouls.enrich.accounts import spellings
    from pouls.privacy.pseudonyms import pseudonym, secret

    if not any(w.own_accounts for w in settings.workspaces):
        return {w.id: set() for w in settings.workspaces}  # no key made for nothing declared
    key = secret(settings.home)
    return {
        w.id: {
            pseudonym(key, w.id, channel, spelling)
            for channel, handles in w.own_accounts.items()
            for handle in handles
            for spelling in spellings(channel, handle)
        }
        for w in settings.workspaces
    }


def sync_own(settings: Settings, store: Store) -> int:
    """Re-mark the stored signals of the workspaces' own accounts after `own_accounts` changed
    (an account declared after its signals were stored); returns the signals changed."""
    from pouls.store.own import mark
    from pouls.store.sqlite import SQLiteStore

    if not isinstance(store, SQLiteStore):
        return 0
    return sum(mark(store, ws, authors) for ws, authors in own_authors(settings).items())


def sync_topics(settings: Settings, store: Store) -> list[tuple[str, str]]:
    """Seed the store with the topics of pouls.toml; returns those new or changed.

    The store is the one source of truth (docs/settings.md). A file topic nobody changed
    elsewhere follows the file (changed, or removed with its matches when its lines are
    gone); one changed in the web app or CLI keeps that version; one deleted there stays
    deleted. Topics made in the app or CLI are left alone.
    """
    from pouls.store.declined import Declined
    from pouls.store.sqlite import SQLiteStore
    from pouls.store.topics import Topic

    declined = Declined(store).names("topic") if isinstance(store, SQLiteStore) else set()
    declared = {(t.workspace, t.name) for t in settings.file.topics}
    for workspace in {w.id for w in settings.workspaces}:
        for old in store.topics.list(workspace):  # type: ignore[attr-defined]
            if old.origin == "config" and (workspace, old.name) not in declared:
                store.topics.remove(workspace, old.name)  # type: ignore[attr-defined]
    changed = []
    for t in settings.file.topics:
        if (t.workspace, t.name) in declined:
            continue
        old = store.topics.get(t.workspace, t.name)  # type: ignore[attr-defined]
        if old is not None and old.origin != "config":
            if old.query != t.query:
                log.info(
                    "topic %s/%s: pouls.toml differs, the version changed in the %s is kept",
                    t.workspace,
                    t.name,
                    "web app" if old.origin == "web" else "CLI",
                )
            continue
        topic = Topic(
            workspace=t.workspace,
            name=t.name,
            query=t.query,
            tags=t.tags,
            color=t.color,
            origin="config",
        )
        if store.topics.save(topic):  # type: ignore[attr-defined]
            changed.append((t.workspace, t.name))
    return changed


def remove_topic(settings: Settings, store: Store, workspace: str, name: str) -> bool:
    """Delete a topic and its matches; one pouls.toml declares is no longer seeded from it.
    False when there was none."""
    from pouls.store.declined import Declined

    if any(t.workspace == workspace and t.name == name for t in settings.file.topics):
        Declined(store).add(workspace, "topic", name)  # type: ignore[arg-type]
    return bool(store.topics.remove(workspace, name))  # type: ignore[attr-defined]
