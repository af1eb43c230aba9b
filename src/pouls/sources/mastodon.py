"""Mastodon: hashtag and public streams (server-sent events) with REST catch-up, mentions, DMs.

REST calls go through Mastodon.py (run in a thread: it is synchronous). The streaming API is read
with httpx instead, because Mastodon.py's streaming blocks a thread that asyncio cannot cancel,
and a dead stream must be noticed by a heartbeat timeout (the server sends `:thump` comments).
Each stream first catches up over REST from its saved id (`min_id`, page after page, so nothing
is skipped), then relays events; `status.update` re-stores the edited status under the same id.
Deletions are ignored: the signal stays until retention removes it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from mastodon import Mastodon, MastodonNetworkError, MastodonRatelimitError
from mastodon.errors import (
    MastodonAPIError,
    MastodonInternalServerError,
    MastodonServiceUnavailableError,
    MastodonUnauthorizedError,
)

from pouls.signals import Batch, DeadLetter, Metrics, Signal, inputs, signal_id, utcnow
from pouls.sources.entries import checked, writable
from pouls.sources.merge import Step, load, merge
from pouls.sources.retry import Backoff, RetryLater, retry_after
from pouls.sources.rss import html_to_text

PAGE = 40  # the most statuses Mastodon returns in one page


class StreamDead(Exception):
    """No byte (not even a `:thump` heartbeat) arrived within the heartbeat timeout."""


class MastodonSource:
    """Source following hashtags, the public timeline, mentions and direct conversations."""

    def __init__(
        self,
        *,
        name: str,
        workspace: str,
        api_base_url: str,
        access_token: str | None = None,
        hashtags: Sequence[str] = (),
        public: bool = False,
        local: bool = False,
        mentions: bool = False,
        conversations: bool = False,
        streaming: bool = True,
        streaming_base_url: str | None = None,
        interval: float = 60.0,
        heartbeat_timeout: float = 90.0,
        backoff: float = 5.0,
        backoff_cap: float = 300.0,
        timeout: float = 20.0,
        user_agent: str = "pouls (+mastodon)",
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.name, self.workspace = name, workspace
        self.base = api_base_url.rstrip("/")
        self.stream_base = (streaming_base_url or self.base).rstrip("/")
        self.instance = urlsplit(self.base).hostname or self.base
        self.token = access_token
        self.hashtags = [h.lstrip("#") for h in hashtags]
        self.public, self.local = public, local
        self.mentions, self.conversations = mentions, conversations
        self.streaming = streaming
        self.interval, self.heartbeat_timeout = interval, heartbeat_timeout
        self.backoff, self.backoff_cap = backoff, backoff_cap
        self.timeout, self.user_agent = timeout, user_agent
        self.on_error = on_error
        self.api = Mastodon(
            access_token=access_token,
            api_base_url=self.base,
            ratelimit_method="throw",  # we wait ourselves, without blocking the event loop
            request_timeout=timeout,
            user_agent=user_agent,
            version_check_mode="none",
        )

    def _report(self, message: str) -> None:
        if self.token:
            message = message.replace(self.token, "***")
        if self.on_error:
            self.on_error(message)

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        """Run every configured feed at once; the cursor holds each feed's last id."""
        state = load(cursor)
        headers = {"User-Agent": self.user_agent}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        async with httpx.AsyncClient(timeout=self.timeout, headers=headers) as client:
            feeds: dict[str, AsyncIterator[Step]] = {}
            for tag in self.hashtags:
                fetch = _bind(self.api.timeline_hashtag, tag, local=self.local)
                feeds[f"tag:{tag}"] = self._feed(
                    client, state.get(f"tag:{tag}"), fetch, "hashtag", {"tag": tag}
                )
            if self.public:
                fetch = _bind(self.api.timeline_public, local=self.local)
                path = "public/local" if self.local else "public"
                feeds["public"] = self._feed(client, state.get("public"), fetch, path, {})
            if self.mentions:
                fetch = _bind(self.api.notifications, types=["mention"])
                feeds["mentions"] = self._poll(state.get("mentions"), fetch, _notification_status)
            if self.conversations:
                feeds["conversations"] = self._poll(
                    state.get("conversations"), self.api.conversations, _conversation_status
                )
            async for batch in merge(feeds, state):
                yield batch

    # -- REST ---------------------------------------------------------------------------------

    async def _call(self, fetch: Callable[..., Any], **params: Any) -> list[Any]:
        """One Mastodon.py call in a thread, retried on rate limits and failures until it works."""
        backoff = Backoff(self.backoff, self.backoff_cap)
        while True:
            reset = self.api.ratelimit_reset
            if self.api.ratelimit_remaining <= 0 and reset and reset > _now():
                await asyncio.sleep(reset - _now())  # quota spent: wait for X-RateLimit-Reset
            try:
                answer = await asyncio.to_thread(fetch, **params)
            except MastodonRatelimitError:
                reset = self.api.ratelimit_reset
                wait = reset - _now() if reset and reset > _now() else backoff.next()
                self._report(f"{self.base}: rate limited (429); retrying in {wait:.0f}s")
                await asyncio.sleep(wait)
                continue
            except MastodonUnauthorizedError as exc:
                raise PermissionError(
                    f"{self.base}: access token refused ({exc.args[1]})"
                ) from None
            except (
                MastodonNetworkError,
                MastodonInternalServerError,
                MastodonServiceUnavailableError,
            ) as exc:
                wait = backoff.next()
                self._report(f"{self.base}: {type(exc).__name__}: {exc}; retrying in {wait:.0f}s")
                await asyncio.sleep(wait)
                continue
            except MastodonAPIError as exc:
                if "Could not parse response as JSON" not in str(exc):
                    raise
                answer = None  # a proxy's error page, a truncated answer: asked again later
            if isinstance(answer, list):
                return list(answer)
            wait = backoff.next()
            what = "not JSON" if answer is None else f"{type(answer).__name__}, not a list"
            self._report(f"{self.base}: an answer that is {what}; retrying in {wait:.0f}s")
            await asyncio.sleep(wait)

    async def _catch_up(
        self, position: str | None, fetch: Callable[..., Any], unwrap: Callable[[Any], Any]
    ) -> AsyncIterator[Step]:
        """Every page after `position`, oldest first, one step per page.

        `min_id` (not `since_id`) returns the page right after the id, so paging forward never
        skips a status however many arrived. Conversations page by their last status id.
        """
        while True:
            params: dict[str, Any] = {"limit": PAGE}
            if position is not None:
                params["min_id"] = position
            page = await self._call(fetch, **params)
            if not page:
                return
            ids = [i for i in (_position(item, unwrap) for item in page) if i is not None]
            signals, dead = self.read(page, unwrap)
            if ids:
                position = max(ids, key=_order)
            yield Step(signals, dead, position)
            if len(page) < PAGE or not ids:
                return

    async def _poll(
        self, position: str | None, fetch: Callable[..., Any], unwrap: Callable[[Any], Any]
    ) -> AsyncIterator[Step]:
        """REST polling every `interval` seconds."""
        while True:
            async for step in self._catch_up(position, fetch, unwrap):
                position = step.position
                yield step
            await asyncio.sleep(self.interval)

    # -- streaming ----------------------------------------------------------------------------

    async def _feed(
        self,
        client: httpx.AsyncClient,
        position: str | None,
        fetch: Callable[..., Any],
        path: str,
        params: dict[str, str],
    ) -> AsyncIterator[Step]:
        """A streamed timeline; while the stream is down, polled over REST at back-off pace."""
        if not self.streaming:
            async for step in self._poll(position, fetch, _same):
                yield step
            return
        backoff = Backoff(self.backoff, min(self.backoff_cap, self.interval))
        url = f"{self.stream_base}/api/v1/streaming/{path}"
        while True:
            wait: float | None = None
            try:
                async with client.stream("GET", url, params=params) as response:
                    if response.status_code in (429, 503):
                        raise RetryLater(retry_after(response.headers.get("Retry-After"), 60))
                    if response.status_code in (401, 403):
                        raise PermissionError(
                            f"{url}: access token refused ({response.status_code})"
                        )
                    response.raise_for_status()
                    # Connected: events queue up on the socket while the REST catch-up runs.
                    async for step in self._catch_up(position, fetch, _same):
                        position = step.position
                        yield step
                    backoff.reset()
                    async for event, data in _events(
                        response.aiter_lines(), self.heartbeat_timeout
                    ):
                        relayed = self._event(event, data, position)
                        if relayed is not None:
                            position = relayed.position
                            yield relayed
                self._report(f"{url}: stream closed by the server; reconnecting")
            except RetryLater as exc:
                wait = exc.seconds
                self._report(f"{url}: {exc}")
            except StreamDead:
                self._report(f"{url}: no heartbeat for {self.heartbeat_timeout:.0f}s; reconnecting")
            except httpx.HTTPError as exc:
                self._report(f"{url}: {type(exc).__name__}: {exc}; reconnecting")
            wait = backoff.next() if wait is None else wait
            await asyncio.sleep(wait)
            # While the stream is down the timeline is still read, so nothing waits for it.
            async for step in self._catch_up(position, fetch, _same):
                position = step.position
                yield step

    def _event(self, event: str, data: str, position: str | None) -> Step | None:
        if event not in ("update", "status.update"):
            return None  # delete, notification, filters_changed…: not signals
        try:
            status = json.loads(data)
            native = str(status["id"])
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            dead = self._dead(f"unreadable {event} event: {exc}", data, f"{event}:{_digest(data)}")
            return Step([], [dead], position)
        if event == "update" and position is not None and _order(native) <= _order(position):
            return None  # already read by the catch-up
        signals, dead_letters = self.read([status], _same)
        if event == "update":
            position = native
        return Step(signals, dead_letters, position)

    # -- mapping ------------------------------------------------------------------------------

    def read(
        self, items: list[Any], unwrap: Callable[[Any], Any]
    ) -> tuple[list[Signal], list[DeadLetter]]:
        """A page of statuses (or of what `unwrap` takes a status from) as signals; one that
        cannot be read is a dead letter, its neighbours are read."""
        signals: list[Signal] = []
        dead: list[DeadLetter] = []
        now = utcnow()
        for item in items:
            try:
                status = unwrap(item)
                if status is not None:
                    signals.append(checked(self.signal(status, now)))
            except Exception as exc:  # whatever one status holds, the rest of the page is read
                reason = f"not a Mastodon status ({type(exc).__name__}: {exc})"
                raw = json.dumps(item, default=str)
                dead.append(self._dead(reason, raw, f"id:{_position(item, _same) or _digest(raw)}"))
        return signals, dead

    def _dead(self, reason: str, raw: str, position: str) -> DeadLetter:
        return DeadLetter(
            workspace=self.workspace,
            source=self.name,
            reason=writable(reason),
            raw=writable(raw),
            position=writable(position, 2000),
        )

    def signal(self, status: Any, now: datetime) -> Signal:
        """A Mastodon Status entity (a dict) as a signal; boosts become the boosted status."""
        status = status.get("reblog") or status
        account = status["account"]
        acct = account["acct"]
        handle = "@" + (acct if "@" in acct else f"{acct}@{self.instance}")
        direct = status.get("visibility") == "direct"
        parent = status.get("in_reply_to_id")
        native = str(status["id"])
        return Signal(
            id=signal_id(self.workspace, self.name, native),
            workspace=self.workspace,
            source=self.name,
            channel="mastodon",
            kind="message" if direct else "reply" if parent else "post",
            visibility="public"
            if status.get("visibility") in ("public", "unlisted")
            else "private",
            native_id=native,
            url=status.get("url") or status.get("uri"),
            parent_id=str(parent) if parent else None,
            author_handle=handle,
            author_name=account.get("display_name") or acct,
            title=status.get("spoiler_text") or None,
            text=html_to_text(status["content"] or ""),
            lang=status.get("language"),
            created_at=_time(status["created_at"]),
            edited_at=_edited(status.get("edited_at")),
            observed_at=now,
            metrics=Metrics(
                likes=status.get("favourites_count"),
                shares=status.get("reblogs_count"),
                replies=status.get("replies_count"),
                followers=account.get("followers_count"),
            ),
        )


