"""Reddit: subreddit posts and comments and search results, polled as JSON listings.

Each listing is read newest first and paged back with `after=<fullname>` until a fullname seen
before; the cursor keeps each listing's recent fullnames. (`before=` alone is not enough: when the
post it names is removed, Reddit answers an empty page forever.) Rate limits follow Reddit's
`X-Ratelimit-Remaining` and `X-Ratelimit-Reset` headers; an OAuth bearer token is optional.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from pouls.signals import Batch, DeadLetter, Metrics, Signal, signal_id, utcnow
from pouls.sources.entries import checked, writable
from pouls.sources.merge import Step, load, merge
from pouls.sources.retry import Backoff, RetryLater, rate_limit_wait, retry_after

SEEN = 300  # fullnames kept per listing: more than a page (100)
MAX_PAGES = 10  # pages read back per poll when much was posted since the last one


class RedditSource:
    """Source polling subreddit and search listings every `interval` seconds."""

    def __init__(
        self,
        *,
        name: str,
        workspace: str,
        subreddits: Sequence[str] = (),
        comments: bool = False,
        searches: Sequence[str] = (),
        user_agent: str,
        token: str | None = None,
        base_url: str | None = None,
        interval: float = 120.0,
        backoff: float = 5.0,
        backoff_cap: float = 600.0,
        timeout: float = 20.0,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.name, self.workspace = name, workspace
        self.subreddits = [s.removeprefix("r/").strip("/") for s in subreddits]
        self.comments, self.searches = comments, list(searches)
        self.user_agent, self.token = user_agent, token
        default = "https://oauth.reddit.com" if token else "https://www.reddit.com"
        self.base = (base_url or default).rstrip("/")
        self.interval, self.timeout = interval, timeout
        self.backoff, self.backoff_cap = backoff, backoff_cap
        self.on_error = on_error
        self._pause_until = 0.0  # shared by the listings: the quota is per client

    def _report(self, message: str) -> None:
        if self.token:
            message = message.replace(self.token, "***")
        if self.on_error:
            self.on_error(message)

    def listings(self) -> dict[str, tuple[str, dict[str, str]]]:
        """Listing key → (path, query) for everything configured."""
        out: dict[str, tuple[str, dict[str, str]]] = {}
        for sub in self.subreddits:
            out[f"r/{sub}/new"] = (f"/r/{sub}/new.json", {})
            if self.comments:
                out[f"r/{sub}/comments"] = (f"/r/{sub}/comments.json", {})
        for query in self.searches:
            out[f"search:{query}"] = ("/search.json", {"q": query, "sort": "new"})
        return out

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        """Poll every listing; the cursor holds each listing's recent fullnames."""
        state = load(cursor)
        headers = {"User-Agent": self.user_agent}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        async with httpx.AsyncClient(
            timeout=self.timeout, headers=headers, follow_redirects=True
        ) as client:
            feeds = {
                key: self._poll(client, path, query, state.get(key))
                for key, (path, query) in self.listings().items()
            }
            async for batch in merge(feeds, state):
                yield batch

    async def _poll(
        self, client: httpx.AsyncClient, path: str, query: dict[str, str], seen: Any
    ) -> AsyncIterator[Step]:
        known: list[str] = list(seen) if isinstance(seen, list) else []
        while True:
            children, dead = await self._read_new(client, path, query, set(known))
            fresh = [_fullname(c) or "" for c in children]
            signals, bad = self.read(children)
            if fresh or dead or bad:
                known = (known + list(reversed(fresh)))[-SEEN:]
                yield Step(signals, dead + bad, known)
            await asyncio.sleep(self.interval)

    async def _read_new(
        self, client: httpx.AsyncClient, path: str, query: dict[str, str], known: set[str]
    ) -> tuple[list[Any], list[DeadLetter]]:
        """Things not seen before, newest first, paging back with `after` until a known one."""
        found: list[Any] = []
        dead: list[DeadLetter] = []
        after: str | None = None
        for _ in range(MAX_PAGES if known else 1):
            params = {**query, "limit": "100", "raw_json": "1"}
            if after:
                params["after"] = after
            listing = await self._get(client, path, params)
            if isinstance(listing, DeadLetter):
                return found, [*dead, listing]
            fresh, unnamed, reached = self.children(listing, known)
            found.extend(fresh)
            dead.extend(unnamed)
            after = listing.get("after")
            if reached or not after or not isinstance(after, str):
                break
        return found, dead

    def children(
        self, listing: dict[str, Any], known: set[str]
    ) -> tuple[list[Any], list[DeadLetter], bool]:
        """A listing's things not seen before, those without a fullname, and whether a seen one
        ended the page."""
        found: list[Any] = []
        dead: list[DeadLetter] = []
        for child in listing["children"]:
            name = _fullname(child)
            if name is None:
                dead.append(self._dead("a thing without a fullname", json.dumps(child)))
                continue
            if name in known:
                return found, dead, True
            found.append(child)
        return found, dead, False

    async def _get(
        self, client: httpx.AsyncClient, path: str, params: dict[str, str]
    ) -> dict[str, Any] | DeadLetter:
        """One listing, waiting on rate limits and retrying failures with back-off."""
        backoff = Backoff(self.backoff, self.backoff_cap)
        url = self.base + path
        while True:
            pause = self._pause_until - asyncio.get_running_loop().time()
            if pause > 0:
                await asyncio.sleep(pause)
            try:
                response = await client.get(url, params=params)
                if response.status_code == 429:
                    wait = retry_after(response.headers.get("Retry-After"), -1)
                    reset = rate_limit_wait({**response.headers, "X-Ratelimit-Remaining": "0"})
                    raise RetryLater(wait if wait >= 0 else reset if reset is not None else 60)
                if response.status_code in (401, 403):
                    raise PermissionError(f"{url}: access refused ({response.status_code})")
                response.raise_for_status()
            except RetryLater as exc:
                self._report(f"{url}: {exc}")
                await asyncio.sleep(exc.seconds)
                continue
            except httpx.HTTPError as exc:
                wait = backoff.next()
                self._report(f"{url}: {type(exc).__name__}: {exc}; retrying in {wait:.0f}s")
                await asyncio.sleep(wait)
                continue
            spent = rate_limit_wait(response.headers)
            if spent:
                self._pause_until = asyncio.get_running_loop().time() + spent
            return self.listing(response, url)

    def listing(self, response: httpx.Response, url: str) -> dict[str, Any] | DeadLetter:
        """An answer as its Listing data, or a dead letter saying why it is not one."""
        try:
            body = response.json()
            data = body["data"]
            if body.get("kind") != "Listing" or not isinstance(data["children"], list):
                raise ValueError(f"kind {body.get('kind')!r}, not Listing")
            return data
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            self._report(f"{url}: unreadable listing ({type(exc).__name__}: {exc})")
            reason = f"{url}: not a Reddit listing ({type(exc).__name__}: {exc})"
            return self._dead(reason, response.text)

    def _dead(self, reason: str, raw: str, position: str | None = None) -> DeadLetter:
        digest = hashlib.blake2b(raw.encode("utf-8", "replace"), digest_size=8).hexdigest()
        return DeadLetter(
            workspace=self.workspace,
            source=self.name,
            reason=writable(reason),
            raw=writable(raw),
            position=writable(position or f"sha:{digest}", 2000),
        )

    def read(self, children: list[Any]) -> tuple[list[Signal], list[DeadLetter]]:
        """Things as signals, oldest first; one that cannot be read is a dead letter."""
        signals, dead = [], []
        now = utcnow()
        for child in reversed(children):  # oldest first
            try:
                signals.append(checked(self.signal(child, now)))
            except Exception as exc:  # whatever one thing holds, the rest of the page is read
                reason = f"not a readable Reddit post or comment ({type(exc).__name__}: {exc})"
                dead.append(self._dead(reason, json.dumps(child), f"thing:{_fullname(child)}"))
        return signals, dead

    def signal(self, thing: dict[str, Any], now: datetime) -> Signal:
        """A t3 (post) or t1 (comment) thing as a signal."""
        kind, data = thing["kind"], thing["data"]
        if kind not in ("t1", "t3"):
            raise ValueError(f"thing kind {kind!r} is neither a post (t3) nor a comment (t1)")
        fullname = data["name"]
        post = kind == "t3"
        author = data.get("author")
        text = data.get("selftext") if post else data["body"]
        return Signal(
            id=signal_id(self.workspace, self.name, fullname),
            workspace=self.workspace,
            source=self.name,
            channel="reddit",
            kind="post" if post else "reply" if data["parent_id"].startswith("t1_") else "comment",
            native_id=fullname,
            url="https://www.reddit.com" + data["permalink"],
            conversation_id=fullname if post else data["link_id"],
            parent_id=None if post else data["parent_id"],
            author_handle=f"u/{author}" if author and author != "[deleted]" else None,
            title=data["title"] if post else None,
            text=text or ("" if not post else data.get("url") or ""),
            created_at=datetime.fromtimestamp(float(data["created_utc"]), tz=UTC),
            observed_at=now,
            metrics=Metrics(
                likes=data.get("score"), replies=data.get("num_comments") if post else None
            ),
        )


def _fullname(thing: Any) -> str | None:
    try:
        name = thing["data"]["name"]
    except (KeyError, TypeError):
        return None
    return name if isinstance(name, str) else None
