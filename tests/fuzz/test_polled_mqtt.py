"""MQTT's message decoder fuzzed with the recorded sensor payload, odd values and bytes inside.

Every message must become a signal or a dead letter, and the store must take them.
"""

from __future__ import annotations

import json
from pathlib import Path

import aiomqtt
from hypothesis import given
from hypothesis import strategies as st

from pouls.signals import Batch, utcnow
from pouls.sources.mqtt import MqttSource, TopicMap
from pouls.store.sqlite import SQLiteStore
from tests.fuzz.poison import FUZZ, assert_accounted, assert_writable, dumps, poisoned

SENSOR = json.loads((Path(__file__).parents[1] / "payloads" / "mqtt" / "sensor.json").read_text())
TOPICS = ["maison/salon/temperature", "maison/zigbee/salon", "maison/doorbell", "ailleurs/x"]


def source() -> MqttSource:
    return MqttSource(
        name="maison",
        workspace="acme",
        topics=[
            TopicMap(filter="maison/+/temperature", unit="°C"),
            TopicMap(filter="maison/zigbee/#", value="temperature", unit_path="unit", time="ts"),
            TopicMap(filter="maison/doorbell", kind="post", value="battery", time="ts"),
        ],
    )


def message(topic: str, payload: bytes, n: int, retain: bool = False) -> aiomqtt.Message:
    return aiomqtt.Message(topic, payload, qos=1, retain=retain, mid=n, properties=None)


payloads = st.one_of(
    poisoned(SENSOR, most=3).map(lambda d: dumps(d).encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [b"19.5", b"NaN", b"-inf", b"1e400", b"9" * 400, b"", b"\xff\xfe", b"[" * 5000]
    ),
    st.binary(max_size=60),
)


@FUZZ
@given(
    received=st.lists(
        st.tuples(st.sampled_from(TOPICS), payloads, st.booleans()), min_size=1, max_size=6
    )
)
def test_every_fuzzed_mqtt_message_is_stored_or_a_dead_letter(
    store: SQLiteStore, received: list[tuple[str, bytes, bool]]
) -> None:
    mqtt, batch, now = source(), Batch(), utcnow()
    for n, (topic, payload, retain) in enumerate(received):
        mqtt.read(batch, message(topic, payload, n, retain), now)
    assert_accounted(batch.signals, batch.dead_letters, len(received), "message")
    assert_writable(store, batch.signals, batch.dead_letters)


def test_mqtt_poison_payloads_are_dead_letters_and_the_good_one_is_stored(
    store: SQLiteStore,
) -> None:
    mqtt, batch, now = source(), Batch(), utcnow()
    poison = [
        ("maison/zigbee/salon", {**SENSOR, "ts": 1e30}),  # a time past year 9999
        ("maison/zigbee/salon", {**SENSOR, "temperature": 1e400}),  # read as infinity
        ("maison/zigbee/salon", {**SENSOR, "temperature": 10**400}),  # too big for a float
        ("maison/salon/temperature", "NaN"),
    ]
    for n, (topic, doc) in enumerate(poison):
        payload = doc.encode() if isinstance(doc, str) else dumps(doc).encode()
        mqtt.read(batch, message(topic, payload, n), now)
    mqtt.read(batch, message("maison/zigbee/salon", dumps(SENSOR).encode(), 9), now)
    assert_accounted(batch.signals, batch.dead_letters, 5, "message")
    reasons = [d.reason for d in batch.dead_letters]
    assert "time: 1e+30 is not a time" in reasons[0]
    assert all("finite" in r or "expected a number" in r for r in reasons[1:]), reasons
    [good] = batch.signals
    assert (good.value, good.unit) == (19.5, "°C")
    assert_writable(store, batch.signals, batch.dead_letters)
