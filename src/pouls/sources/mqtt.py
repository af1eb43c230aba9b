"""MQTT subscription (aiomqtt): topic filters mapped to readings (`value`, `unit`) or events.

MQTT has no replay, so the cursor is not what resumes: a persistent session does. The client
connects with a fixed client id and `clean_session=False`, so the broker keeps the
subscriptions and queues QoS 1 messages while pouls is away. Messages are acknowledged
(PUBACK) only once the pipeline has taken the batch they are in: a message read but not yet
handed over when pouls stops is sent again by the broker at the next connection. The saved
cursor only records when the last message arrived (for `pouls sources`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import ssl
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import aiomqtt

from pouls.signals import Batch, DeadLetter, Signal, signal_id, utcnow
from pouls.sources.entries import checked, writable
from pouls.sources.retry import Backoff

RAW_LIMIT = 10_000


@dataclass(frozen=True)
class TopicMap:
    """How the payloads of one topic filter become signals (see config.MqttTopic)."""

    filter: str
    kind: str = "reading"
    value: str | None = None
    unit: str | None = None
    unit_path: str | None = None
    text: str | None = None
    time: str | None = None


class Unreadable(ValueError):
    """A payload that does not fit its topic's mapping; the message is the dead letter's reason."""


class MqttSource:
    """Source subscribed to topic filters on one broker until cancelled, reconnecting as needed."""

    def __init__(
        self,
        *,
        name: str,
        workspace: str,
        topics: Sequence[TopicMap],
        host: str = "127.0.0.1",
        port: int = 1883,
        username: str | None = None,
        password: str | None = None,
        tls: bool = False,
        client_id: str | None = None,
        qos: int = 1,
        retained: Literal["store", "skip"] = "store",
        keepalive: int = 30,
        batch_size: int = 500,
        backoff: float = 1.0,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        self.workspace = workspace
        self.topics = list(topics)
        self.host, self.port = host, port
        self.username, self._password, self.tls = username, password, tls
        self.client_id = client_id or f"pouls-{workspace}-{name}"
        self.qos = qos
        self.retained = retained
        self.keepalive = keepalive
        self.batch_size = batch_size
        self.backoff = backoff  # first wait after a failure; doubles up to 60 s
        self.on_error = on_error

    def _report(self, message: str) -> None:
        if self.on_error:
            self.on_error(message)

    def client(self) -> aiomqtt.Client:
        """A client on the persistent session of this source."""
        return aiomqtt.Client(
            self.host,
            self.port,
            username=self.username,
            password=self._password,
            identifier=self.client_id,
            clean_session=False,
            keepalive=self.keepalive,  # paho pings; no answer within it drops the link
            timeout=max(10.0, self.keepalive / 2),
            tls_context=ssl.create_default_context() if self.tls else None,
        )

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        """Yield batches of what arrives; on a lost link, reconnect with back-off and jitter."""
        backoff = Backoff(self.backoff, 60.0)
        while True:
            try:
                async with self.client() as client:
                    # paho acknowledges on receipt by default; we acknowledge after hand-over.
                    # aiomqtt has no public switch for it, hence its paho client.
                    client._client.manual_ack_set(True)
                    for t in self.topics:
                        await client.subscribe(t.filter, qos=self.qos)
                    backoff.reset()
                    async for batch, acks in self._batches(client):
                        yield batch
                        for mid, qos in acks:
                            client._client.ack(mid, qos)
            except aiomqtt.MqttError as exc:
                self._report(f"mqtt {self.host}:{self.port}: {_safe(exc, self._password)}")
                await asyncio.sleep(backoff.next())

    async def _batches(
        self, client: aiomqtt.Client
    ) -> AsyncIterator[tuple[Batch, list[tuple[int, int]]]]:
        messages = aiter(client.messages)
        while True:
            first = await anext(messages)
            received = [first]
            while len(received) < self.batch_size and len(client.messages):
                received.append(await anext(messages))
            now = utcnow()
            batch = Batch(cursor=json.dumps({"last_message_at": now.isoformat()}))
            acks = []
            for message in received:
                if message.qos:
                    acks.append((message.mid, message.qos))
                if message.retain and self.retained == "skip":
                    continue
                self.read(batch, message, now)
            yield batch, acks

    def read(self, batch: Batch, message: aiomqtt.Message, now: datetime) -> None:
        """One message into the batch: its signal, or a dead letter saying why not."""
        topic = message.topic.value
        payload = message.payload if isinstance(message.payload, bytes) else b""  # bytes from paho
        mapping = next((t for t in self.topics if message.topic.matches(t.filter)), None)
        try:
            if mapping is None:
                raise Unreadable(f"no topic filter matches {topic}")
            signal = self._signal(mapping, topic, payload, message.retain, now)
            batch.signals.append(checked(signal))
        except Exception as exc:  # whatever one payload holds, the other messages are read
            why = str(exc) if isinstance(exc, Unreadable) else f"{type(exc).__name__}: {exc}"
            digest = hashlib.blake2b(payload, digest_size=8).hexdigest()
            batch.dead_letters.append(
                DeadLetter(
                    workspace=self.workspace,
                    source=self.name,
                    reason=writable(f"{topic}: {why}"),
                    raw=writable(payload.decode("utf-8", errors="replace"), RAW_LIMIT),
                    position=writable(f"{topic}@{now.timestamp():.6f}:{digest}", 2000),
                )
            )

    def _signal(
        self, t: TopicMap, topic: str, payload: bytes, retained: bool, now: datetime
    ) -> Signal:
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            raise Unreadable("payload is not UTF-8 text") from None
        data = _json(text) if (t.value or t.text or t.time or t.unit_path) else None
        value = self._value(t, text, data)
        created = _time(_path(data, t.time)) if t.time else None
        digest = hashlib.blake2b(payload, digest_size=8).hexdigest()
        if created is not None:
            native = f"{topic}@{created.isoformat()}"  # a re-sent measure has the same time
        elif retained:
            native = f"{topic}#retained:{digest}"  # sent again at each subscribe: stored once
        else:
            native = f"{topic}@{now.timestamp():.6f}:{digest}"
        unit = _path(data, t.unit_path) if t.unit_path else None
        body = str(_path(data, t.text) or "") if t.text else ""
        if t.kind != "reading" and not t.text and data is None:
            body = text
        if value is None and not body:
            raise Unreadable("neither a value nor a text")
        return Signal(
            id=signal_id(self.workspace, self.name, native),
            workspace=self.workspace,
            source=self.name,
            channel="mqtt",
            kind=t.kind,  # type: ignore[arg-type]
            visibility="private",
            native_id=native,
            title=topic,
            text=body,
            value=value,
            unit=str(unit) if unit is not None else t.unit,
            created_at=created or now,
            observed_at=now,
            raw={
                "topic": topic,
                "payload": data if data is not None else text[:RAW_LIMIT],
                "retained": retained,
            },
        )

    def _value(self, t: TopicMap, text: str, data: Any) -> float | None:
        if t.kind != "reading":
            found = _path(data, t.value) if t.value else None
            return _number(found, t.value or "") if found is not None else None
        raw = _path(data, t.value) if t.value else text.strip()
        return _number(raw, t.value or "payload")


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise Unreadable(f"payload is not JSON ({exc.args[0]})") from None
    except RecursionError:
        raise Unreadable("payload is JSON nested too deep to read") from None


def _path(data: Any, path: str | None) -> Any:
    if not path:
        return None
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _number(raw: Any, where: str) -> float:
    if isinstance(raw, bool) or raw is None:
        raise Unreadable(f"{where}: expected a number, got {json.dumps(raw)}")
    try:
        number = float(raw)
    except (TypeError, ValueError, OverflowError):
        raise Unreadable(f"{where}: expected a number, got {str(raw)[:40]!r}") from None
    if not math.isfinite(number):  # stored as JSON, NaN and infinities would become null
        raise Unreadable(f"{where}: expected a finite number, got {str(raw)[:40]!r}")
    return number


def _time(raw: Any) -> datetime | None:
    if raw is None:
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        try:
            seconds = raw / 1000 if raw > 1e11 else raw  # milliseconds, as many devices send
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, ValueError, OSError):
            raise Unreadable(f"time: {str(raw)[:40]} is not a time in years 1 to 9999") from None
    try:
        stamp = datetime.fromisoformat(str(raw))
    except ValueError:
        raise Unreadable(f"time: {str(raw)[:40]!r} is not ISO 8601 nor seconds") from None
    return stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _safe(exc: BaseException, secret: str | None) -> str:
    """An error's text with the password masked, should a library ever echo it."""
    text = f"{type(exc).__name__}: {exc}"
    return text.replace(secret, "***") if secret else text
