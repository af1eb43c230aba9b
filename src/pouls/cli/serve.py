"""`pouls up`: every configured source, the pipeline and the web app in one process.

SIGINT and SIGTERM stop the sources, drain the batches in flight into the store, then stop
the web server: what was read and not committed is read again at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn

from pouls import pipeline
from pouls.cli import context
from pouls.cli import naming as ner
from pouls.cli.context import UserError, out, say, say_plural
from pouls.cli.demo import DEMO_LOGIN
from pouls.config import Settings
from pouls.locale.formats import number
from pouls.sources import Source
from pouls.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from fastapi import FastAPI

    from pouls.web.live import Live


def register(app: typer.Typer) -> None:
    app.command("up")(up)


def up(
    host: Annotated[
        str | None,
        typer.Option(help="Address to bind (default: web.host of pouls.toml, else 127.0.0.1)."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port (default: web.port of pouls.toml, else 8000)."),
    ] = None,
    no_sources: Annotated[
        bool, typer.Option("--no-sources", help="Serve the web app only.")
    ] = False,
) -> None:
    """Run pouls: sources, enrichment, store and the web app on http://127.0.0.1:8000."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    few_arenas()
    context.may_start_fresh()
    settings = context.settings()
    web = settings.file.web
    bind_host, bind_port = host or web.host, port or web.port
    store = context.store()
    sources = [] if no_sources else pipeline.sources_from(settings, on_error=store.record_error)
    for s in sources:
        path = getattr(s, "path", None)
        if path is not None and not path.exists():
            raise UserError(
                "source %(name)s: %(path)s does not exist; fix `path` in %(file)s"
                " (for the demo, run `pouls demo`)",
                name=s.name,
                path=str(path),
                file=str(context.home() / "pouls.toml"),
            )
    out.print(say("Loading the models (about 20 s the first time)..."))

    def announce() -> None:
        out.print(
            say_plural(
                "pouls is up on [bold cyan]%(url)s[/] with %(num)s source. Ctrl+C stops it cleanly.",
                "pouls is up on [bold cyan]%(url)s[/] with %(num)s sources. Ctrl+C stops it cleanly.",
                len(sources),
                url=f"http://{bind_host}:{bind_port}",
            )
        )
        _how_to_sign_in(store)

    asyncio.run(_serve(settings, store, sources, bind_host, bind_port, announce))


