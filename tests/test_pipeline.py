from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import msgspec

from pouls import pipeline
from pouls.pipeline import Limits
from pouls.signals import Batch, Signal
from pouls.store.sqlite import SQLiteStore
from tests.conftest import make_signal


class ListSource:
    """Yields prepared batches, each with its cursor; optionally waits forever at the end."""

    def __init__(self, batches: list[Batch], *, name: str = "src", endless: bool = False) -> None:
        self.name, self.workspace = name, "acme"
        self.batches, self.endless = batches, endless
        self.started_from: str | None = "unset"

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        self.started_from = cursor
        start = int(cursor or 0)
        for batch in self.batches[start:]:
            yield batch
        if self.endless:
            await asyncio.Event().wait()


def batches(n: int, size: int, source: str = "src") -> list[Batch]:
    return [
        Batch(
            signals=[make_signal(b * size + i, source=source) for i in range(size)],
            cursor=str(b + 1),
        )
        for b in range(n)
    ]


async def test_signals_are_stored_and_the_cursor_saved_with_them(store: SQLiteStore) -> None:
    totals = await pipeline.run([ListSource(batches(5, 10))], store)
    assert (totals.read, totals.stored, totals.duplicates) == (50, 50, 0)
    assert store.cursor("acme", "src") == "5"


async def test_a_source_resumes_from_its_saved_cursor(store: SQLiteStore) -> None:
    store.put([], cursors={("acme", "src"): "3"})
    source = ListSource(batches(5, 10))
    totals = await pipeline.run([source], store)
    assert source.started_from == "3" and totals.read == 20


async def test_batches_are_bounded_by_size(store: SQLiteStore) -> None:
    seen: list[int] = []
    await pipeline.run(
        [ListSource(batches(10, 7))],
        store,
        limits=Limits(batch_size=20),
        listeners=[lambda b: seen.append(len(b))],
    )
    assert sum(seen) == 70 and max(seen) <= 20 + 6, (
        seen
    )  # whole source batches, closed once past the bound


async def test_stages_run_in_order_before_the_store(store: SQLiteStore) -> None:
    class Upper:
        name = "upper"

        def enrich(self, batch: list[Signal]) -> list[Signal]:
            return [msgspec.structs.replace(s, text=s.text.upper()) for s in batch]

    class Tag:
        name = "tag"

        def enrich(self, batch: list[Signal]) -> list[Signal]:
            return [
                msgspec.structs.replace(s, lang="fr" if s.text.isupper() else "xx") for s in batch
            ]

    await pipeline.run([ListSource(batches(1, 3))], store, stages=[Upper(), Tag()])
    got = store.search("acme").signals
    assert {(s.text, s.lang) for s in got} == {("BONJOUR", "fr")}


async def test_a_failing_enricher_does_not_lose_the_batch(store: SQLiteStore) -> None:
    class Broken:
        name = "broken"

        def enrich(self, batch: list[Signal]) -> list[Signal]:
            raise RuntimeError("model file missing")

    totals = await pipeline.run([ListSource(batches(2, 5))], store, stages=[Broken()])
    assert totals.stored == 10 and store.cursor("acme", "src") == "2"


async def test_a_failing_source_is_recorded_and_the_others_go_on(store: SQLiteStore) -> None:
    class Failing:
        name, workspace = "bad", "acme"

        async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
            yield Batch(signals=[make_signal(900, source="bad")], cursor="1")
            raise ConnectionError("feed unreachable")

    totals = await pipeline.run([Failing(), ListSource(batches(3, 4))], store)
    assert totals.stored == 13
    assert "feed unreachable" in totals.errors["acme/bad"]
    states = {s.source: s for s in store.sources("acme")}
    assert states["bad"].cursor == "1" and "feed unreachable" in (states["bad"].last_error or "")


async def test_stop_drains_what_was_read_and_ends_endless_sources(store: SQLiteStore) -> None:
    stop = asyncio.Event()
    stored: list[int] = []

    def listener(batch: list[Signal]) -> None:
        stored.append(len(batch))
        if sum(stored) >= 30:
            stop.set()

    source = ListSource(batches(3, 10), endless=True)
    totals = await asyncio.wait_for(
        pipeline.run([source], store, listeners=[listener], stop=stop), 10
    )
    assert totals.stored == 30 and store.cursor("acme", "src") == "3"


async def test_back_pressure_pauses_a_fast_source(store: SQLiteStore) -> None:
    produced = 0

    class Fast:
        name, workspace = "fast", "acme"

        async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
            nonlocal produced
            for b in batches(50, 2, source="fast"):
                produced += 1
                yield b

    class Slow:
        name = "slow"

        def enrich(self, batch: list[Signal]) -> list[Signal]:
            return batch

    limits = Limits(batch_size=2, queue_size=2)
    task = asyncio.create_task(pipeline.run([Fast()], store, stages=[Slow()], limits=limits))
    await asyncio.sleep(0)  # the source fills the queue and must wait for the worker
    assert produced <= limits.queue_size + 2
    totals = await task
    assert totals.stored == 100


async def test_a_source_after_another_starts_once_that_one_is_exhausted(store: SQLiteStore) -> None:
    order: list[str] = []

    def listener(batch: list[Signal]) -> None:
        order.extend(s.source for s in batch)

    live = ListSource(batches(2, 3, source="live"), name="live")
    live.after = "history"  # type: ignore[attr-defined]
    history = ListSource(batches(4, 3, source="history"), name="history")
    totals = await pipeline.run(
        [live, history], store, listeners=[listener], limits=Limits(batch_size=3)
    )
    assert totals.stored == 18
    assert order == ["history"] * 12 + ["live"] * 6


def test_every_source_setting_reaches_its_connector() -> None:
    """The builder passes settings by name: a setting no constructor takes would be ignored."""
    import inspect

    from pouls import config
    from pouls.sources.bluesky import BlueskySource
    from pouls.sources.email import EmailSource
    from pouls.sources.files import FileSource
    from pouls.sources.mastodon import MastodonSource
    from pouls.sources.mqtt import MqttSource
    from pouls.sources.reddit import RedditSource
    from pouls.sources.replay import ReplaySource
    from pouls.sources.rss import RssSource
    from pouls.sources.telegram import TelegramSource

    handled = {"mode", "secret_token", "secret_token_env"}  # Telegram webhook mode: the web app's
    for cls, settings in [
        (FileSource, config.ImportSource),
        (RssSource, config.RssSource),
        (ReplaySource, config.ReplaySource),
        (MqttSource, config.MqttSource),
        (EmailSource, config.EmailSource),
        (MastodonSource, config.MastodonSource),
        (TelegramSource, config.TelegramSource),
        (BlueskySource, config.BlueskySource),
        (RedditSource, config.RedditSource),
    ]:
        takes = set(inspect.signature(cls).parameters)
        fields = {f.name for f in msgspec.structs.fields(settings)}
        secrets_by_env = {f for f in fields if f.endswith("_env") and f[:-4] in takes}
        assert fields - takes - secrets_by_env - handled == set(), cls.__name__
