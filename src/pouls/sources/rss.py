"""RSS and Atom feeds polled with conditional GET (ETag, Last-Modified); parsing by feedparser.

The cursor remembers the validators and the ids of recent entries, so an entry seen before is
skipped even when the server ignores conditional requests.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import json
import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import feedparser
import httpx

from pouls.signals import Batch, DeadLetter, Signal, signal_id, utcnow
from pouls.sources.entries import checked, writable
from pouls.sources.retry import Backoff, RetryLater, retry_after

SEEN_LIMIT = 2000  # entry ids kept in the cursor: more than any feed shows at once


class RssSource:
    """Source polling one feed every `interval` seconds until cancelled."""

    def __init__(
        self,
        *,
        name: str,
        workspace: str,
        url: str,
        interval: float = 300.0,
        visibility: str = "press",
        kind: str = "article",
        timeout: float = 20.0,
        client: httpx.AsyncClient | None = None,
        once: bool = False,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.name = name
        self.workspace = workspace
        self.url = url
        self.interval = interval
        self.visibility = visibility
        self.kind = kind
        self.timeout = timeout
        self.client = client
        self.once = once  # poll a single time (tests, `pouls import` of a feed)
        self.on_error = on_error

    def _report(self, message: str) -> None:
        if self.on_error:
            self.on_error(message)

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        """Poll, yield the new entries with the next cursor, sleep, and again."""
        state = json.loads(cursor) if cursor else {}
        client = self.client or httpx.AsyncClient(
            timeout=self.timeout, follow_redirects=True, headers={"User-Agent": "pouls (+rss)"}
        )
        backoff = Backoff(self.interval, self.interval * 8)
        try:
            while True:
                wait = self.interval
                try:
                    batch, state = await self.poll(client, state)
                    backoff.reset()
                    if batch is not None:
                        yield batch
                except RetryLater as exc:
                    wait = max(exc.seconds, wait)
                    self._report(f"{self.url}: {exc}")
                    if self.once:
                        raise
                except httpx.HTTPError as exc:
                    self._report(f"{self.url}: {type(exc).__name__}: {exc}")
                    if self.once:
                        raise
                    wait = backoff.next()  # never longer than 8 intervals
                if self.once:
                    return
                await asyncio.sleep(wait)
        finally:
            if self.client is None:
                await client.aclose()

    async def poll(
        self, client: httpx.AsyncClient, state: dict[str, Any]
    ) -> tuple[Batch | None, dict[str, Any]]:
        """One conditional GET; returns the batch of new entries (None if nothing changed)."""
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("modified"):
            headers["If-Modified-Since"] = state["modified"]
        response = await client.get(self.url, headers=headers)
        if response.status_code == 304:
            return None, state
        if response.status_code == 429 or response.status_code == 503:
            raise RetryLater(retry_after(response.headers.get("Retry-After")))
        response.raise_for_status()
        batch, seen = read_feed(
            response.content,
            {k.lower(): v for k, v in response.headers.items()},
            workspace=self.workspace,
            source=self.name,
            url=self.url,
            kind=self.kind,
            visibility=self.visibility,
            seen=list(state.get("seen", [])),
        )
        new_state = {
            "etag": response.headers.get("ETag"),
            "modified": response.headers.get("Last-Modified"),
            "seen": seen[-SEEN_LIMIT:],
        }
        batch.cursor = json.dumps(new_state)
        return batch, new_state


def read_feed(
    content: bytes,
    headers: Mapping[str, str],
    *,
    workspace: str,
    source: str,
    url: str,
    kind: str = "article",
    visibility: str = "press",
    seen: Sequence[str] = (),
) -> tuple[Batch, list[str]]:
    """A fetched feed as a batch of its unseen entries, and the entry ids seen after it.

    Each entry is read on its own: one that cannot become a signal is a dead letter with its
    reason, and the rest of the feed is stored.
    """
    ids = list(seen)
    known = set(ids)
    batch = Batch()
    try:
        parsed = parse_feed(content, headers)
    except Exception as exc:  # feedparser's own failure: the feed is kept as a dead letter
        parsed = feedparser.FeedParserDict(
            bozo=True, bozo_exception=f"{type(exc).__name__}: {exc}", entries=[], feed={}
        )
    if parsed.bozo and not parsed.entries:
        digest = hashlib.blake2b(content, digest_size=8).hexdigest()
        batch.dead_letters.append(
            DeadLetter(
                workspace=workspace,
                source=source,
                reason=writable(
                    f"{url}: not a readable RSS/Atom feed ({parsed.bozo_exception});"
                    " check the URL points at the feed, not at a web page"
                ),
                raw=writable(content.decode("utf-8", "replace")),
                position=f"feed:{digest}",
            )
        )
    now = utcnow()
    for entry in parsed.entries:
        native = str(entry.get("id") or entry.get("link") or _digest(entry))
        if native in known:
            continue
        try:
            signal = _signal(entry, native, parsed.feed, now, workspace, source, kind, visibility)
            reason = None if signal else f"entry {native!r} has neither title nor text"
        except Exception as exc:  # whatever one entry holds, the rest of the feed is read
            signal, reason = None, f"entry {native!r} unreadable ({type(exc).__name__}: {exc})"
        if signal is not None:
            batch.signals.append(signal)
        else:
            batch.dead_letters.append(
                DeadLetter(
                    workspace=workspace,
                    source=source,
                    reason=writable(reason or ""),
                    raw=writable(json.dumps(dict(entry), default=str)),
                    position=writable(f"entry:{native}", 2000),
                )
            )
        ids.append(native)
        known.add(native)
    return batch, ids


def parse_feed(content: bytes, headers: Mapping[str, str]) -> Any:
    """feedparser's reading; references to characters that cannot exist are read as U+FFFD.

    feedparser's fallback parser raises on `&#xD800;` (a lone surrogate) or `&#x110000;`
    instead of flagging the feed as ill-formed.
    """
    try:
        return feedparser.parse(content, response_headers=dict(headers))
    except ValueError:
        mended = _CHARREF.sub(_mend_charref, content)
        return feedparser.parse(mended, response_headers=dict(headers))


_CHARREF = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")


def _mend_charref(found: re.Match[bytes]) -> bytes:
    code = found.group(1)
    number = int(code[1:], 16) if code[:1] in b"xX" else int(code)
    return b"&#xFFFD;" if 0xD800 <= number <= 0xDFFF or number > 0x10FFFF else found.group(0)


def _signal(
    entry: Any,
    native: str,
    feed: Any,
    now: datetime,
    workspace: str,
    source: str,
    kind: str,
    visibility: str,
) -> Signal | None:
    title = html_to_text(entry.get("title", "")) or None
    body = entry.get("content", [{}])[0].get("value") if entry.get("content") else None
    text = html_to_text(body or entry.get("summary", ""))
    if not title and not text:
        return None
    # dict.get: FeedParserDict.get maps a missing key to the other with a DeprecationWarning.
    stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    created = datetime.fromtimestamp(calendar.timegm(stamp), tz=UTC) if stamp else now
    author = entry.get("author") or feed.get("title")
    return checked(
        Signal(
            id=signal_id(workspace, source, native),
            workspace=workspace,
            source=source,
            channel="rss",
            kind=kind,  # type: ignore[arg-type]
            visibility=visibility,  # type: ignore[arg-type]
            native_id=native,
            url=entry.get("link"),
            title=title,
            text=text,
            author_handle=author,
            author_name=author,
            lang=(_entry_language(entry) or feed.get("language") or "")[:2].lower() or None,
            created_at=created,
            observed_at=now,
        )
    )


def _entry_language(entry: Any) -> str | None:
    """An entry's own `xml:lang`: feedparser puts it on its text constructs, not on the entry."""
    details = [*entry.get("content", []), entry.get("summary_detail"), entry.get("title_detail")]
    return next((d["language"] for d in details if d and d.get("language")), None)


def _digest(entry: Any) -> str:
    key = (entry.get("title", "") + "\x1f" + entry.get("summary", "")).encode("utf-8", "replace")
    return "sha:" + hashlib.blake2b(key, digest_size=16).hexdigest()


class _Text(HTMLParser):
    _BLOCK = frozenset({"p", "br", "div", "li", "h1", "h2", "h3", "h4", "tr", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment, with paragraphs as line breaks."""
    if "<" not in html and "&" not in html:
        return html.strip()
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
