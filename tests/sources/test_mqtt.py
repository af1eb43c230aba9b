"""MQTT against the real Mosquitto on 127.0.0.1:1883, through the pipeline into a real store."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiomqtt
import pytest

from pouls import pipeline
from pouls.pipeline import Limits
from pouls.sinks.mqtt import MqttSink
from pouls.sources.mqtt import MqttSource, TopicMap
from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore

SENSOR = (Path(__file__).parent.parent / "payloads" / "mqtt" / "sensor.json").read_bytes()
sink = MqttSink(backoff=0.05)


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A topic prefix and client id unique to the test; its broker session is erased after."""
    p = f"pouls-test/{uuid.uuid4().hex[:12]}"
    yield p
    async with aiomqtt.Client("127.0.0.1", identifier=client_id(p), clean_session=True):
        pass


def client_id(prefix: str) -> str:
    return "pouls-t-" + prefix.rsplit("/", 1)[1]


def source(prefix: str, errors: list[str] | None = None, **kw: object) -> MqttSource:
    topics = [
        TopicMap(filter=f"{prefix}/+/temperature", unit="°C"),
        TopicMap(filter=f"{prefix}/zigbee/#", value="temperature", unit_path="unit", time="ts"),
        TopicMap(filter=f"{prefix}/doorbell", kind="post"),
    ]
    return MqttSource(
        name="maison",
        workspace="acme",
        topics=topics,
        client_id=client_id(prefix),
        backoff=0.05,
        on_error=errors.append if errors is not None else None,
        **kw,  # type: ignore[arg-type]
    )


