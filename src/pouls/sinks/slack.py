"""Notices posted to a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat)."""

from __future__ import annotations

import json

import httpx

from pouls.locale import translate
from pouls.sinks import Delivery
from pouls.sinks.notice import Notice, OnAttempt, send_with_retries
from pouls.sinks.webhook import post


def message(notice: Notice) -> dict:
    """`text` for every client, plus a section block where the link is a button-free mrkdwn link."""
    text = f"*{notice.subject}*\n{notice.text}"
    if notice.link:
        text += f"\n<{notice.link}|{translate(notice.lang, 'Open in pouls')}>"
    return {
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}],
    }


class SlackSink:
    """One incoming-webhook URL (a secret in itself: it never appears in errors)."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        attempts: int = 5,
        backoff: float = 2.0,
        timeout: float = 15.0,
        on_attempt: OnAttempt | None = None,
    ) -> None:
        self.name, self._url = name, url
        self.attempts, self.backoff, self.timeout = attempts, backoff, timeout
        self.on_attempt = on_attempt

    async def send(self, action: Notice) -> Delivery:
        body = json.dumps(message(action), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            return await send_with_retries(
                self.name,
                action,
                lambda: post(client, self._url, body, headers),
                attempts=self.attempts,
                backoff=self.backoff,
                on_attempt=self.on_attempt,
                secrets=(self._url,),
            )
