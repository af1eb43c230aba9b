"""Webhook intake: concurrent deliveries committed together, bounded, resilient and drained."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest
from fastapi.testclient import TestClient

from pouls.config import load
from pouls.signals import Batch, DeadLetter, Signal
from pouls.sources.webhook import sign
from pouls.store import PutResult
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from pouls.web.intake import Busy, Intake, intake_for
from tests.conftest import make_signal

SECRET = "intake-secret-for-tests"
CONFIG = """
[[workspaces]]
id = "acme"
identities = "named"

[[sources]]
type = "webhook"
name = "forms"
workspace = "acme"
secret_env = "POULS_TEST_INTAKE_SECRET"

[web]
intake_queue = 2
"""


class Gate:
    """A stage that holds its first batch until opened: requests pile up meanwhile."""

    name = "gate"

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.entered = threading.Event()
        self.batches: list[list[str]] = []

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        if all(s.source == "pouls-warm-up" for s in batch):
            return batch
        self.batches.append([s.text for s in batch])
        self.entered.set()
        assert self.opened.wait(20), "the test never opened the gate"
        return batch


class Recorder:
    """A stage that remembers what it saw, under the name of a real one."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[str] = []

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        self.seen += [s.text for s in batch]
        return batch


class CountingStore(SQLiteStore):
    """The real store, counting its puts and refusing signals whose text says POISON, and
    dead letters with a lone surrogate (what a store that cannot encode them would do)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.puts = 0

    def put(
        self,
        batch: Sequence[Signal],
        *,
        dead_letters: Sequence[DeadLetter] = (),
        cursors: Any = None,
    ) -> PutResult:
        self.puts += 1
        if any("POISON" in s.text for s in batch):
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        if any("\ud800" in d.raw or "\ud800" in d.reason for d in dead_letters):
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        return super().put(batch, dead_letters=dead_letters, cursors=cursors)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CountingStore]:
    s = CountingStore(tmp_path / "pouls.db")
    yield s
    s.close()


def batch_of(*texts: str, start: int = 0, cursor: str | None = None) -> Batch:
    return Batch(
        signals=[make_signal(start + i, t, source="forms") for i, t in enumerate(texts)],
        cursor=cursor,
    )


async def gathered(intake: Intake, gate: Gate, *batches: Batch) -> list[Any]:
    """Submit a first batch that the gate holds, then `batches` while it waits; all results."""
    first = asyncio.create_task(intake.put("acme", "forms", batch_of("first", start=900)))
    await asyncio.to_thread(gate.entered.wait, 10)
    rest = [asyncio.create_task(intake.put("acme", "forms", b)) for b in batches]
    while intake.waiting_signals < sum(len(b.signals) + len(b.dead_letters) for b in batches):
        await asyncio.sleep(0.01)
    gate.opened.set()
    return await asyncio.gather(first, *rest, return_exceptions=True)


async def test_concurrent_requests_are_committed_in_one_put_with_their_own_counts(
    store: CountingStore,
) -> None:
    store.put([make_signal(1, "déjà là", source="forms")])
    gate, published = Gate(), []
    intake = Intake(store, [gate], published.extend, capacity=100, group=500)
    intake.start()
    puts = store.puts
    a = batch_of("déjà là", "nouveau a", start=1, cursor="c-a")
    b = batch_of("nouveau b", start=10, cursor="c-b")
    c = batch_of("nouveau b encore", start=10, cursor="c-c")  # b's id: a duplicate in the group
    _, got_a, got_b, got_c = await gathered(intake, gate, a, b, c)
    await intake.close()

    assert store.puts - puts == 2  # the held first batch, then a, b and c together
    assert gate.batches[1] == ["déjà là", "nouveau a", "nouveau b", "nouveau b encore"]
    assert [s.id for s in got_a.stored] == [s.id for s in a.signals]
    assert (got_a.result.inserted, got_a.result.existing) == (1, 1)
    assert (got_b.result.inserted, got_b.result.existing) == (1, 0)
    assert (got_c.result.inserted, got_c.result.existing) == (0, 1)
    assert store.count("acme") == 4
    assert store.cursor("acme", "forms") == "c-c"  # the last delivery's cursor, as if in turn
    assert len(published) == 1 + 4


async def test_a_failing_entry_becomes_a_dead_letter_and_its_neighbours_are_stored(
    store: CountingStore,
) -> None:
    gate = Gate()
    intake = Intake(store, [gate], lambda _: None, capacity=100, group=500)
    intake.start()
    mixed = batch_of("bon 1", "POISON 99999999999999999999", "bon 2", start=1, cursor="c1")
    clean = batch_of("bon 3", start=10, cursor="c2")
    _, got_mixed, got_clean = await gathered(intake, gate, mixed, clean)
    await intake.close()

    assert [s.text for s in got_mixed.stored] == ["bon 1", "bon 2"]
    [refused] = got_mixed.refused
    assert refused.position == f"id:{mixed.signals[1].id}"
    assert "could not be stored: OverflowError" in refused.reason
    assert got_mixed.result.dead_letters == 1
    assert [s.text for s in got_clean.stored] == ["bon 3"] and not got_clean.refused
    assert store.count("acme") == 1 + 3
    [dead] = store.dead_letters("acme")
    assert "99999999999999999999" in dead.raw and "OverflowError" in dead.reason
    assert store.cursor("acme", "forms") == "c2"


async def test_a_signal_the_store_keeps_as_a_dead_letter_is_told_as_refused(
    tmp_path: Path,
) -> None:
    real = SQLiteStore(tmp_path / "real.db")
    intake = Intake(real, [], lambda _: None, capacity=100, group=500)
    intake.start()
    good, bad = batch_of("bon", "mauvais", start=1, cursor="c").signals
    wrong = msgspec.structs.replace(bad, lang={"not": "a language"})  # type: ignore[arg-type]
    got = await intake.put("acme", "forms", Batch(signals=[good, wrong], cursor="c"))
    await intake.close()

    assert [s.text for s in got.stored] == ["bon"]
    [refused] = got.refused
    assert refused.position == f"id:{wrong.id}"
    assert got.result.inserted == 1 and got.result.dead_letters == 1
    assert real.get("acme", good.id) is not None and real.get("acme", wrong.id) is None
    assert len(real.dead_letters("acme")) == 1
    real.close()


async def test_a_dead_letter_the_store_cannot_encode_is_stored_escaped(
    store: CountingStore,
) -> None:
    intake = Intake(store, [], lambda _: None, capacity=100, group=500)
    intake.start()
    lone = DeadLetter(workspace="acme", source="forms", reason="bad \ud800", raw='{"a": "\ud800"}')
    got = await intake.put("acme", "forms", Batch(dead_letters=[lone], cursor="c"))
    await intake.close()

    assert got.result.dead_letters == 1
    [dead] = store.dead_letters("acme")
    assert dead.raw == '{"a": "\\ud800"}' and dead.reason == "bad \\ud800"
    assert store.cursor("acme", "forms") == "c"


async def test_past_its_capacity_the_intake_refuses_at_once(store: CountingStore) -> None:
    gate = Gate()
    intake = Intake(store, [gate], lambda _: None, capacity=3, group=500)
    intake.start()
    first = asyncio.create_task(intake.put("acme", "forms", batch_of("first", start=900)))
    await asyncio.to_thread(gate.entered.wait, 10)
    waiting = asyncio.create_task(intake.put("acme", "forms", batch_of("a", "b", "c", start=1)))
    while intake.waiting_signals < 3:
        await asyncio.sleep(0.01)
    with pytest.raises(Busy) as refused:
        await intake.put("acme", "forms", batch_of("d", start=10))
    assert refused.value.retry_after >= 1
    gate.opened.set()
    await asyncio.gather(first, waiting)
    await intake.close()
    assert store.count("acme") == 4  # what was accepted is stored, the refused one is not


async def test_closing_commits_what_was_accepted_then_refuses(store: CountingStore) -> None:
    gate = Gate()
    intake = Intake(store, [gate], lambda _: None, capacity=100, group=500)
    intake.start()
    first = asyncio.create_task(intake.put("acme", "forms", batch_of("first", start=900)))
    await asyncio.to_thread(gate.entered.wait, 10)
    accepted = asyncio.create_task(intake.put("acme", "forms", batch_of("a", "b", start=1)))
    while intake.waiting_signals < 2:
        await asyncio.sleep(0.01)
    closing = asyncio.create_task(intake.close())
    await asyncio.sleep(0.05)
    with pytest.raises(Busy):
        await intake.put("acme", "forms", batch_of("late", start=20))
    gate.opened.set()
    await closing
    assert (await accepted).result.inserted == 2
    assert (await first).result.inserted == 1
    assert store.count("acme") == 3


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POULS_TEST_INTAKE_SECRET", SECRET)
    (tmp_path / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def post(client: TestClient, body: bytes, **headers: str) -> Any:
    return client.post(
        "/ingest/forms", content=body, headers={"X-Signature-256": sign(SECRET, body), **headers}
    )


def test_a_full_queue_answers_503_with_retry_after_and_stores_what_it_accepted(
    home: Path, store: CountingStore
) -> None:
    app = create_app(load(home), store)
    gate = Gate()
    app.state.stages = [gate]
    answers: dict[str, Any] = {}
    with TestClient(app) as client:
        held = threading.Thread(
            target=lambda: answers.update(held=post(client, b'{"id": 1, "text": "premier"}'))
        )
        held.start()
        assert gate.entered.wait(10)
        body = b'[{"id": 2, "text": "deux"}, {"id": 3, "text": "trois"}]'
        queued = threading.Thread(target=lambda: answers.update(queued=post(client, body)))
        queued.start()
        while app.state.intake.waiting_signals < 2:
            threading.Event().wait(0.01)
        refused = post(client, b'{"id": 4, "text": "quatre"}', **{"Accept-Language": "fr"})
        gate.opened.set()
        held.join(10)
        queued.join(10)
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) >= 1
    assert "réessayez dans" in refused.json()["detail"]
    assert answers["held"].status_code == 202 and answers["queued"].status_code == 202
    assert answers["queued"].json()["stored"] == 2
    assert store.count("acme") == 3


def test_a_poisoned_entry_is_refused_alone_and_the_request_is_accepted(
    home: Path, store: CountingStore
) -> None:
    app = create_app(load(home), store)
    app.state.stages = []  # the models are not what this test is about
    with TestClient(app) as client:
        body = b'[{"id": 1, "text": "bon"}, {"id": 2, "text": "POISON"}, {"id": 3, "text": "ok"}]'
        response = post(client, body)
    assert response.status_code == 202, response.text
    answer = response.json()
    assert answer["stored"] == 2 and len(answer["ids"]) == 2
    [refused] = answer["dead_letters"]
    assert "could not be stored" in refused["reason"]
    assert store.count("acme") == 2
    assert len(store.dead_letters("acme")) == 1


def test_the_app_warms_its_stateless_stages_at_startup_when_it_receives_webhooks(
    home: Path, store: CountingStore
) -> None:
    app = create_app(load(home), store)
    language, duplicates = Recorder("language"), Recorder("duplicates")
    app.state.stages = [language, duplicates]
    with TestClient(app):
        assert language.seen, "the models were not loaded before the first request"
    assert duplicates.seen == []  # a warm-up signal must not enter the duplicate index
    assert store.count("acme") == 0  # nor the store


def test_an_app_without_webhook_sources_does_not_load_models_at_startup(
    tmp_path: Path, store: CountingStore
) -> None:
    (tmp_path / "pouls.toml").write_text('[[workspaces]]\nid = "acme"\n', encoding="utf-8")
    app = create_app(load(tmp_path), store)
    language = Recorder("language")
    app.state.stages = [language]
    with TestClient(app):
        pass
    assert language.seen == []


async def test_what_the_intake_stores_reaches_every_listener_even_past_a_failing_one(
    home: Path, store: CountingStore
) -> None:
    # `pouls up` gives the live pages and the alert watcher: webhook signals must reach both.
    app = create_app(load(home), store)
    app.state.stages = []
    told: list[str] = []

    def broken(signals: list[Signal]) -> None:
        raise RuntimeError("a listener that fails")

    intake = intake_for(app, [broken, lambda signals: told.extend(s.text for s in signals)])
    intake.start()
    got = await intake.put("acme", "forms", batch_of("un", "deux", start=1, cursor="c"))
    await intake.close()

    assert [s.text for s in got.stored] == ["un", "deux"]
    assert told == ["un", "deux"]
