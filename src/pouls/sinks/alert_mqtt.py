"""Notices published as JSON to an MQTT broker, through `pouls.sinks.mqtt.MqttSink`.

Home automations subscribe to `pouls/<workspace>/alerts/<rule>` (the topic is configurable).
"""

from __future__ import annotations

import json

from pouls.sinks import Delivery
from pouls.sinks.mqtt import MqttSink
from pouls.sinks.notice import Notice, OnAttempt, send_with_retries
from pouls.sinks.webhook import body_of


class MqttNotices:
    """Publishes each notice once per attempt (QoS 1: acknowledged by the broker)."""

    def __init__(
        self,
        name: str,
        broker: MqttSink,
        *,
        topic: str = "pouls/{workspace}/alerts/{rule}",
        attempts: int = 5,
        backoff: float = 2.0,
        on_attempt: OnAttempt | None = None,
    ) -> None:
        broker.attempts = 1  # the retries are ours, so every attempt is recorded
        self.name, self.broker, self.topic = name, broker, topic
        self.attempts, self.backoff, self.on_attempt = attempts, backoff, on_attempt

    async def send(self, action: Notice) -> Delivery:
        topic = self.topic.format(workspace=action.workspace, rule=action.rule or action.kind)
        payload = json.loads(body_of(action))

        async def attempt() -> str:
            await self.broker.publish(topic, payload)
            return f"published to {topic}"

        return await send_with_retries(
            self.name,
            action,
            attempt,
            attempts=self.attempts,
            backoff=self.backoff,
            on_attempt=self.on_attempt,
        )
