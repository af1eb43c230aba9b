"""Webhook intake: deliveries journaled together before the answer, then drained into the
store; bounded, resilient, and nothing lost across a stop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest
from fastapi.testclient import TestClient

from pouls.bus import Delivery
from pouls.config import load
from pouls.privacy.pseudonyms import for_settings
from pouls.signals import Batch, DeadLetter, Signal
from pouls.sources.webhook import sign
from pouls.store import PutResult
from pouls.store.journal import SQLiteJournal
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from pouls.web.intake import Busy, Intake, intake_for
from tests.conftest import make_signal
from tests.intake import drained

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
        self.down = False

    def put(
        self,
        batch: Sequence[Signal],
        *,
        dead_letters: Sequence[DeadLetter] = (),
        cursors: Any = None,
        acked: Sequence[int] = (),
    ) -> PutResult:
        self.puts += 1
        if self.down:
            raise sqlite3.OperationalError("disk I/O error")
        if any("POISON" in s.text for s in batch):
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        if any("\ud800" in d.raw or "\ud800" in d.reason for d in dead_letters):
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        return super().put(batch, dead_letters=dead_letters, cursors=cursors, acked=acked)


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


class GatedJournal(SQLiteJournal):
    """The real journal, holding its first append until opened: requests pile up meanwhile."""

    def __init__(self, store: SQLiteStore) -> None:
        super().__init__(store)
        self.opened = threading.Event()
        self.entered = threading.Event()
        self.appends: list[int] = []

    def append_now(self, deliveries: Sequence[Delivery]) -> list[int] | None:
        return None  # as if the writer were busy: through the worker thread, where the gate is

    def append(self, deliveries: Sequence[Delivery]) -> list[int]:
        self.appends.append(len(deliveries))
        self.entered.set()
        assert self.opened.wait(20), "the test never opened the journal"
        return super().append(deliveries)


async def until(condition: Callable[[], bool]) -> None:
    """Wait for `condition`, failing the test after 10 s rather than hanging it."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the intake never reached the state the test waits for")


def intake(store: SQLiteStore, stages: Sequence[Any] = (), **sizes: int) -> Intake:
    told: list[Signal] = []
    made = Intake(
        store,
        SQLiteJournal(store),
        list(stages),
        told.extend,
        capacity=sizes.get("capacity", 100),
        group=sizes.get("group", 500),
    )
    made.told = told  # type: ignore[attr-defined]
    return made


def journaled(store: SQLiteStore) -> list[tuple[int, bytes]]:
    rows = store._reader().execute("SELECT signals, delivery FROM intake_journal ORDER BY seq")
    return [(n, bytes(data)) for n, data in rows]


async def test_the_answer_comes_once_journaled_before_the_stages_run(
    store: CountingStore,
) -> None:
    gate = Gate()
    found = intake(store, [gate])
    found.start()
    receipt = await found.put("acme", "forms", batch_of("bonjour", "salut", start=1, cursor="c"))
    assert [s.text for s in receipt.accepted] == ["bonjour", "salut"]
    assert await asyncio.to_thread(gate.entered.wait, 10)
    # Accepted and durable, not yet stored: the drainer is in the stages.
    assert [n for n, _ in journaled(store)] == [2]
    assert store.count("acme") == 0 and found.backlog == 2
    gate.opened.set()
    await found.settled()
    assert store.count("acme") == 2 and journaled(store) == []
    assert store.cursor("acme", "forms") == "c"
    assert [s.text for s in found.told] == ["bonjour", "salut"]  # type: ignore[attr-defined]
    await found.close()


async def test_concurrent_requests_are_journaled_in_one_transaction(store: CountingStore) -> None:
    journal = GatedJournal(store)
    found = Intake(store, journal, [], lambda _: None, capacity=100, group=500)
    found.start()
    first = asyncio.create_task(found.put("acme", "forms", batch_of("first", start=900)))
    assert await asyncio.to_thread(journal.entered.wait, 10)
    rest = [
        asyncio.create_task(found.put("acme", "forms", batch_of(f"n{k}", start=k)))
        for k in range(5)
    ]
    await until(lambda: found.waiting_signals == 1 + 5)
    journal.opened.set()
    receipts = await asyncio.gather(first, *rest)
    await found.close()
    assert journal.appends == [1, 5]  # the held first delivery, then the five together
    assert len({r.seq for r in receipts}) == 6
    assert store.count("acme") == 6


