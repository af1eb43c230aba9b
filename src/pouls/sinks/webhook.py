"""Notices POSTed as JSON to a URL, signed `X-Pouls-Signature: sha256=<hex HMAC-SHA256 of the body>`.

The receiver recomputes the HMAC of the raw body with the shared secret and compares it in
constant time (`hmac.compare_digest`), as GitHub and Stripe webhooks do.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from pouls.sinks import Delivery
from pouls.sinks.notice import Notice, OnAttempt, Refused, Transient, send_with_retries

SIGNATURE_HEADER = "X-Pouls-Signature"


def signature(secret: str, body: bytes) -> str:
    """The header value for `body`: `sha256=` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_of(notice: Notice) -> bytes:
    """The JSON posted: the notice's data with its subject, text and link."""
    payload = {
        "kind": notice.kind,
        "workspace": notice.workspace,
        "rule": notice.rule,
        "alert_id": notice.alert_id,
        "change": notice.change,
        "subject": notice.subject,
        "text": notice.text,
        "link": notice.link,
        **notice.data,
    }
    return json.dumps(payload, ensure_ascii=False, default=str).encode()


async def post(client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]) -> str:
    """One POST: 2xx is sent, 429 and 5xx are worth retrying, other answers are a refusal."""
    response = await client.post(url, content=body, headers=headers)
    status = response.status_code
    if status == 429 or status >= 500:
        raise Transient(f"HTTP {status}")
    if status >= 400:
        raise Refused(f"HTTP {status}: {response.text[:200]}")
    return f"HTTP {status}"


class WebhookSink:
    """POSTs each notice as signed JSON."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        secret: str | None = None,
        attempts: int = 5,
        backoff: float = 2.0,
        timeout: float = 15.0,
        on_attempt: OnAttempt | None = None,
    ) -> None:
        self.name, self.url, self._secret = name, url, secret
        self.attempts, self.backoff, self.timeout = attempts, backoff, timeout
        self.on_attempt = on_attempt

    async def send(self, action: Notice) -> Delivery:
        body = body_of(action)
        headers = {"Content-Type": "application/json", "User-Agent": "pouls"}
        if self._secret:
            headers[SIGNATURE_HEADER] = signature(self._secret, body)
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            return await send_with_retries(
                self.name,
                action,
                lambda: post(client, self.url, body, headers),
                attempts=self.attempts,
                backoff=self.backoff,
                on_attempt=self.on_attempt,
            )
