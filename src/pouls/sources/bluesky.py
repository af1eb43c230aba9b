"""Bluesky: the Jetstream firehose (WebSocket) filtered by keywords, searchPosts backfill, mentions.

Jetstream sends every new post of the network as JSON; posts without a configured keyword are
skipped before parsing (a substring test on the raw message) and confirmed on the text after.
The cursor keeps the `time_us` of the last event read, kept or skipped, so a restart replays from
there. XRPC calls (search, notifications) go through atproto's AsyncClient; atproto has no
Jetstream client, so the WebSocket is read with `websockets`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

import msgspec
from atproto import AsyncClient, models
from atproto_client.exceptions import (
    BadRequestError,
    InvokeTimeoutError,
    NetworkError,
    RateLimitExceededError,
    RequestException,
    UnauthorizedError,
)
from atproto_client.models.utils import get_or_create
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from pouls.signals import Batch, DeadLetter, Metrics, Signal, signal_id, utcnow
from pouls.sources.entries import checked, writable
from pouls.sources.merge import Step, load, merge
from pouls.sources.retry import Backoff, RetryLater, retry_after

POST = "app.bsky.feed.post"
FLUSH_EVENTS = 2000  # skipped events after which the cursor is saved anyway
FLUSH_SECONDS = 5.0


class StreamDead(Exception):
    """No message within the heartbeat timeout."""


class BlueskySource:
    """Source reading Jetstream for keywords, backfilling by search and polling mentions."""

    def __init__(
        self,
        *,
        name: str,
        workspace: str,
        keywords: Sequence[str] = (),
        jetstream_url: str = "wss://jetstream2.us-east.bsky.network/subscribe",
        firehose: bool = True,
        handle: str | None = None,
        app_password: str | None = None,
        api_base_url: str = "https://bsky.social",
        backfill: bool = False,
        backfill_limit: int = 500,
        mentions: bool = False,
        interval: float = 60.0,
        heartbeat_timeout: float = 30.0,
        backoff: float = 2.0,
        backoff_cap: float = 300.0,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.name, self.workspace = name, workspace
        self.keywords = [k.casefold() for k in keywords if k.strip()]
        self.jetstream_url, self.firehose = jetstream_url, firehose
        self.handle, self.password = handle, app_password
        self.api_base_url = api_base_url.rstrip("/")
        self.backfill, self.backfill_limit = backfill, backfill_limit
        self.mentions, self.interval = mentions, interval
        self.heartbeat_timeout = heartbeat_timeout
        self.backoff, self.backoff_cap = backoff, backoff_cap
        self.on_error = on_error
        self._client: AsyncClient | None = None
        self._login = asyncio.Lock()

    def _report(self, message: str) -> None:
        if self.password:
            message = message.replace(self.password, "***")
        if self.on_error:
            self.on_error(message)

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        """Jetstream, backfill and mentions at once; the cursor holds each one's position."""
        state = load(cursor)
        feeds: dict[str, AsyncIterator[Step]] = {}
        if self.firehose:
            feeds["jetstream"] = self._jetstream(state.get("jetstream"))
        if self.backfill and self.keywords and state.get("search") != "done":
            feeds["search"] = self._search(state.get("search"))
        if self.mentions:
            feeds["mentions"] = self._mentions(state.get("mentions"))
        try:
            async for batch in merge(feeds, state):
                yield batch
        finally:
            if self._client is not None:
                await self._client.request.close()
                self._client = None

    # -- Jetstream ----------------------------------------------------------------------------

    async def _jetstream(self, position: int | None) -> AsyncIterator[Step]:
        backoff = Backoff(self.backoff, self.backoff_cap)
        while True:
            url = f"{self.jetstream_url}?wantedCollections={POST}"
            if position is not None:
                url += f"&cursor={position}"
            wait: float | None = None
            try:
                async with connect(url, open_timeout=20, max_size=2**22) as ws:
                    backoff.reset()
                    async for step in self._relay(ws, position):
                        position = step.position
                        yield step
            except RetryLater as exc:
                wait = exc.seconds
                self._report(f"{self.jetstream_url}: {exc}")
            except StreamDead:
                self._report(
                    f"{self.jetstream_url}: no message for {self.heartbeat_timeout:.0f}s; reconnecting"
                )
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status in (429, 503):
                    wait = retry_after(exc.response.headers.get("Retry-After"), 60)
                self._report(f"{self.jetstream_url}: handshake refused (HTTP {status})")
            except (OSError, ConnectionClosed, WebSocketException, TimeoutError) as exc:
                self._report(f"{self.jetstream_url}: {type(exc).__name__}: {exc}; reconnecting")
            await asyncio.sleep(backoff.next() if wait is None else wait)

    async def _relay(self, ws: Any, position: int | None) -> AsyncIterator[Step]:
        signals: list[Signal] = []
        dead: list[DeadLetter] = []
        skipped, flushed = 0, time.monotonic()
        while True:
            try:
                message = await asyncio.wait_for(ws.recv(), self.heartbeat_timeout)
            except TimeoutError:
                raise StreamDead from None
            text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
            stamp, signal, letter = self.read(text)
            position = stamp if stamp is not None else position
            if signal is None and letter is None:
                skipped += 1
            if signal is not None:
                signals.append(signal)
            if letter is not None:
                dead.append(letter)
            now = time.monotonic()
            due = skipped >= FLUSH_EVENTS or now - flushed >= FLUSH_SECONDS
            if signals or dead or (due and skipped):
                yield Step(signals, dead, position)
                signals, dead, skipped, flushed = [], [], 0, now

    def _mentions_keyword(self, folded: str) -> bool:
        return any(k in folded for k in self.keywords)

    def read(self, text: str) -> tuple[int | None, Signal | None, DeadLetter | None]:
        """One Jetstream message: its time_us, and the post it brings or a dead letter (neither
        for what is not a post, or a post without a configured keyword)."""
        if self.keywords and not self._mentions_keyword(text.casefold()):
            return _time_us(text), None, None  # skipped before parsing: most of the network
        return self._event(text)

    def _event(self, text: str) -> tuple[int | None, Signal | None, DeadLetter | None]:
        try:
            event = json.loads(text)
            stamp = int(event["time_us"])
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as exc:
            return None, None, self._dead(f"unreadable Jetstream message ({exc})", text)
        commit = event.get("commit")
        if event.get("kind") != "commit":
            return stamp, None, None  # identity, account: not signals
        if not isinstance(commit, dict):
            return stamp, None, self._dead("a commit event without its commit object", text)
        if commit.get("collection") != POST or commit.get("operation") not in ("create", "update"):
            return stamp, None, None  # other records, deletions: not signals
        try:
            signal = checked(self.signal(event["did"], commit["rkey"], commit["record"]))
        except Exception as exc:  # whatever one post holds, the stream reads on
            return (
                stamp,
                None,
                self._dead(f"not a readable post ({type(exc).__name__}: {exc})", text),
            )
        if self.keywords and not self._mentions_keyword(signal.text.casefold()):
            return stamp, None, None  # the keyword was in a field, not in the text
        return stamp, signal, None

    def _dead(self, reason: str, raw: str, position: str | None = None) -> DeadLetter:
        stamp = _time_us(raw)
        digest = hashlib.blake2b(raw.encode("utf-8", "replace"), digest_size=8).hexdigest()
        if position is None:
            position = f"time_us:{stamp}" if stamp is not None else f"sha:{digest}"
        return DeadLetter(
            workspace=self.workspace,
            source=self.name,
            reason=writable(reason),
            raw=writable(raw),
            position=writable(position, 2000),
        )

    def signal(self, did: str, rkey: str, record: Any, handle: str | None = None) -> Signal:
        """A post record (app.bsky.feed.post) as a signal."""
        uri = f"at://{did}/{POST}/{rkey}"
        reply = record.get("reply") or {}
        langs = record.get("langs") or []
        return Signal(
            id=signal_id(self.workspace, self.name, uri),
            workspace=self.workspace,
            source=self.name,
            channel="bluesky",
            kind="reply" if reply else "post",
            native_id=uri,
            url=f"https://bsky.app/profile/{did}/post/{rkey}",
            parent_id=(reply.get("parent") or {}).get("uri"),
            conversation_id=(reply.get("root") or {}).get("uri") or uri,
            author=did,
            author_handle=f"@{handle}" if handle else None,
            text=str(record["text"]),
            lang=langs[0][:2].lower() if langs else None,
            created_at=datetime.fromisoformat(record["createdAt"].replace("Z", "+00:00")),
            observed_at=utcnow(),
        )

    # -- XRPC (atproto) -----------------------------------------------------------------------

    async def _xrpc(self) -> AsyncClient:
        async with self._login:  # search and mentions share one session
            if self._client is None:
                client = AsyncClient(base_url=self.api_base_url)
                if self.handle and self.password:
                    await self._call(
                        client.login, self.handle, self.password, fetch_bsky_profile=False
                    )
                self._client = client
        return self._client

    async def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """An XRPC call retried on rate limits and failures; a refused login is fatal."""
        backoff = Backoff(self.backoff, self.backoff_cap)
        while True:
            try:
                return await method(*args, **kwargs)
            except UnauthorizedError:
                raise PermissionError(
                    f"{self.api_base_url}: handle or app password refused"
                ) from None
            except RateLimitExceededError as exc:
                wait = exc.retry_after
                if wait is None and exc.reset_at is not None:
                    wait = max(0.0, (exc.reset_at - utcnow()).total_seconds())
                wait = backoff.next() if wait is None else wait
                self._report(f"{self.api_base_url}: rate limited (429); retrying in {wait:.0f}s")
                await asyncio.sleep(wait)
            except BadRequestError as exc:
                raise RuntimeError(f"{self.api_base_url}: request refused ({exc})") from None
            except (NetworkError, InvokeTimeoutError, RequestException) as exc:
                wait = backoff.next()
                self._report(f"{self.api_base_url}: {type(exc).__name__}; retrying in {wait:.0f}s")
                await asyncio.sleep(wait)

    def views(
        self, answer: Any, key: str, model: type[Any]
    ) -> tuple[list[Any], list[DeadLetter], str | None]:
        """An XRPC answer's list under `key` as `model`s, each read on its own, and its cursor.

        atproto would refuse the whole answer for one malformed entry: each entry is validated
        alone here, so only that one becomes a dead letter.
        """
        items = answer.get(key) if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raw = json.dumps(answer, default=str)
            return [], [self._dead(f"an XRPC answer without its {key} list", raw)], None
        found: list[Any] = []
        dead: list[DeadLetter] = []
        for item in items:
            try:
                view = get_or_create(item, model, strict=True)
                if view is None:
                    raise ValueError("null where an entry is expected")
                found.append(view)
            except Exception as exc:  # one entry atproto cannot read; the others are read
                raw = json.dumps(item, default=str)
                where = item.get("uri") if isinstance(item, dict) else None
                reason = f"not a readable {model.__name__} ({type(exc).__name__}: {exc})"
                dead.append(self._dead(reason[:1000], raw, f"uri:{where}" if where else None))
        cursor = answer.get("cursor")
        return found, dead, cursor if isinstance(cursor, str) else None

    def _views(self, views: Sequence[Any]) -> tuple[list[Signal], list[DeadLetter]]:
        signals, dead = [], []
        for view in views:
            try:
                rkey = view.uri.rsplit("/", 1)[1]
                record = view.record
                record = (
                    record.model_dump(by_alias=True) if hasattr(record, "model_dump") else record
                )
                signal = self.signal(view.author.did, rkey, record, view.author.handle)
                counts = [
                    getattr(view, f, None) for f in ("like_count", "repost_count", "reply_count")
                ]
                if any(c is not None for c in counts):
                    signal = msgspec.structs.replace(signal, metrics=Metrics(*counts))
                signals.append(checked(signal))
            except Exception as exc:  # whatever one post holds, the others are read
                raw = _raw(view)
                where = getattr(view, "uri", None)
                dead.append(
                    self._dead(
                        f"not a readable post view ({type(exc).__name__}: {exc})",
                        raw,
                        f"uri:{where}" if isinstance(where, str) else None,
                    )
                )
        return signals, dead

    async def _query(self, client: AsyncClient, nsid: str, params: Any) -> Any:
        """One XRPC query's JSON answer as sent, for `views` to read entry by entry."""
        response = await self._call(
            client.invoke_query, nsid, params=params, output_encoding="application/json"
        )
        return response.content

    async def _search(self, position: Any) -> AsyncIterator[Step]:
        """searchPosts for each keyword, newest first, up to `backfill_limit` posts each."""
        client = await self._xrpc()
        position = position if isinstance(position, dict) else {"keyword": 0, "cursor": None}
        for index in range(int(position["keyword"]), len(self.keywords)):
            cursor, read = (position["cursor"], 0) if index == position["keyword"] else (None, 0)
            while read < self.backfill_limit:
                params = models.AppBskyFeedSearchPosts.Params(
                    q=self.keywords[index], sort="latest", limit=100, cursor=cursor
                )
                answer = await self._query(client, "app.bsky.feed.searchPosts", params)
                posts, unread, cursor = self.views(answer, "posts", models.AppBskyFeedDefs.PostView)
                signals, dead = self._views(posts)
                read += len(posts) + len(unread)
                more = bool(posts or unread) and cursor is not None
                yield Step(
                    signals,
                    unread + dead,
                    {"keyword": index, "cursor": cursor}
                    if more
                    else {"keyword": index + 1, "cursor": None},
                )
                if not more:
                    break
        yield Step([], [], "done")

    async def _mentions(self, position: str | None) -> AsyncIterator[Step]:
        """listNotifications (mentions, replies, quotes) every `interval` seconds, newest kept."""
        client = await self._xrpc()
        model = models.AppBskyNotificationListNotifications.Notification
        while True:
            newest = position
            cursor = None
            while True:
                params = models.AppBskyNotificationListNotifications.Params(
                    limit=100, cursor=cursor
                )
                answer = await self._query(
                    client, "app.bsky.notification.listNotifications", params
                )
                notifications, unread, cursor = self.views(answer, "notifications", model)
                fresh = [
                    n
                    for n in notifications
                    if (position is None or n.indexed_at > position)
                    and n.reason in ("mention", "reply", "quote")
                ]
                signals, dead = self._views(fresh)
                stamps = [n.indexed_at for n in notifications]
                newest = max([newest or "", *stamps]) or None
                if signals or dead or unread:
                    yield Step(signals, unread + dead, position)
                older = position is not None and any(s <= position for s in stamps)
                if older or not cursor or not (notifications or unread):
                    break
            if newest != position:
                position = newest
                yield Step([], [], position)
            await asyncio.sleep(self.interval)


def _raw(view: Any) -> str:
    """A view as JSON for its dead letter; pydantic's own JSON refuses lone surrogates."""
    try:
        data = (
            view.model_dump(mode="python", by_alias=True) if hasattr(view, "model_dump") else view
        )
        return json.dumps(data, default=str)
    except Exception:  # a dead letter is written whatever the view holds
        return repr(view)


def _time_us(text: str) -> int | None:
    """The `time_us` of a Jetstream message without parsing it all (it comes right after `did`)."""
    at = text.find('"time_us":')
    if at < 0:
        return None
    digits = ""
    for char in text[at + 10 : at + 40].lstrip():
        if not "0" <= char <= "9":  # not isdigit: "²" is a digit to it, not to int()
            break
        digits += char
    return int(digits) if digits else None