async def test_a_failing_entry_becomes_a_dead_letter_and_its_neighbours_are_stored(
    store: CountingStore,
) -> None:
    found = intake(store)
    found.start()
    mixed = batch_of("bon 1", "POISON 99999999999999999999", "bon 2", start=1, cursor="c1")
    clean = batch_of("bon 3", start=10, cursor="c2")
    got_mixed, got_clean = await asyncio.gather(
        found.put("acme", "forms", mixed, wait=True), found.put("acme", "forms", clean, wait=True)
    )
    assert got_mixed.stored is not None and got_clean.stored is not None
    mixed_outcome, clean_outcome = await got_mixed.stored, await got_clean.stored
    await found.close()

    assert [s.text for s in mixed_outcome.stored] == ["bon 1", "bon 2"]
    [refused] = mixed_outcome.refused
    assert refused.position == f"id:{mixed.signals[1].id}"
    assert "could not be stored: OverflowError" in refused.reason
    assert [s.text for s in clean_outcome.stored] == ["bon 3"] and not clean_outcome.refused
    assert store.count("acme") == 3
    [dead] = store.dead_letters("acme")
    assert "99999999999999999999" in dead.raw and "OverflowError" in dead.reason
    assert journal_empty(store)


def journal_empty(store: SQLiteStore) -> bool:
    return journaled(store) == []


async def test_a_signal_the_journal_cannot_read_back_is_a_dead_letter(tmp_path: Path) -> None:
    real = SQLiteStore(tmp_path / "real.db")
    found = intake(real)
    found.start()
    good, bad = batch_of("bon", "mauvais", start=1, cursor="c").signals
    wrong = msgspec.structs.replace(bad, lang={"not": "a language"})  # type: ignore[arg-type]
    receipt = await found.put("acme", "forms", Batch(signals=[good, wrong], cursor="c"))
    await found.close()

    assert len(receipt.accepted) == 2  # the sender's part is done: the rest is pouls' to keep
    assert real.get("acme", good.id) is not None and real.get("acme", wrong.id) is None
    [dead] = real.dead_letters("acme")
    assert "intake journal" in dead.reason and "a language" in dead.raw
    assert journal_empty(real)
    real.close()


async def test_a_dead_letter_the_store_cannot_encode_is_stored_escaped(
    store: CountingStore,
) -> None:
    found = intake(store)
    found.start()
    lone = DeadLetter(workspace="acme", source="forms", reason="bad \ud800", raw='{"a": "\ud800"}')
    await found.put("acme", "forms", Batch(dead_letters=[lone], cursor="c"))
    await found.close()

    [dead] = store.dead_letters("acme")
    assert dead.raw == '{"a": "\\ud800"}' and dead.reason == "bad \\ud800"
    assert store.cursor("acme", "forms") == "c"


async def test_past_its_capacity_the_intake_refuses_at_once(store: CountingStore) -> None:
    gate = Gate()
    found = intake(store, [gate], capacity=3)
    found.start()
    await found.put("acme", "forms", batch_of("first", start=900))
    assert await asyncio.to_thread(
        gate.entered.wait, 10
    )  # the drainer holds it: still in the backlog
    await found.put("acme", "forms", batch_of("a", "b", start=1))
    with pytest.raises(Busy) as refused:
        await found.put("acme", "forms", batch_of("c", start=10))
    assert refused.value.retry_after >= 1
    gate.opened.set()
    await found.settled()
    await found.put("acme", "forms", batch_of("c", start=10))  # room again once stored
    await found.close()
    assert store.count("acme") == 4


async def test_closing_stores_what_was_accepted_then_refuses(store: CountingStore) -> None:
    gate = Gate()
    found = intake(store, [gate])
    found.start()
    await found.put("acme", "forms", batch_of("first", start=900))
    assert await asyncio.to_thread(gate.entered.wait, 10)
    await found.put("acme", "forms", batch_of("a", "b", start=1))
    closing = asyncio.create_task(found.close())
    await asyncio.sleep(0.05)
    with pytest.raises(Busy):
        await found.put("acme", "forms", batch_of("late", start=20))
    gate.opened.set()
    await closing
    assert store.count("acme") == 3 and journal_empty(store)