async def run_until(
    src: MqttSource, store: SQLiteStore, done: Callable[[], bool], publish: Callable | None = None
) -> None:
    """Run the real pipeline until `done()`; `publish` is called (again) while waiting."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        pipeline.run([src], store, limits=Limits(batch_latency=0.02), stop=stop)
    )
    try:
        async with asyncio.timeout(20):
            while not done():
                if publish is not None:
                    await publish()
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task


async def test_readings_are_mapped_from_plain_and_json_payloads(store, prefix) -> None:
    async def publish() -> None:
        await sink.publish(f"{prefix}/salon/temperature", "21.5")
        await sink.publish(f"{prefix}/zigbee/chambre", SENSOR)
        await sink.publish(f"{prefix}/doorbell", "On sonne à la porte")

    await run_until(source(prefix), store, lambda: store.count("acme") >= 3, publish)
    got = {s.title: s for s in store.search("acme", limit=50).signals}
    plain = got[f"{prefix}/salon/temperature"]
    assert (plain.value, plain.unit, plain.kind, plain.channel) == (21.5, "°C", "reading", "mqtt")
    assert plain.visibility == "private"
    zigbee = got[f"{prefix}/zigbee/chambre"]
    assert (zigbee.value, zigbee.unit) == (19.5, "°C")
    assert zigbee.created_at.isoformat() == "2026-10-03T04:30:00+00:00"
    assert got[f"{prefix}/doorbell"].text == "On sonne à la porte"
    # Published on every poll: the timestamped reading is one row, the others one per message.
    readings = store.search("acme", filters=Filters(kind="reading"), limit=500).signals
    assert sum(1 for s in readings if s.title == f"{prefix}/zigbee/chambre") == 1


async def test_messages_sent_while_away_arrive_after_restart(store, prefix) -> None:
    first = f"{prefix}/zigbee/cuisine"
    await run_until(
        source(prefix),
        store,
        lambda: store.count("acme") >= 1,
        lambda: sink.publish(first, json.dumps({"temperature": 20, "ts": 1790000000})),
    )
    # pouls is stopped: the broker queues these for the persistent session (QoS 1).
    for i in range(5):
        await sink.publish(
            f"{prefix}/zigbee/cuisine", json.dumps({"temperature": i, "ts": 1790000100 + i})
        )
    await run_until(source(prefix), store, lambda: store.count("acme") >= 6)
    values = sorted(s.value for s in store.search("acme", limit=50).signals)
    assert values == [0, 1, 2, 3, 4, 20]


async def test_retained_message_is_stored_once_across_resubscriptions(store, prefix) -> None:
    topic = f"{prefix}/garage/temperature"
    await sink.publish(topic, "12.0", retain=True)
    try:
        await run_until(source(prefix), store, lambda: store.count("acme") >= 1)
        await run_until(source(prefix, retained="store"), store, lambda: True)
        await run_until(
            source(prefix),
            store,
            lambda: store.count("acme") >= 2,
            lambda: sink.publish(f"{prefix}/salon/temperature", "22"),
        )
    finally:
        await sink.publish(topic, b"", retain=True)  # clears the retained message
    retained = [s for s in store.search("acme", limit=50).signals if s.title == topic]
    assert len(retained) == 1
    assert retained[0].raw is not None and retained[0].raw["retained"] is True


async def test_retained_messages_can_be_skipped(store, prefix) -> None:
    topic = f"{prefix}/garage/temperature"
    await sink.publish(topic, "12.0", retain=True)
    try:
        await run_until(
            source(prefix, retained="skip"),
            store,
            lambda: store.count("acme") >= 1,
            lambda: sink.publish(f"{prefix}/salon/temperature", "22"),
        )
    finally:
        await sink.publish(topic, b"", retain=True)
    assert [s.title for s in store.search("acme", limit=50).signals] == [
        f"{prefix}/salon/temperature"
    ]


async def test_unreadable_payloads_become_dead_letters(store, prefix) -> None:
    async def publish() -> None:
        await sink.publish(f"{prefix}/salon/temperature", "chaud")
        await sink.publish(f"{prefix}/zigbee/x", "{not json")
        await sink.publish(f"{prefix}/zigbee/y", json.dumps({"temperature": "n/a", "ts": 1}))

    def three_dead() -> bool:
        return len({d.reason.split(":")[0] for d in store.dead_letters("acme")}) >= 3

    await run_until(source(prefix), store, three_dead, publish)
    reasons = " | ".join(d.reason for d in store.dead_letters("acme", limit=500))
    assert "expected a number, got 'chaud'" in reasons
    assert "payload is not JSON" in reasons
    assert "temperature: expected a number, got 'n/a'" in reasons
    assert store.count("acme") == 0


async def test_a_dropped_connection_is_reported_and_reconnected(store, prefix) -> None:
    errors: list[str] = []
    src = source(prefix, errors)
    kicked = False

    async def publish() -> None:
        nonlocal kicked
        if store.count("acme") == 0:
            await sink.publish(f"{prefix}/zigbee/a", json.dumps({"temperature": 1, "ts": 1}))
        elif not kicked:
            # Same client id: the broker closes pouls' connection (session takeover).
            async with aiomqtt.Client(
                "127.0.0.1", identifier=client_id(prefix), clean_session=False
            ):
                pass
            kicked = True
        else:
            await sink.publish(f"{prefix}/zigbee/a", json.dumps({"temperature": 2, "ts": 2}))

    await run_until(src, store, lambda: store.count("acme") >= 2, publish)
    assert any("mqtt 127.0.0.1:1883" in e for e in errors)


async def test_password_never_appears_in_errors(store, prefix) -> None:
    errors: list[str] = []
    src = source(prefix, errors, port=1, username="u", password="hunter2-secret")
    gen = src.stream(None)
    task = asyncio.ensure_future(anext(gen))
    async with asyncio.timeout(10):
        while len(errors) < 2:
            await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await gen.aclose()
    assert errors and not any("hunter2" in e for e in errors)


async def test_sink_publishes_what_a_subscriber_receives(prefix) -> None:
    topic = f"{prefix}/cafetiere/set"
    async with aiomqtt.Client("127.0.0.1") as client:
        await client.subscribe(topic, qos=1)
        await sink.publish(topic, {"state": "ON"})
        async with asyncio.timeout(10):
            message = await anext(aiter(client.messages))
    assert message.topic.value == topic
    assert json.loads(message.payload) == {"state": "ON"}
    assert message.qos == 1


async def test_poison_payloads_become_dead_letters_and_the_source_reads_on(store, prefix) -> None:
    async def publish() -> None:
        await sink.publish(f"{prefix}/zigbee/grenier", json.dumps({"temperature": 3, "ts": 1e30}))
        await sink.publish(f"{prefix}/zigbee/cave", '{"temperature": ' + "9" * 400 + "}")
        await sink.publish(f"{prefix}/salon/temperature", "NaN")
        await sink.publish(f"{prefix}/salon/temperature", "21.5")

    await run_until(
        source(prefix),
        store,
        lambda: store.count("acme") >= 1 and len(store.dead_letters("acme")) >= 3,
        publish,
    )
    assert store.sources("acme")[0].last_error is None  # the source never stopped
    reasons = {d.reason.split(":")[0].rsplit("/", 1)[1] for d in store.dead_letters("acme")}
    assert reasons == {"grenier", "cave", "temperature"}
    assert {s.value for s in store.search("acme", limit=50).signals} == {21.5}
