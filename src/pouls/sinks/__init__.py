"""Where actions leave pouls: webhook, e-mail, Telegram, MQTT, replies on the channel."""

from __future__ import annotations

from typing import Any, Literal, Protocol

import msgspec


class Delivery(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one action: sent (with the platform's id for it) or failed (with why)."""

    status: Literal["sent", "failed"]
    id: str | None = None
    error: str | None = None
    attempts: int = 1


class Sink(Protocol):
    """Delivers actions; transient failures are retried with back-off and the outcome returned.

    `send` never raises for a delivery problem and never drops an action silently: the
    `Delivery` it returns says whether it was sent, and why not (no secret in the reason).
    """

    async def send(self, action: Any) -> Delivery: ...