def few_arenas(limit: int = 2) -> None:
    """Cap glibc's malloc arenas before the threads start.

    glibc gives threads that allocate at once arenas of their own (up to eight per core), and
    what one frees is not reused by another: `pouls up`'s worker threads (enrichment, stores,
    NER) held some 50 MB more this way on the demo. Elsewhere than glibc, nothing to do.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_ARENA_MAX, limit)
    except (OSError, AttributeError):
        pass


_M_ARENA_MAX = -8  # from glibc's malloc.h


def _how_to_sign_in(store: SQLiteStore) -> None:
    """Every page needs an account: say which one the demo made, or how to make one."""
    demo = context.home() / DEMO_LOGIN
    if demo.exists():
        login, password = demo.read_text(encoding="utf-8").split()[:2]
        if store.users.get(login) is not None:
            out.print(
                say(
                    "Sign in as [bold]%(login)s[/] with the password [bold]%(password)s[/].",
                    login=login,
                    password=password,
                )
            )
            return
    if store.users.count() == 0:
        out.print(
            say(
                "[yellow]No account can sign in yet:[/] create one with"
                " `pouls user add YOU@EXAMPLE.ORG --role admin --all-workspaces`."
            )
        )


def build_app(settings: Settings, store: SQLiteStore, live: Live) -> FastAPI:
    """The web app with the stages the pipeline will use too (`app.state.stages`): one
    duplicate index and one topic matcher for what is polled and what webhooks bring."""
    from pouls.web.app import create_app

    app = create_app(settings, store, live)
    app.state.stages = pipeline.stages_for(settings, store)
    return app


async def _serve(
    settings: Settings,
    store: SQLiteStore,
    sources: list[Source],
    host: str,
    port: int,
    announce: Callable[[], None] = lambda: None,
) -> None:
    """Warm the models, then serve; `announce()` runs once the server listens."""
    from pouls.analyse.rollups import Warmer
    from pouls.privacy import retention
    from pouls.report.schedule import Scheduler
    from pouls.store.pauses import Pauses
    from pouls.watch.assemble import start as start_watch
    from pouls.web import intake
    from pouls.web.live import Live

    live = Live()
    # Dashboards' rollups built after each commit, off the request path (pouls.analyse.rollups).
    warmer = Warmer(store)
    watcher = start_watch(settings, store)
    watching = asyncio.create_task(watcher.run())
    # Scheduled reports go out through the watcher's sinks: recorded and retried like alerts.
    reporting = asyncio.create_task(Scheduler(settings, store, watcher.outbox.sinks).run())
    app = build_app(settings, store, live)
    stages = app.state.stages
    # Corrections made in the app reach the alert watcher's open buckets (on the event loop).
    loop = asyncio.get_running_loop()
    app.state.corrected = [lambda pairs: loop.call_soon_threadsafe(watcher.corrected, pairs)]
    # Models load now, before the server listens: not in the first webhook's request.
    await asyncio.to_thread(intake.warm, settings, stages)
    # Webhook deliveries reach the alert watcher like the pipeline's batches do; what an
    # earlier run journaled and did not store (a kill) is stored first.
    app.state.intake = intake.intake_for(app, [live.publish, watcher.listener, warmer.poke])
    app.state.intake.start()
    # Open live streams (SSE) never end by themselves: give them 2 s to close at shutdown.
    # The lifespan (pouls.web.intake.lifespan) is run here instead, around the pipeline's.
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="off", timeout_graceful_shutdown=2
    )
    server = _Server(config)
    stop = asyncio.Event()

    loop = asyncio.get_running_loop()

    def stopping() -> None:
        if not stop.is_set():
            out.print(say("Stopping: storing what was already read (a few seconds)..."))
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping)
    web = asyncio.create_task(server.serve())
    listening = asyncio.create_task(when_listening(server, web, announce))
    halt = threading.Event()
    backfill = asyncio.create_task(
        asyncio.to_thread(_backfill_topics, settings, store, halt.is_set)
    )
    expiring = asyncio.create_task(  # old dead letters; names concealed leave the rollups too
        retention.keep(settings, store, stop, concealed=warmer.poke)
    )
    warming = asyncio.create_task(warmer.run(stop))
    # spaCy's NER reads stored signals in a process of its own, off the ingest path.
    naming = await asyncio.to_thread(ner.start, settings, store.path)
    flow = asyncio.create_task(
        pipeline.run(
            sources,
            store,
            stages=stages,
            limits=pipeline.limits_from(settings),
            listeners=[live.publish, watcher.listener, warmer.poke, *ner.listeners(naming)],
            stop=stop,
            paused=Pauses(store).is_paused,  # paused in the web app (Settings > Sources)
        )
    )
    await stop.wait()
    totals = await flow  # sources cancelled, in-flight batches committed
    # Webhook deliveries already accepted are stored while the alert watcher still listens;
    # the server answers later ones 503 with Retry-After until it stops.
    await app.state.intake.close()
    halt.set()
    await backfill  # ends after its current chunk; the next start resumes it
    await expiring
    await warming  # ends after its current step; the dirty marks stay for the next start
    if naming is not None:  # ends after its current chunk; the next start reads on from there
        await asyncio.to_thread(naming.close)
    reporting.cancel()
    await asyncio.gather(reporting, return_exceptions=True)
    await watcher.close()
    await watching
    server.should_exit = True
    await web
    listening.cancel()
    app.state.halt.set()  # topic backfills started from the web stop between chunks
    await asyncio.gather(*app.state.backfill_tasks)
    store.close()
    lang = context.lang()
    out.print(
        say(
            "Stopped cleanly: %(stored)s new signals stored this run, %(dead)s dead letters.",
            stored=number(lang, totals.stored),
            dead=number(lang, totals.dead_letters),
        )
    )


async def when_listening(
    server: uvicorn.Server, web: asyncio.Task[None], announce: Callable[[], None]
) -> None:
    """Call `announce()` once `server` listens (its sockets bound): not before, or a click on
    the address it prints is refused; never if the server stops first (a port in use)."""
    while not server.started:
        if web.done():
            return
        await asyncio.sleep(0.05)
    announce()


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: `pouls up` drains the pipeline first."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


KEEP_EVERY = 5.0  # seconds between checks for topics whose backfill owes something


def _backfill_topics(settings: Settings, store: SQLiteStore, stop: Callable[[], bool]) -> None:
    """Topics new or changed in pouls.toml are matched over the stored history, then, until
    `stop()`, any topic whose backfill owes something: one stopped before its end (Ctrl+C, a
    crash) or one the live stage took up after signals read with the old matcher were stored."""
    todo = pipeline.sync_topics(settings, store)
    while not stop():
        _backfill_pass(store, todo, stop)
        todo = []
        for _ in range(int(KEEP_EVERY / 0.1)):
            if stop():
                return
            time.sleep(0.1)


def _backfill_pass(
    store: SQLiteStore, todo: list[tuple[str, str]], stop: Callable[[], bool]
) -> None:
    """Backfill `todo` and every unfinished topic, each until its end or `stop()`."""
    log = logging.getLogger("pouls.topics")
    todo = todo + [t for t in store.topics.unfinished() if t not in todo]
    for workspace, name in todo:
        if stop():
            return
        found = store.topics.backfill(workspace, name, stop=stop)  # this run's new matches only
        matched = store.topics.matches(workspace, name)
        log.info(
            "topic %s/%s backfilled: %d stored signals match (%d new)",
            workspace,
            name,
            matched,
            found,
        )
