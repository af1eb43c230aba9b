"""Telegram Bot API: private messages to the bot, groups, and channels where the bot is admin.

Two ways in: long polling `getUpdates` (this source; cursor = last update_id + 1, the `offset`
that confirms everything before it) or the webhook (`pouls.web.routes.telegram`), which maps
updates with `read_updates` here and stores them before answering Telegram.
The bot token sits in every URL (`/bot<token>/method`), so it is scrubbed from every message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

import httpx

from pouls.signals import Batch, DeadLetter, Signal, inputs, signal_id, utcnow
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
                if batch.cursor is None:  # no update_id to confirm: the same come back
                    wait = backoff.next()
                    self._report(f"getUpdates: updates without an update_id; again in {wait:.0f}s")
                    await asyncio.sleep(wait)

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
        result = answer.get("result")
        if not isinstance(result, list):
            raise httpx.DecodingError(
                f"getUpdates answered {type(result).__name__} for its result, not a list",
                request=response.request,
            )
        return result


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
    """Updates as a batch; the cursor is the highest update_id + 1 (the next `offset`).

    An update that cannot be read (no chat or message id, a date out of range, text that is
    not text) becomes a dead letter with the reason; the others are stored.
    """
    batch = Batch()
    now = utcnow()
    last: int | None = None
    for update in updates:
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            update_id = None
        elif 0 <= update_id < inputs.INT_MAX:  # a negative offset asks for the last updates again
            last = update_id if last is None else max(last, update_id)
        try:
            signal = read_update(update, workspace, source, now)
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
            raw = _dump(update)
            # Telegram numbers its updates; without a number, the content tells two apart.
            where = update_id if update_id is not None else "?:" + _digest(raw)
            batch.dead_letters.append(
                DeadLetter(
                    workspace=workspace,
                    source=source,
                    reason=f"not a Telegram update with a message ({type(exc).__name__}: {exc})",
                    raw=raw[:10_000],
                    position=f"update:{where}",
                )
            )
            continue
        if signal is not None:
            batch.signals.append(signal)
    batch.cursor = str(last + 1) if last is not None else None
    return batch


def _dump(update: Any) -> str:
    try:
        return json.dumps(update, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        return repr(type(update))


def _digest(raw: str) -> str:
    return hashlib.blake2b(raw.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


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
    chat_type = inputs.required_text(chat["type"], "chat.type")
    chat_id = inputs.identifier(chat["id"], "chat.id")
    message_id = inputs.identifier(message["message_id"], "message_id")
    native = f"{chat_id}:{message_id}"  # message ids are unique per chat only
    text = inputs.required_text(message.get("text"), "text") or inputs.required_text(
        message.get("caption"), "caption"
    )
    sender = message.get("from") or {}
    username = inputs.optional_text(sender.get("username"))
    handle = f"@{username}" if username else None
    names = (inputs.optional_text(sender.get(k)) for k in ("first_name", "last_name"))
    name = " ".join(p for p in names if p) or None
    chat_name = inputs.optional_text(chat.get("username"))
    if chat_type == "channel":
        handle = f"@{chat_name}" if chat_name else None
        name = inputs.optional_text(message.get("author_signature")) or inputs.optional_text(
            chat.get("title")
        )
    parent = message.get("reply_to_message")
    parent_id = (
        f"{chat_id}:{inputs.identifier(parent['message_id'], 'reply_to_message.message_id')}"
        if parent
        else None
    )
    public = chat_type in ("channel", "supergroup") and bool(chat_name)
    author = sender.get("id")
    return Signal(
        id=signal_id(workspace, source, native),
        workspace=workspace,
        source=source,
        channel="telegram",
        kind="post" if chat_type == "channel" else "message",
        visibility="public" if public else "private",
        native_id=native,
        url=f"https://t.me/{chat_name}/{message_id}" if public else None,
        conversation_id=chat_id,
        parent_id=parent_id,
        author=inputs.identifier(author, "from.id") if author else None,
        author_handle=handle,
        author_name=name,
        text=text,
        created_at=inputs.timestamp(message["date"], "date"),
        # An edited message carries its edit time: a late redelivery of the original loses.
        edited_at=(
            inputs.timestamp(message["edit_date"], "edit_date") if "edit_date" in message else None
        ),
        observed_at=now,
    )
