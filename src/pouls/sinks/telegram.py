"""Notices sent to a Telegram chat by a bot (`sendMessage`, HTML parse mode).

Replies to Telegram signals are `pouls.sinks.reply.TelegramReplies`; this one posts alerts.
"""

from __future__ import annotations

import html

import httpx

from pouls.locale import translate
from pouls.sinks import Delivery
from pouls.sinks.notice import Notice, OnAttempt, Refused, Transient, send_with_retries

LIMIT = 4096  # Telegram's longest message


def message(notice: Notice) -> str:
    """Bold subject, the text, and the link; escaped for Telegram's HTML mode."""
    out = f"<b>{html.escape(notice.subject)}</b>\n{html.escape(notice.text)}"
    if notice.link:
        label = html.escape(translate(notice.lang, "Open in pouls"))
        out += f'\n<a href="{html.escape(notice.link)}">{label}</a>'
    return out[:LIMIT]


class TelegramSink:
    """`sendMessage` to one chat; 429 waits for Telegram's `retry_after`."""

    def __init__(
        self,
        name: str,
        *,
        token: str,
        chat_id: str,
        api_base_url: str = "https://api.telegram.org",
        attempts: int = 5,
        backoff: float = 2.0,
        timeout: float = 15.0,
        on_attempt: OnAttempt | None = None,
    ) -> None:
        self.name, self._token, self.chat_id = name, token, chat_id
        self.base = api_base_url.rstrip("/")
        self.attempts, self.backoff, self.timeout = attempts, backoff, timeout
        self.on_attempt = on_attempt

    async def send(self, action: Notice) -> Delivery:
        body = {
            "chat_id": self.chat_id,
            "text": message(action),
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        url = f"{self.base}/bot{self._token}/sendMessage"
        async with httpx.AsyncClient(timeout=self.timeout) as client:

            async def attempt() -> str:
                response = await client.post(url, json=body)
                try:
                    answer = response.json()
                except ValueError:
                    answer = {}
                if response.status_code == 429 or response.status_code >= 500:
                    hint = (answer.get("parameters") or {}).get("retry_after")
                    raise Transient(f"sendMessage: HTTP {response.status_code}", hint)
                if not answer.get("ok"):
                    raise Refused(
                        f"sendMessage refused: {answer.get('description', response.status_code)}"
                    )
                return f"message {answer['result']['message_id']}"

            return await send_with_retries(
                self.name,
                action,
                attempt,
                attempts=self.attempts,
                backoff=self.backoff,
                on_attempt=self.on_attempt,
                secrets=(self._token,),
            )
