"""Replies on the channel a signal came from: Mastodon, Bluesky, Telegram.

Each platform class is a `Sink` of `Reply` actions. Transient failures (network, 5xx, 429) are
retried with back-off, honouring the platform's wait; a refusal (4xx) fails at once. Every
outcome is a `Delivery`, and no message carries a token.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
import msgspec

from pouls.privacy.pseudonyms import NOT_KEPT, is_pseudonym
from pouls.signals import Signal, utcnow
from pouls.sinks import Delivery, Sink
from pouls.sources.retry import Backoff

log = logging.getLogger("pouls.sinks.reply")


class Reply(msgspec.Struct, frozen=True, kw_only=True):
    """Answer `signal` with `text`, on its channel, in its thread."""

    signal: Signal
    text: str


class Transient(Exception):
    """Worth trying again; `wait` is the platform's own hint, when it gave one."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


class Refused(Exception):
    """The platform said no (bad request, forbidden): trying again would not help."""


async def deliver(
    attempt: Callable[[], Awaitable[str]],
    *,
    attempts: int,
    backoff: Backoff,
    secrets: tuple[str | None, ...] = (),
) -> Delivery:
    """Run `attempt` until it returns the sent id, it is refused, or attempts run out."""
    error = ""
    for n in range(1, attempts + 1):
        try:
            return Delivery(status="sent", id=await attempt(), attempts=n)
        except Refused as exc:
            return _failed(str(exc), n, secrets)
        except Transient as exc:
            error = str(exc)
            wait = exc.wait if exc.wait is not None else backoff.next()
        except (httpx.HTTPError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            wait = backoff.next()
        if n < attempts:
            await asyncio.sleep(wait)
    return _failed(f"gave up after {attempts} attempts: {error}", attempts, secrets)


def _failed(error: str, attempts: int, secrets: tuple[str | None, ...]) -> Delivery:
    for secret in secrets:
        if secret:
            error = error.replace(secret, "***")
    log.warning("reply not delivered: %s", error)
    return Delivery(status="failed", error=error, attempts=attempts)


def idempotency_key(reply: Reply) -> str:
    """Same reply, same key: a retried POST is not published twice (Mastodon honours it)."""
    return hashlib.blake2b(
        f"{reply.signal.id}\x1f{reply.text}".encode(), digest_size=16
    ).hexdigest()


class ReplySink:
    """Routes each reply to the sink of its signal's channel."""

    def __init__(self, sinks: Mapping[str, Sink]) -> None:
        self.sinks = dict(sinks)

    async def send(self, action: Reply) -> Delivery:
        sink = self.sinks.get(action.signal.channel)
        if sink is None:
            return _failed(f"no reply sink for channel {action.signal.channel!r}", 0, ())
        return await sink.send(action)


# -- Telegram -------------------------------------------------------------------------------


class TelegramReplies:
    """`sendMessage` in the signal's chat, as a reply to its message (`reply_parameters`)."""

    def __init__(
        self,
        *,
        token: str,
        api_base_url: str = "https://api.telegram.org",
        attempts: int = 4,
        backoff: float = 1.0,
        timeout: float = 20.0,
    ) -> None:
        self._token = token
        self.base = api_base_url.rstrip("/")
        self.attempts, self.backoff, self.timeout = attempts, backoff, timeout

    async def send(self, action: Reply) -> Delivery:
        chat, _, message = (action.signal.native_id or "").rpartition(":")
        if is_pseudonym(chat):  # a private chat's id is the person's: not kept
            return _failed(f"signal {action.signal.id}: {NOT_KEPT}", 0, ())
        body = {
            "chat_id": int(chat) if chat.lstrip("-").isdigit() else chat,
            "text": action.text,
            "reply_parameters": {"message_id": int(message), "allow_sending_without_reply": True},
        }
        async with httpx.AsyncClient(timeout=self.timeout) as client:

            async def attempt() -> str:
                url = f"{self.base}/bot{self._token}/sendMessage"
                response = await client.post(url, json=body)
                answer = _json(response)
                if response.status_code == 429 or response.status_code >= 500:
                    hint = (answer.get("parameters") or {}).get("retry_after")
                    raise Transient(f"sendMessage: HTTP {response.status_code}", hint)
                if not answer.get("ok"):
                    raise Refused(
                        f"sendMessage refused: {answer.get('description', response.status_code)}"
                    )
                return f"{chat}:{answer['result']['message_id']}"

            return await deliver(
                attempt,
                attempts=self.attempts,
                backoff=Backoff(self.backoff, 60),
                secrets=(self._token,),
            )


# -- Mastodon -------------------------------------------------------------------------------


class MastodonReplies:
    """`POST /api/v1/statuses` with `in_reply_to_id`, through Mastodon.py.

    The reply keeps the visibility of the status it answers (a direct message gets a direct
    message) and mentions its author, as Mastodon's own clients do: a direct message reaches
    only the accounts it mentions.
    """

    def __init__(
        self,
        *,
        api_base_url: str,
        access_token: str,
        attempts: int = 4,
        backoff: float = 1.0,
        timeout: float = 20.0,
    ) -> None:
        from mastodon import Mastodon

        self._token = access_token
        self.attempts, self.backoff = attempts, backoff
        self.api = Mastodon(
            access_token=access_token,
            api_base_url=api_base_url,
            ratelimit_method="throw",
            request_timeout=timeout,
            version_check_mode="none",
        )

    async def send(self, action: Reply) -> Delivery:
        status_id = action.signal.native_id or ""

        async def attempt() -> str:
            return await asyncio.to_thread(self._post, status_id, action)

        return await deliver(
            attempt,
            attempts=self.attempts,
            backoff=Backoff(self.backoff, 60),
            secrets=(self._token,),
        )

    def _post(self, status_id: str, action: Reply) -> str:
        from mastodon import MastodonNetworkError, MastodonRatelimitError
        from mastodon.errors import MastodonAPIError, MastodonServerError

        try:
            original = self.api.status(status_id)
            mention = "@" + original["account"]["acct"]
            text = action.text if mention in action.text else f"{mention} {action.text}"
            posted = self.api.status_post(
                text,
                in_reply_to_id=status_id,
                visibility=original["visibility"],
                idempotency_key=idempotency_key(action),
            )
            return str(posted["id"])
        except MastodonRatelimitError:
            reset = self.api.ratelimit_reset
            now = utcnow().timestamp()
            raise Transient(
                "rate limited (429)", max(0.0, reset - now) if reset else None
            ) from None
        except (MastodonNetworkError, MastodonServerError) as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from None
        except MastodonAPIError as exc:
            raise Refused(f"Mastodon refused the reply: {exc}") from None


# -- Bluesky --------------------------------------------------------------------------------


class BlueskyReplies:
    """`com.atproto.repo.createRecord` of a post whose `reply` names its root and parent.

    Strong references need the CIDs: the parent post is read first (`app.bsky.feed.getPosts`),
    and its own `reply.root` (or itself, when it starts the thread) is the root.
    """

    def __init__(
        self,
        *,
        handle: str,
        app_password: str,
        api_base_url: str = "https://bsky.social",
        attempts: int = 4,
        backoff: float = 1.0,
    ) -> None:
        self.handle, self._password = handle, app_password
        self.api_base_url = api_base_url
        self.attempts, self.backoff = attempts, backoff

    async def send(self, action: Reply) -> Delivery:
        from atproto import AsyncClient

        client = AsyncClient(base_url=self.api_base_url)
        try:

            async def attempt() -> str:
                return await self._post(client, action)

            return await deliver(
                attempt,
                attempts=self.attempts,
                backoff=Backoff(self.backoff, 60),
                secrets=(self._password,),
            )
        finally:
            await client.request.close()

    async def _post(self, client: Any, action: Reply) -> str:
        from atproto_client.exceptions import (
            NetworkError,
            RateLimitExceededError,
            RequestErrorBase,
        )

        try:
            if client._session is None:  # atproto keeps the session (and the did) there
                await client.login(self.handle, self._password, fetch_bsky_profile=False)
            uri = action.signal.native_id or ""
            [parent] = (await client.app.bsky.feed.get_posts({"uris": [uri]})).posts
            parent_ref = {"uri": parent.uri, "cid": parent.cid}
            thread = getattr(parent.record, "reply", None)
            root_ref = {"uri": thread.root.uri, "cid": thread.root.cid} if thread else parent_ref
            record = {
                "$type": "app.bsky.feed.post",
                "text": action.text,
                "createdAt": utcnow().isoformat().replace("+00:00", "Z"),
                "reply": {"root": root_ref, "parent": parent_ref},
            }
            data = {
                "repo": client._session.did,
                "collection": "app.bsky.feed.post",
                "record": record,
            }
            created = await client.com.atproto.repo.create_record(data)
            return str(created.uri)
        except RateLimitExceededError as exc:
            raise Transient("rate limited (429)", exc.retry_after) from None
        except NetworkError as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from None
        except RequestErrorBase as exc:
            status = exc.response.status_code if exc.response else 0
            if status >= 500:
                raise Transient(f"HTTP {status}") from None
            raise Refused(f"Bluesky refused the reply: {exc}") from None
        except ValueError as exc:
            raise Refused(f"post {action.signal.native_id!r} not found: {exc}") from None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