async def _events(lines: AsyncIterator[str], timeout: float) -> AsyncIterator[tuple[str, str]]:
    """Server-sent events as (event, data); comments (`:thump`) only keep the stream alive."""
    event, data = "message", list[str]()
    iterator = aiter(lines)
    while True:
        try:
            line = await asyncio.wait_for(anext(iterator), timeout)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise StreamDead from None
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)


def _bind(fetch: Callable[..., Any], *args: Any, **fixed: Any) -> Callable[..., Any]:
    def call(**params: Any) -> Any:
        return fetch(*args, **fixed, **params)

    return call


def _same(item: Any) -> Any:
    if item is None:  # None from an unwrap means "no status here, by design": not for a page
        raise ValueError("null where a status is expected")
    return item


def _notification_status(notification: Any) -> Any:
    if notification["type"] != "mention":
        return None
    if notification.get("status") is None:
        raise ValueError("a mention without its status")
    return notification["status"]


def _conversation_status(conversation: Any) -> Any:
    if conversation.get("last_status") is None:
        raise ValueError("a conversation without its last status")
    return conversation["last_status"]


def _position(item: Any, unwrap: Callable[[Any], Any]) -> str | None:
    """The id a page is ordered by: the item's own, or its last status' for a conversation."""
    try:
        if unwrap is _conversation_status:
            return str(item["last_status"]["id"])
        return str(item["id"])
    except (KeyError, TypeError):
        return None


def _order(native: Any) -> tuple[int, str]:
    """Mastodon ids are numbers in strings (ordered by time); compare them as such."""
    text = str(native)
    # isascii: "²" is a digit to isdigit but not to int; 4,300 digits is int()'s own limit.
    if text.isascii() and text.isdigit() and len(text) < 4300:
        return int(text), ""
    return -1, text


def _time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _edited(value: Any) -> datetime | None:
    # Only orders versions (a late copy of the original never replaces an edit): optional.
    try:
        return None if not value else inputs.utc(_time(value), "edited_at")
    except (ValueError, TypeError):
        return None


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).hexdigest()


def _now() -> float:
    return time.time()
