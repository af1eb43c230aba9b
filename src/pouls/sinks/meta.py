"""Replies through Meta's Graph API: WhatsApp Cloud API, Messenger and Instagram.

WhatsApp accepts free-form messages only within 24 hours of the customer's last message (the
customer-service window); after that only an approved template may be sent, so `reply` refuses
with `OutsideWindow`. Rate limits (HTTP 429, Graph error codes 4, 17, 32, 613, 80007, 130429)
raise `RetryLater` with the wait Meta announces in `X-Business-Use-Case-Usage` or `Retry-After`.
"""

from __future__ import annotations

import asyncio
import json
import random
from datetime import datetime, timedelta
from typing import Any

import httpx

from pouls.privacy.pseudonyms import NOT_KEPT, is_pseudonym
from pouls.signals import Signal, utcnow
from pouls.sinks import Delivery
from pouls.sinks.reply import Reply

WINDOW = timedelta(hours=24)
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80007, 130429})


class SendError(Exception):
    """Graph refused the message; the text is Graph's error, never the token."""


class OutsideWindow(SendError):
    """A WhatsApp free-form reply after the 24-hour customer-service window."""


class RetryLater(SendError):
    """Graph asked us to slow down; try again in `seconds`."""

    def __init__(self, seconds: float, detail: str) -> None:
        super().__init__(f"rate limited by the Graph API, retry in {seconds:.0f}s ({detail})")
        self.seconds = seconds


class GraphSink:
    """Sends replies to signals of the whatsapp, messenger and instagram channels."""

    def __init__(
        self,
        *,
        access_token: str,
        graph_url: str = "https://graph.facebook.com/v23.0",
        client: httpx.AsyncClient | None = None,
        attempts: int = 3,
        backoff: float = 1.0,
        timeout: float = 20.0,
    ) -> None:
        self._token = access_token
        self.graph_url = graph_url.rstrip("/")
        self.client = client
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout

    async def send(self, action: Reply) -> Delivery:
        """The `Sink` verb: deliver a `Reply` action, the outcome as a `Delivery`."""
        try:
            return Delivery(status="sent", id=await self.reply(action.signal, action.text))
        except SendError as exc:
            return Delivery(status="failed", error=str(exc))

    async def reply(
        self,
        signal: Signal,
        text: str,
        *,
        now: datetime | None = None,
        last_customer_message: datetime | None = None,
    ) -> str:
        """Answer `signal` on its channel; returns the id Graph gives the sent message."""
        raw = signal.raw or {}
        sender = (raw.get("message") or {}).get("from") or (raw.get("sender") or {}).get("id")
        if signal.channel in ("whatsapp", "messenger", "instagram") and is_pseudonym(sender):
            raise SendError(f"signal {signal.id}: {NOT_KEPT}")
        if signal.channel == "whatsapp":
            last = last_customer_message or signal.created_at
            if (now or utcnow()) - last > WINDOW:
                raise OutsideWindow(
                    f"the customer's last message is from {last:%Y-%m-%d %H:%M} UTC, over 24 hours"
                    " ago: WhatsApp only accepts an approved template message outside the"
                    " customer-service window"
                )
            path = f"/{raw['phone_number_id']}/messages"
            body: dict[str, Any] = {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": raw["message"]["from"],
                "type": "text",
                "text": {"preview_url": False, "body": text},
                "context": {"message_id": signal.native_id},
            }
            answer = await self._post(path, json=body)
            return str(answer["messages"][0]["id"])
        if signal.channel == "instagram" and signal.kind in ("comment", "reply"):
            answer = await self._post(f"/{signal.native_id}/replies", params={"message": text})
            return str(answer["id"])
        if signal.channel in ("messenger", "instagram"):
            body = {
                "recipient": {"id": raw["sender"]["id"]},
                "messaging_type": "RESPONSE",
                "message": {"text": text},
            }
            answer = await self._post("/me/messages", json=body)
            return str(answer["message_id"])
        raise SendError(f"no Graph API reply for channel {signal.channel}")

    async def _post(self, path: str, **kwargs: Any) -> dict[str, Any]:
        client = self.client or httpx.AsyncClient(timeout=self.timeout)
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            for attempt in range(1, self.attempts + 1):
                try:
                    response = await client.post(self.graph_url + path, headers=headers, **kwargs)
                except httpx.TransportError as exc:
                    if attempt == self.attempts:
                        raise SendError(f"Graph API unreachable: {type(exc).__name__}") from None
                else:
                    if response.status_code < 500:
                        return _answer(response)
                    if attempt == self.attempts:
                        raise SendError(f"Graph API error {response.status_code}")
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1) * random.uniform(0.8, 1.2))
            raise AssertionError("unreachable")
        finally:
            if self.client is None:
                await client.aclose()


def _answer(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = {}
    error = data.get("error") if isinstance(data, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if response.status_code == 429 or code in RATE_LIMIT_CODES:
        detail = (error or {}).get("message") or f"HTTP {response.status_code}"
        raise RetryLater(_wait(response), detail)
    if response.is_error or error:
        message = (error or {}).get("message") or response.reason_phrase
        raise SendError(
            f"Graph API refused the message ({response.status_code}, code {code}): {message}"
        )
    return data


def _wait(response: httpx.Response) -> float:
    """Seconds to wait: the longest `estimated_time_to_regain_access` (minutes), or Retry-After."""
    usage = response.headers.get("x-business-use-case-usage")
    if usage:
        try:
            minutes = [
                float(item.get("estimated_time_to_regain_access") or 0)
                for items in json.loads(usage).values()
                for item in items
            ]
            if any(minutes):
                return max(minutes) * 60
        except (ValueError, AttributeError, TypeError):
            pass
    retry = response.headers.get("retry-after", "")
    return float(retry) if retry.strip().isdigit() else 60.0
