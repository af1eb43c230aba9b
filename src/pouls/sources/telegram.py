"""Telegram Bot API: private messages to the bot, groups, and channels where the bot is admin.

Two ways in: long polling `getUpdates` (this source; cursor = last update_id + 1, the `offset`
that confirms everything before it) or the webhook (`pouls.web.routes.telegram`), which maps
updates with `read_updates` here and stores them before answering Telegram.
The bot token sits in every URL (`/bot<token>/method`), so it is scrubbed from every message.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from pouls.signals import Batch, DeadLetter, Signal, signal_id, utcnow
from pouls.sources.retry import Backoff, RetryLater, retry_after

UPDATES = ("message", "edited_message", "channel_post", "edited_channel_post")


class TelegramSource:
    """Source long-polling `getUpdates` until cancelled."""

    def __init__(
        self,
        *,
        name: str,
        workspace: str,
        token: str,
        api_base_url: str = "https://api.telegram.org",
        poll_timeout: int = 50,
        allowed_updates: Sequence[str] = UPDATES,
        backoff: float = 2.0,
        backoff_cap: float = 300.0,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.name, self.workspace = name, workspace
        self.token = token
        self.base = api_base_url.rstrip("/")
        self.poll_timeout = poll_timeout
        self.allowed_updates = list(allowed_updates)
        self.backoff, self.backoff_cap = backoff, backoff_cap
        self.on_error = on_error

    def _report(self, message: str) -> None:
        if self.on_error:
            self.on_error(scrub(message, self.token))

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        """Long-poll; each batch's cursor is the offset that acknowledges it."""
        offset = int(cursor) if cursor and cursor.isdigit() else None
        backoff = Backoff(self.backoff, self.backoff_cap)
        timeout = httpx.Timeout(10.0, read=self.poll_timeout + 10.0)
        async with httpx.AsyncClient(timeout=timeout) as client:
            while True:
                try:
                    updates = await self._get_updates(client, offset)
                    backoff.reset()
                except RetryLater as exc:
                    self._report(f"getUpdates: {exc}")
                    await asyncio.sleep(exc.seconds)
                    continue
                except httpx.HTTPError as exc:
                    wait = backoff.next()
                    where = exc.request.url if _has_request(exc) else "getUpdates"
                    self._report(f"{where}: {type(exc).__name__}: {exc}; retrying in {wait:.0f}s")
                    await asyncio.sleep(wait)
                    continue
                if not updates:
                    continue
                batch = read_updates(updates, self.workspace, self.name)
                offset = int(batch.cursor) if batch.cursor else offset
                yield batch

    async def _get_updates(self, client: httpx.AsyncClient, offset: int | None) -> list[Any]:
        body: dict[str, Any] = {
            "timeout": self.poll_timeout,
            "allowed_updates": self.allowed_updates,
        }
        if offset is not None:
            body["offset"] = offset
        # An httpx error names the URL, token included: `_report` scrubs it.
        response = await client.post(f"{self.base}/bot{self.token}/getUpdates", json=body)
        answer = _json(response)
        if response.status_code == 429:
            hint = (answer.get("parameters") or {}).get("retry_after")
            raise RetryLater(
                float(hint)
                if hint is not None
                else retry_after(response.headers.get("Retry-After"), 5)
            )
        if response.status_code in (401, 404):
            raise PermissionError(
                f"{self.base}: the bot token was refused ({response.status_code})"
            )
        if response.status_code == 409:
            raise RuntimeError(
                "getUpdates conflicts with a webhook set for this bot: call deleteWebhook, or use"
                ' mode = "webhook"'
            )
        if response.status_code >= 500 or not answer.get("ok"):
            raise httpx.HTTPStatusError(
                f"HTTP {response.status_code}: {answer.get('description', '')}",
                request=response.request,
                response=response,
            )
        return list(answer.get("result") or [])


def _has_request(exc: httpx.HTTPError) -> bool:
    try:
        return exc.request is not None
    except RuntimeError:  # httpx raises when an error was built without its request
        return False


def scrub(message: str, token: str | None) -> str:
    """The message with the token (and so the /bot<token>/ URLs) masked."""
    return message.replace(token, "***") if token else message


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def read_updates(updates: Sequence[Any], workspace: str, source: str) -> Batch:
    """Updates as a batch; the cursor is the highest update_id + 1 (the next `offset`)."""
    batch = Batch()
    now = utcnow()
    last: int | None = None
    for update in updates:
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if isinstance(update_id, int):
            last = update_id if last is None else max(last, update_id)
        try:
            signal = read_update(update, workspace, source, now)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            batch.dead_letters.append(
                DeadLetter(
                    workspace=workspace,
                    source=source,
                    reason=f"not a Telegram update with a message ({type(exc).__name__}: {exc})",
                    raw=json.dumps(update, default=str)[:10_000],
                    position=f"update:{update_id}",
                )
            )
            continue
        if signal is not None:
            batch.signals.append(signal)
    batch.cursor = str(last + 1) if last is not None else None
    return batch


def read_update(
    update: dict[str, Any], workspace: str, source: str, now: datetime
) -> Signal | None:
    """One Update as a signal; None for kinds that carry no message (callbacks, member changes)."""
    key = next((k for k in UPDATES if k in update), None)
    if key is None:
        if "update_id" not in update:
            raise KeyError("update_id")
        return None
    message = update[key]
    chat = message["chat"]
    chat_type = chat["type"]
    native = f"{chat['id']}:{message['message_id']}"  # message ids are unique per chat only
    text = message.get("text") or message.get("caption") or ""
    sender = message.get("from") or {}
    handle = f"@{sender['username']}" if sender.get("username") else None
    name = " ".join(p for p in (sender.get("first_name"), sender.get("last_name")) if p) or None
    if chat_type == "channel":
        handle = f"@{chat['username']}" if chat.get("username") else None
        name = message.get("author_signature") or chat.get("title")
    parent = message.get("reply_to_message")
    public = chat_type in ("channel", "supergroup") and bool(chat.get("username"))
    return Signal(
        id=signal_id(workspace, source, native),
        workspace=workspace,
        source=source,
        channel="telegram",
        kind="post" if chat_type == "channel" else "message",
        visibility="public" if public else "private",
        native_id=native,
        url=f"https://t.me/{chat['username']}/{message['message_id']}" if public else None,
        conversation_id=str(chat["id"]),
        parent_id=f"{chat['id']}:{parent['message_id']}" if parent else None,
        author=str(sender["id"]) if sender.get("id") else None,
        author_handle=handle,
        author_name=name,
        text=text,
        created_at=datetime.fromtimestamp(int(message["date"]), tz=UTC),
        observed_at=now,
    )