async def test_what_a_stopped_intake_left_in_the_journal_is_stored_at_the_next_start(
    store: CountingStore,
) -> None:
    # As after a kill -9: deliveries journaled (answered 2xx), never drained.
    SQLiteJournal(store).append(
        [Delivery("acme", "forms", batch_of("un", "deux", start=1, cursor="c1"))]
    )
    found = intake(store)
    found.start()
    assert found.backlog == 2
    await found.settled()
    await found.close()
    assert store.count("acme") == 2 and journal_empty(store)
    assert store.cursor("acme", "forms") == "c1"


async def test_while_the_store_refuses_to_write_the_journal_keeps_the_delivery(
    store: CountingStore,
) -> None:
    store.down = True
    found = intake(store)
    found.start()
    receipt = await found.put("acme", "forms", batch_of("patience", start=1), wait=True)
    assert receipt.stored is not None
    with pytest.raises(sqlite3.OperationalError):
        await receipt.stored  # a sender that waits for the storage hears why
    assert [n for n, _ in journaled(store)] == [1] and store.dead_letters("acme") == []
    store.down = False
    await found.settled()
    await found.close()
    assert store.count("acme") == 1 and journal_empty(store)
    assert store.dead_letters("acme") == []


async def test_the_journal_holds_no_identity_in_a_pseudonymous_workspace(
    tmp_path: Path, store: CountingStore
) -> None:
    (tmp_path / "pouls.toml").write_text('[[workspaces]]\nid = "acme"\n', encoding="utf-8")
    gate = Gate()
    found = intake(store, [for_settings(load(tmp_path)), gate])
    found.start()
    named = make_signal(1, "bonjour", source="forms")
    named = msgspec.structs.replace(
        named, author_handle="@claire.secret", author_name="Claire Secrète", author="claire.secret"
    )
    await found.put("acme", "forms", Batch(signals=[named]))
    assert await asyncio.to_thread(gate.entered.wait, 10)
    [(_, data)] = journaled(store)
    assert b"claire.secret" not in data and "Secrète".encode() not in data
    gate.opened.set()
    await found.close()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POULS_TEST_INTAKE_SECRET", SECRET)
    (tmp_path / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def post(client: TestClient, body: bytes, **headers: str) -> Any:
    return client.post(
        "/ingest/forms", content=body, headers={"X-Signature-256": sign(SECRET, body), **headers}
    )


def test_a_full_backlog_answers_503_with_retry_after_and_stores_what_it_accepted(
    home: Path, store: CountingStore
) -> None:
    app = create_app(load(home), store)
    gate = Gate()
    app.state.stages = [gate]
    with TestClient(app) as client:
        held = post(client, b'{"id": 1, "text": "premier"}')
        assert gate.entered.wait(10)  # accepted, and held in the stages: still in the backlog
        queued = post(client, b'{"id": 2, "text": "deux"}')
        refused = post(client, b'{"id": 3, "text": "trois"}', **{"Accept-Language": "fr"})
        gate.opened.set()
    assert held.status_code == 202 and queued.status_code == 202
    assert queued.json()["accepted"] == 1
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) >= 1
    assert "réessayez dans" in refused.json()["detail"]
    assert store.count("acme") == 2  # what was accepted is stored at shutdown, not the refused


def test_a_poisoned_entry_is_refused_alone_once_drained_and_the_request_is_accepted(
    home: Path, store: CountingStore
) -> None:
    app = create_app(load(home), store)
    app.state.stages = []  # the models are not what this test is about
    with TestClient(app) as client:
        body = b'[{"id": 1, "text": "bon"}, {"id": 2, "text": "POISON"}, {"id": 3, "text": "ok"}]'
        response = post(client, body)
        drained(client)
        assert store.count("acme") == 2
    assert response.status_code == 202, response.text
    answer = response.json()
    assert answer["accepted"] == 3 and len(answer["ids"]) == 3 and answer["dead_letters"] == []
    [dead] = store.dead_letters("acme")
    assert "could not be stored" in dead.reason and dead.position == f"id:{answer['ids'][1]}"


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

    found = intake_for(app, [broken, lambda signals: told.extend(s.text for s in signals)])
    found.start()
    await found.put("acme", "forms", batch_of("un", "deux", start=1, cursor="c"))
    await found.close()

    assert told == ["un", "deux"]
