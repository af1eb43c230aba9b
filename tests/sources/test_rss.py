"""RSS and Atom polling against a loopback HTTP server serving recorded feeds.

The real client code runs (httpx, feedparser, conditional GET); only the network is local.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from pouls import pipeline
from pouls.signals import signal_id
from pouls.sources.rss import RetryLater, RssSource, html_to_text
from pouls.store.sqlite import SQLiteStore

PAYLOADS = Path(__file__).parents[1] / "payloads" / "rss"
WS, NAME = "acme", "press"


class Response:
    """What the server answers on one path; conditional requests are honoured when validators are set."""

    def __init__(
        self,
        body: bytes,
        *,
        status: int = 200,
        content_type: str = "application/rss+xml; charset=utf-8",
        etag: str | None = None,
        modified: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.body, self.status, self.content_type = body, status, content_type
        self.etag, self.modified, self.headers = etag, modified, headers or {}


class FeedServer:
    """A ThreadingHTTPServer on 127.0.0.1; tests set `routes` and read the `requests` it got."""

    def __init__(self) -> None:
        self.routes: dict[str, Response] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                r = server.routes.get(self.path)
                if r is None:
                    self.send_error(404)
                    return
                fresh = (r.etag and self.headers.get("If-None-Match") == r.etag) or (
                    r.modified and self.headers.get("If-Modified-Since") == r.modified
                )
                status = 304 if fresh and r.status == 200 else r.status
                self.send_response(status)
                for key, value in r.headers.items():
                    self.send_header(key, value)
                if r.etag:
                    self.send_header("ETag", r.etag)
                if r.modified:
                    self.send_header("Last-Modified", r.modified)
                body = b"" if status == 304 else r.body
                if status != 304:
                    self.send_header("Content-Type", r.content_type)
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, payload: str, **options: object) -> str:
        self.routes[path] = Response((PAYLOADS / payload).read_bytes(), **options)  # type: ignore[arg-type]
        return self.url(path)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    s = FeedServer()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()
    s.thread.join()


def _source(url: str, **options: object) -> RssSource:
    return RssSource(name=NAME, workspace=WS, url=url, once=True, **options)  # type: ignore[arg-type]


async def _poll(store: SQLiteStore, url: str) -> pipeline.Totals:
    return await pipeline.run([_source(url)], store)


MODIFIED = "Tue, 06 Oct 2026 07:00:00 GMT"


async def test_rss_first_poll_stores_every_entry(server: FeedServer, store: SQLiteStore):
    url = server.serve("/press.xml", "press.rss.xml", etag='"v1"', modified=MODIFIED)
    totals = await _poll(store, url)
    assert (totals.read, totals.stored, totals.dead_letters, totals.errors) == (2, 2, 0, {})
    school = store.get(WS, signal_id(WS, NAME, "jdf-2026-0412"))
    assert school is not None
    assert school.title == "L'École du pain de Maison Fournil ouvre à Lyon"
    assert (school.channel, school.kind, school.visibility, school.lang) == (
        "rss",
        "article",
        "press",
        "fr",
    )
    assert school.url == "https://journal.example.org/2026/10/ecole-du-pain-lyon"
    assert school.created_at == datetime(2026, 10, 5, 6, 30, tzinfo=UTC)  # +0200 read as such
    assert school.author_name == "Le Journal du Fournil"  # no item author: the feed's title


async def test_rss_second_poll_sends_validators_gets_304_and_yields_nothing(
    server: FeedServer, store: SQLiteStore
):
    url = server.serve("/press.xml", "press.rss.xml", etag='"v1"', modified=MODIFIED)
    await _poll(store, url)
    totals = await _poll(store, url)
    (_, first), (_, second) = server.requests
    assert "If-None-Match" not in first and "If-Modified-Since" not in first
    assert second["If-None-Match"] == '"v1"'
    assert second["If-Modified-Since"] == MODIFIED
    assert (totals.read, totals.stored, totals.batches) == (0, 0, 0)
    assert store.count(WS) == 2


async def test_rss_poll_with_last_modified_only_gets_304(server: FeedServer, store: SQLiteStore):
    url = server.serve("/press.xml", "press.rss.xml", modified=MODIFIED)
    await _poll(store, url)
    totals = await _poll(store, url)
    assert "If-None-Match" not in server.requests[1][1]
    assert totals.read == 0


async def test_rss_feed_that_adds_an_item_yields_only_the_new_one(
    server: FeedServer, store: SQLiteStore
):
    url = server.serve("/press.xml", "press.rss.xml", etag='"v1"')
    await _poll(store, url)
    server.serve("/press.xml", "press-updated.rss.xml", etag='"v2"')
    totals = await _poll(store, url)
    assert server.requests[1][1]["If-None-Match"] == '"v1"'  # stale validator: full answer
    assert (totals.read, totals.stored, totals.duplicates) == (1, 1, 0)
    [newest, *_] = store.search(WS).signals
    assert newest.native_id == "jdf-2026-0413"
    assert store.count(WS) == 3


async def test_rss_server_ignoring_conditional_get_still_skips_seen_entries(
    server: FeedServer, store: SQLiteStore
):
    url = server.serve("/press.xml", "press.rss.xml")  # no ETag, no Last-Modified
    await _poll(store, url)
    totals = await _poll(store, url)
    assert len(server.requests) == 2
    assert (totals.read, totals.stored) == (0, 0)


async def test_atom_entries_are_stored_with_their_own_language_and_author(
    server: FeedServer, store: SQLiteStore
):
    url = server.serve("/atom.xml", "blog.atom.xml", content_type="application/atom+xml")
    totals = await _poll(store, url)
    assert (totals.stored, totals.dead_letters) == (2, 0)
    levain = store.get(WS, signal_id(WS, NAME, "urn:uuid:9d1e7c2a-3b4f-4e8d-a1c6-2f5e0b7d4c31"))
    hours = store.get(WS, signal_id(WS, NAME, "urn:uuid:1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"))
    assert levain is not None and hours is not None
    assert levain.text == "Dix ans de levain, mille fournées et une fête à l'École du pain."
    assert levain.created_at == datetime(2026, 10, 6, 7, 45, tzinfo=UTC)  # published, not updated
    assert (levain.lang, levain.author_name) == ("fr", "Camille Roux")
    assert levain.url == "https://blog.example.org/levain-dix-ans"
    assert hours.text == "All shops stay open on 1 November, closing at 1 pm."
    assert hours.created_at == datetime(2026, 10, 2, 16, 20, tzinfo=UTC)  # only updated given
    assert hours.lang == "en"  # the entry's xml:lang wins over the feed's


async def test_rss_html_in_descriptions_becomes_text(server: FeedServer, store: SQLiteStore):
    url = server.serve("/press.xml", "press.rss.xml")
    await _poll(store, url)
    school = store.get(WS, signal_id(WS, NAME, "jdf-2026-0412"))
    recall = store.get(WS, signal_id(WS, NAME, "jdf-2026-0411"))
    assert school is not None and recall is not None
    assert school.text == (
        "Maison Fournil ouvre une école de boulangerie : vingt apprentis dès novembre.\n"
        "Inscriptions en ligne."
    )  # paragraphs become lines; the script is dropped
    assert recall.text == "A batch sold in Paris shops may contain traces of sesame."


def test_html_to_text_keeps_plain_text_and_decodes_entities():
    assert html_to_text("  déjà vu  ") == "déjà vu"
    assert html_to_text("Pain &amp; café<br>à 2&euro;") == "Pain & café\nà 2€"
    assert html_to_text("<style>p{}</style><div>un</div><div>deux</div>") == "un\ndeux"


async def test_rss_entries_are_found_by_accent_insensitive_search(
    server: FeedServer, store: SQLiteStore
):
    url = server.serve("/press.xml", "press.rss.xml")
    await _poll(store, url)
    found = store.search(WS, "ecole lyon").signals
    assert [s.native_id for s in found] == ["jdf-2026-0412"]
    assert [s.native_id for s in store.search(WS, "ÉCOLE").signals] == ["jdf-2026-0412"]
    assert [s.native_id for s in store.search(WS, "sesame").signals] == ["jdf-2026-0411"]


@pytest.mark.parametrize("payload", ["not-a-feed.html", None])
async def test_broken_feed_goes_to_dead_letters_with_a_reason(
    server: FeedServer, store: SQLiteStore, payload: str | None
):
    if payload:
        url = server.serve("/feed", payload, content_type="text/html; charset=utf-8")
    else:
        server.routes["/feed"] = Response(b"\x00\x9c\xffgarbage{{", content_type="text/plain")
        url = server.url("/feed")
    totals = await _poll(store, url)
    assert (totals.stored, totals.dead_letters, totals.errors) == (0, 1, {})
    [dead] = store.dead_letters(WS)
    assert dead.reason.startswith(f"{url}: not a readable RSS/Atom feed (")
    assert "check the URL points at the feed, not at a web page" in dead.reason
    if payload:
        assert "Le flux RSS" in dead.raw
    await _poll(store, url)
    assert len(store.dead_letters(WS)) == 1  # the same broken answer is recorded once


async def test_rss_item_with_neither_title_nor_text_goes_to_dead_letters(
    server: FeedServer, store: SQLiteStore
):
    url = server.serve("/press.xml", "invalid-item.rss.xml")
    totals = await _poll(store, url)
    assert (totals.stored, totals.dead_letters) == (1, 1)
    [dead] = store.dead_letters(WS)
    assert dead.reason == "entry 'jdf-2026-0501' has neither title nor text"
    assert dead.position == "entry:jdf-2026-0501"
    assert [s.title for s in store.search(WS).signals] == ["Nouvelle boutique à Nantes"]


async def test_rss_429_raises_retry_later_with_the_seconds_of_retry_after(server: FeedServer):
    server.routes["/busy"] = Response(b"slow down", status=429, headers={"Retry-After": "120"})
    async with httpx.AsyncClient() as client:
        with pytest.raises(RetryLater) as caught:
            await _source(server.url("/busy")).poll(client, {})
    assert caught.value.seconds == 120.0


async def test_rss_retry_after_as_an_http_date_is_converted_to_seconds(server: FeedServer):
    later = datetime.now(UTC) + timedelta(seconds=600)
    server.routes["/busy"] = Response(
        b"", status=503, headers={"Retry-After": format_datetime(later, usegmt=True)}
    )
    async with httpx.AsyncClient() as client:
        with pytest.raises(RetryLater) as caught:
            await _source(server.url("/busy")).poll(client, {})
    assert 590 <= caught.value.seconds <= 600


async def test_rss_429_through_the_pipeline_is_recorded_and_keeps_the_cursor(
    server: FeedServer, store: SQLiteStore
):
    url = server.serve("/press.xml", "press.rss.xml", etag='"v1"')
    await _poll(store, url)
    cursor = store.cursor(WS, NAME)
    server.routes["/press.xml"] = Response(b"", status=429, headers={"Retry-After": "90"})
    errors: list[str] = []
    totals = await pipeline.run([_source(url, on_error=errors.append)], store)
    assert totals.errors == {f"{WS}/{NAME}": "RetryLater: server asked to retry in 90s"}
    assert errors == [f"{url}: server asked to retry in 90s"]
    [state] = store.sources(WS)
    assert state.last_error == "RetryLater: server asked to retry in 90s"
    assert state.cursor == cursor
    assert store.count(WS) == 2


async def test_rss_poison_entries_in_a_served_feed_do_not_stop_the_source(
    server: FeedServer, store: SQLiteStore
):
    url = server.serve("/poison.xml", "poison.rss.xml")
    totals = await _poll(store, url)
    assert (totals.read, totals.stored, totals.dead_letters, totals.errors) == (3, 2, 1, {})
    recall = store.get(WS, signal_id(WS, NAME, "jdf-2026-0600"))
    assert recall is not None and recall.title is not None and "lot \ufffd de" in recall.title
    assert store.get(WS, signal_id(WS, NAME, "jdf-2026-0602")) is not None
    (letter,) = store.dead_letters(WS)
    assert letter.position == "entry:jdf-2026-0601"
    assert "url" in letter.reason and "IPv6" in letter.reason
