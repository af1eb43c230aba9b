"""Bluesky against a local Jetstream (a real `websockets` server) and a loopback XRPC server."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse

from pouls.signals import signal_id
from pouls.sources.bluesky import BlueskySource
from pouls.store.sqlite import SQLiteStore
from tests.loopback import Loopback, Request, json_reply, run_until

PAYLOADS = Path(__file__).parents[1] / "payloads" / "bluesky"
WS, NAME, PASSWORD = "acme", "sky", "abcd-efgh-SECRET-ijkl"
T = 1791270000000000
CAMILLE, JO = "did:plc:camille4fournil2026xyz", "did:plc:jo7martin2026abcd"


def lines(name: str) -> list[str]:
    return (PAYLOADS / name).read_text().splitlines()


def time_us(line: str) -> int:
    return int(line.split('"time_us":')[1].split(",")[0].strip())


class FakeJetstream:
    """Replays its events from the requested cursor; each connection follows a script."""

    def __init__(self) -> None:
        self.events = lines("jetstream.jsonl")
        self.scripts: list[str] = []  # "silent", "drop" or (default) "hold"
        self.refuse = 0  # handshakes answered 429 first
        self.after_drop: list[str] = []  # events posted while a dropped client is away
        self.requests: list[dict[str, list[str]]] = []
        self.closing = asyncio.Event()
        self.server: Server | None = None

    def refuse_some(self, connection: ServerConnection, request: WsRequest) -> WsResponse | None:
        if self.refuse:
            self.refuse -= 1
            response = connection.respond(429, "slow down\n")
            response.headers["Retry-After"] = "0"
            return response
        return None

    async def handle(self, ws: ServerConnection) -> None:
        query = parse_qs(urlsplit(ws.request.path if ws.request else "").query)
        self.requests.append(query)
        script = self.scripts.pop(0) if self.scripts else "hold"
        if script != "silent":
            cursor = int(query["cursor"][0]) if "cursor" in query else 0
            for line in self.events:
                if time_us(line) >= cursor:
                    await ws.send(line)
        if script == "drop":
            ws.transport.abort()  # no close frame: the connection just dies
            self.events += self.after_drop
            return
        await self.closing.wait()

    @property
    def url(self) -> str:
        assert self.server is not None
        port = next(iter(self.server.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}/subscribe"

    def cursors(self) -> list[str | None]:
        return [q.get("cursor", [None])[0] for q in self.requests]


@pytest.fixture
async def jetstream() -> AsyncIterator[FakeJetstream]:
    fake = FakeJetstream()
    async with serve(fake.handle, "127.0.0.1", 0, process_request=fake.refuse_some) as server:
        fake.server = server
        yield fake
        fake.closing.set()


def source(fake: FakeJetstream, errors: list[str] | None = None, **options: Any) -> BlueskySource:
    values: dict[str, Any] = {"keywords": ["Fournil"], "backoff": 0.01, "heartbeat_timeout": 5}
    values.update(options)
    return BlueskySource(
        name=NAME,
        workspace=WS,
        jetstream_url=fake.url,
        on_error=errors.append if errors is not None else None,
        **values,
    )


def at(did: str, rkey: str) -> str:
    return signal_id(WS, NAME, f"at://{did}/app.bsky.feed.post/{rkey}")


def position(store: SQLiteStore, feed: str = "jetstream") -> Any:
    return json.loads(store.cursor(WS, NAME) or "{}").get(feed)


async def test_bluesky_jetstream_keeps_keyword_posts_and_dead_letters_broken_ones(
    jetstream: FakeJetstream, store: SQLiteStore
):
    totals = await run_until([source(jetstream)], store, lambda: position(store) == T + 8)
    assert (store.count(WS), totals.dead_letters) == (2, 2)
    post = store.get(WS, at(CAMILLE, "3m2fournil001"))
    assert post is not None
    assert post.text == "Le Fournil de la Croix-Rousse rouvre lundi 🥐 (dès 7 h)"  # the update
    assert post.url == f"https://bsky.app/profile/{CAMILLE}/post/3m2fournil001"
    assert (post.channel, post.kind, post.lang, post.author) == ("bluesky", "post", "fr", CAMILLE)
    reply = store.get(WS, at(JO, "3m2fournil003"))
    assert reply is not None and reply.kind == "reply"
    assert reply.parent_id == f"at://{CAMILLE}/app.bsky.feed.post/3m2fournil001"
    assert store.get(WS, at(JO, "3m2other00002")) is None  # no keyword: skipped
    reasons = sorted(d.reason for d in store.dead_letters(WS))
    assert reasons[0].startswith("not a readable post") and "createdAt" in reasons[0]
    assert reasons[1].startswith("unreadable Jetstream message")
    assert jetstream.requests[0]["wantedCollections"] == ["app.bsky.feed.post"]
    assert jetstream.cursors() == [None]


async def test_bluesky_resumes_from_its_time_us_and_stores_a_replay_once(
    jetstream: FakeJetstream, store: SQLiteStore
):
    await run_until([source(jetstream)], store, lambda: position(store) == T + 8)
    jetstream.events += lines("jetstream-later.jsonl")
    totals = await run_until([source(jetstream)], store, lambda: position(store) == T + 9)
    assert jetstream.cursors()[-1] == str(T + 8)  # the new instance asked from its cursor
    assert store.count(WS) == 3 and totals.stored == 1
    assert len(store.dead_letters(WS)) == 2  # the replayed broken post is recorded once


async def test_bluesky_reconnects_after_a_429_a_silent_stream_and_a_drop(
    jetstream: FakeJetstream, store: SQLiteStore
):
    jetstream.refuse = 1
    jetstream.scripts = ["silent", "drop"]
    jetstream.after_drop = lines("jetstream-later.jsonl")
    errors: list[str] = []
    src = source(jetstream, errors, heartbeat_timeout=0.3)
    await run_until([src], store, lambda: position(store) == T + 9)
    assert any("HTTP 429" in e for e in errors)
    assert any("no message for" in e for e in errors)
    assert jetstream.cursors() == [None, None, str(T + 8)]
    assert store.count(WS) == 3


# -- XRPC: searchPosts backfill and mentions, through atproto's client --------------------------


def jwt() -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"scope": "com.atproto.appPass", "sub": "did:plc:fournilbrand2026zz"}
    claims |= {"iat": 1791270000, "exp": 4102444800}
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(claims)}.c2lnbmF0dXJl"


@pytest.fixture
def xrpc() -> Iterator[Loopback]:
    server = Loopback().start()
    session = json.loads((PAYLOADS / "createSession.json").read_text())
    session["accessJwt"] = session["refreshJwt"] = jwt()
    pages = {
        None: json.loads((PAYLOADS / "searchPosts-page1.json").read_text()),
        "100": json.loads((PAYLOADS / "searchPosts-page2.json").read_text()),
    }
    throttled = [True]

    def search(request: Request) -> Any:
        if throttled.pop() if throttled else False:
            return json_reply({"error": "RateLimitExceeded"}, 429, **{"Retry-After": "0"})
        return json_reply(pages[request.arg("cursor")])

    notifications = json.loads((PAYLOADS / "listNotifications.json").read_text())
    server.routes["POST /xrpc/com.atproto.server.createSession"] = lambda q: json_reply(session)
    server.routes["GET /xrpc/app.bsky.feed.searchPosts"] = search
    server.routes["GET /xrpc/app.bsky.notification.listNotifications"] = lambda q: json_reply(
        notifications
    )
    yield server
    server.stop()


async def test_bluesky_backfills_by_search_and_collects_mentions_once(
    xrpc: Loopback, jetstream: FakeJetstream, store: SQLiteStore
):
    errors: list[str] = []
    src = source(
        jetstream,
        errors,
        firehose=False,
        backfill=True,
        mentions=True,
        handle="fournil.example.social",
        app_password=PASSWORD,
        api_base_url=xrpc.url,
    )
    await run_until(
        [src], store, lambda: position(store, "search") == "done" and store.count(WS) == 4
    )
    [login] = xrpc.received("POST", "/xrpc/com.atproto.server.createSession")
    assert login.json() == {"identifier": "fournil.example.social", "password": PASSWORD}
    searches = xrpc.received("GET", "/xrpc/app.bsky.feed.searchPosts")
    assert [(r.arg("q"), r.arg("sort"), r.arg("cursor")) for r in searches[-2:]] == [
        ("fournil", "latest", None),
        ("fournil", "latest", "100"),
    ]
    assert searches[-1].headers["Authorization"] == f"Bearer {jwt()}"
    priced = store.get(WS, at("did:plc:sam9lyon2026efgh", "3m1fournil050"))
    assert priced is not None and priced.author_handle == "@sam.example.org"
    assert priced.metrics is not None and (priced.metrics.likes, priced.metrics.replies) == (31, 12)
    mention = store.get(WS, at(JO, "3m2mention001"))
    assert mention is not None and mention.text == "@fournil.example.social my order #4411 is late"
    assert position(store, "mentions") == "2026-10-06T10:01:01.000Z"
    assert any("429" in e for e in errors) and all(PASSWORD not in e for e in errors)


def test_bluesky_source_is_built_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from pouls import config, pipeline

    (tmp_path / "pouls.toml").write_text(
        '[[sources]]\ntype = "bluesky"\nname = "sky"\nworkspace = "default"\n'
        'keywords = ["Fournil"]\nhandle = "fournil.example.social"\n'
        'app_password_env = "BSKY_APP_PASSWORD"\nmentions = true\n'
    )
    monkeypatch.setenv("BSKY_APP_PASSWORD", PASSWORD)
    [src] = pipeline.sources_from(config.load(tmp_path))
    assert isinstance(src, BlueskySource)
    assert (src.keywords, src.password, src.mentions) == (["fournil"], PASSWORD, True)


async def test_bluesky_poison_events_are_dead_letters_and_the_stream_reads_on(
    jetstream: FakeJetstream, store: SQLiteStore
):
    good = jetstream.events[0]
    poison = good.replace('"record": {', '"record": "x", "was": {')  # AttributeError once
    jetstream.events = [
        poison.replace(str(T + 1), str(T + 20)).replace("3m2fournil001", "3m2fournil0p1"),
        good.replace(str(T + 1), str(T + 21)),
    ]
    errors: list[str] = []
    src = source(jetstream, errors)
    totals = await run_until([src], store, lambda: position(store) == T + 21)
    assert totals.errors == {} and store.count(WS) == 1
    [dead] = store.dead_letters(WS)
    assert dead.position == f"time_us:{T + 20}" and "AttributeError" in dead.reason


async def test_bluesky_search_answer_with_one_poison_post_keeps_the_others(
    xrpc: Loopback, jetstream: FakeJetstream, store: SQLiteStore
):
    page = json.loads((PAYLOADS / "searchPosts-page1.json").read_text())
    page["posts"][0]["likeCount"] = {"a": 1}  # atproto's model refused the whole answer
    page["cursor"] = None
    xrpc.routes["GET /xrpc/app.bsky.feed.searchPosts"] = lambda q: json_reply(page)
    src = source(jetstream, firehose=False, backfill=True, api_base_url=xrpc.url)
    totals = await run_until([src], store, lambda: position(store, "search") == "done")
    assert totals.errors == {}
    assert store.count(WS) == len(page["posts"]) - 1
    [dead] = store.dead_letters(WS)
    assert dead.position == f"uri:{page['posts'][0]['uri']}" and "PostView" in dead.reason
