"""Publishing to an MQTT broker (automations: "when the alarm rings, start the coffee machine")."""

from __future__ import annotations

import asyncio
import json
import random
import ssl
from typing import Any

import aiomqtt


class MqttSink:
    """Publishes messages to one broker, QoS 1 by default; retried with back-off on failure."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        username: str | None = None,
        password: str | None = None,
        tls: bool = False,
        client_id: str | None = None,
        attempts: int = 3,
        backoff: float = 1.0,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port = host, port
        self.username, self._password, self.tls = username, password, tls
        self.client_id = client_id
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout

    async def publish(
        self,
        topic: str,
        payload: str | bytes | float | dict[str, Any],
        *,
        qos: int = 1,
        retain: bool = False,
    ) -> None:
        """Publish one message; with QoS 1 it returns once the broker acknowledged it."""
        body = json.dumps(payload) if isinstance(payload, dict) else payload
        for attempt in range(1, self.attempts + 1):
            try:
                async with aiomqtt.Client(
                    self.host,
                    self.port,
                    username=self.username,
                    password=self._password,
                    identifier=self.client_id,
                    timeout=self.timeout,
                    tls_context=ssl.create_default_context() if self.tls else None,
                ) as client:
                    await client.publish(topic, body, qos=qos, retain=retain)
                return
            except aiomqtt.MqttError as exc:
                if attempt == self.attempts:
                    text = f"{type(exc).__name__}: {exc}"
                    if self._password:
                        text = text.replace(self._password, "***")
                    raise SendError(f"mqtt {self.host}:{self.port}: {text}") from None
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1) * random.uniform(0.8, 1.2))


class SendError(Exception):
    """A message could not be delivered after every attempt; the text carries no secret."""
