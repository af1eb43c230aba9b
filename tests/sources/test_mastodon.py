"""Mastodon against a loopback server: Mastodon.py's REST calls and our SSE client run unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pouls.signals import signal_id
from pouls.sources.mastodon import MastodonSource
from pouls.store.sqlite import SQLiteStore
from tests.loopback import Loopback, Reply, Request, json_reply, run_until

PAYLOADS = Path(__file__).parents[1] / "payloads" / "mastodon"
WS, NAME, TOKEN = "acme", "masto", "tok-SECRET-9f8e7d"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def page(items: list[dict[str, Any]], request: Request, key: Any = None) -> list[dict[str, Any]]:
    """Mastodon's paging: newest first; `min_id` gives the page right after it."""
    key = key or (lambda item: int(item["id"]))
    ordered = sorted(items, key=key)
    limit = int(request.arg("limit") or 20)
    if request.arg("min_id"):
        after = [i for i in ordered if key(i) > int(request.arg("min_id") or 0)]
        return list(reversed(after[:limit]))
    return list(reversed(ordered[-limit:]))


class FakeMastodon:
    """The REST and streaming endpoints a MastodonSource uses, over recorded payloads."""

    def __init__(self, server: Loopback) -> None:
        self.server = server
        self.timeline: list[dict[str, Any]] = payload("tag-fournil.json")
        self.streams: list[Any] = []  # one body per connection; then silent, held streams
        self.notifications: list[dict[str, Any]] = []
        self.conversations: list[dict[str, Any]] = []
        self.throttle: list[Reply] = []  # replies served before the timeline's own
        r = server.routes
        r["GET /api/v2/instance"] = lambda q: json_reply(payload("instance-v2.json"))
        r["GET /api/v1/timelines/tag/fournil"] = self.tag
        r["GET /api/v1/streaming/hashtag"] = self.stream
        r["GET /api/v1/notifications"] = lambda q: json_reply(page(self.notifications, q))
        # Mastodon.py asks for /api/v1/conversations/ (Rails ignores the trailing slash).
        r["GET /api/v1/conversations/"] = lambda q: json_reply(
            page(self.conversations, q, key=lambda c: int(c["last_status"]["id"]))
        )

    def tag(self, request: Request) -> Reply:
        if self.throttle:
            return self.throttle.pop(0)
        return json_reply(page(self.timeline, request))

    def stream(self, request: Request) -> Reply:
        body = self.streams.pop(0) if self.streams else self.server.hold()
        if isinstance(body, Reply):
            return body
        return Reply(200, body, {"Content-Type": "text/event-stream"})

    def connections(self) -> int:
        return len(self.server.received("GET", "/api/v1/streaming/hashtag"))


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    server = Loopback().start()
    yield FakeMastodon(server)
    server.stop()


def source(fake: FakeMastodon, errors: list[str] | None = None, **options: Any) -> MastodonSource:
    values: dict[str, Any] = {"hashtags": ["#fournil"], "heartbeat_timeout": 5.0, "backoff": 0.01}
    values.update(options)
    return MastodonSource(
        name=NAME,
        workspace=WS,
        api_base_url=fake.server.url,
        access_token=TOKEN,
        on_error=errors.append if errors is not None else None,
        **values,
    )


def sid(native: str) -> str:
    return signal_id(WS, NAME, native)


def first_stream(fake: FakeMastodon) -> Iterator[bytes]:
    yield b":)\n\n"
    yield b":thump\n\n"
    yield sse("update", payload("stream-update.json"))
    yield sse("status.update", payload("stream-status-update.json"))
    yield from fake.server.hold()


def edited(store: SQLiteStore) -> bool:
    s = store.get(WS, sid("113500000000000002"))
    return s is not None and "45 minutes" in s.text


async def test_mastodon_first_sync_catches_up_then_streams_and_applies_edits(
    mastodon: FakeMastodon, store: SQLiteStore
):
    mastodon.streams.append(first_stream(mastodon))
    totals = await run_until(
        [source(mastodon)], store, lambda: store.count(WS) == 4 and edited(store)
    )
    assert totals.errors == {} and totals.dead_letters == 0
    post = store.get(WS, sid("113500000000000001"))
    assert post is not None
    assert post.text == "Le nouveau pain au levain de #Fournil est incroyable !"
    assert (post.channel, post.kind, post.visibility, post.lang) == (
        "mastodon",
        "post",
        "public",
        "fr",
    )
    assert post.url == "https://pouet.example.social/@camille/113500000000000001"
    assert post.created_at == datetime(2026, 10, 6, 7, 12, 3, tzinfo=UTC)
    assert post.metrics is not None and (post.metrics.likes, post.metrics.shares) == (14, 3)
    assert (post.metrics.replies, post.metrics.followers) == (1, 812)
    reply = store.get(WS, sid("113500000000000002"))
    assert reply is not None and reply.kind == "reply"
    assert reply.parent_id == "113500000000000001"
    assert reply.text == "@camille agreed, but the queue at the Lyon shop was 45 minutes long."
    boosted = store.get(WS, sid("113499999999999990"))  # a boost is stored as the boosted status
    assert boosted is not None and boosted.text.startswith("Grève des livreurs")
    streamed = store.get(WS, sid("113500000000000004"))
    assert streamed is not None and streamed.title == "question pratique"
    assert (
        streamed.text == "Quelqu'un sait si le #Fournil de Villeurbanne ouvre dimanche ?\nMerci !"
    )
    assert json.loads(store.cursor(WS, NAME) or "") == {"tag:fournil": "113500000000000004"}
    [rest] = mastodon.server.received("GET", "/api/v1/timelines/tag/fournil")
    [stream] = mastodon.server.received("GET", "/api/v1/streaming/hashtag")
    assert stream.arg("tag") == "fournil" and rest.arg("min_id") is None
    assert rest.headers["Authorization"] == stream.headers["Authorization"] == f"Bearer {TOKEN}"


def test_mastodon_handles_are_qualified_with_the_instance(mastodon: FakeMastodon):
    src = source(mastodon)
    [local, remote] = [src.signal(s, datetime.now(UTC)) for s in payload("tag-fournil.json")[1:]]
    assert (local.author_handle, remote.author_handle) == (
        "@jo@toots.example.net",
        "@camille@127.0.0.1",  # a local account's acct has no domain: the instance's is added
    )
    assert remote.author_name == "Camille Roux 🥖"


async def test_mastodon_resumes_from_its_saved_id_and_stores_duplicates_once(
    mastodon: FakeMastodon, store: SQLiteStore
):
    mastodon.streams.append(first_stream(mastodon))
    await run_until([source(mastodon)], store, lambda: store.count(WS) == 4 and edited(store))
    # Restart: a new instance; meanwhile s4 and s5 are on the REST timeline, and the stream
    # delivers s4 a second time.
    mastodon.timeline += [payload("stream-update.json"), payload("stream-update-later.json")]

    def again() -> Iterator[bytes]:
        yield sse("update", payload("stream-update.json"))
        yield sse("update", payload("stream-update-later.json"))
        yield from mastodon.server.hold()

    mastodon.streams.append(again())
    totals = await run_until([source(mastodon)], store, lambda: store.count(WS) == 5)
    assert totals.stored == 1 and store.count(WS) == 5
    resumed = mastodon.server.received("GET", "/api/v1/timelines/tag/fournil")[1]
    assert resumed.arg("min_id") == "113500000000000004"
    assert json.loads(store.cursor(WS, NAME) or "")["tag:fournil"] == "113500000000000005"


async def test_mastodon_waits_out_a_429_and_never_reports_the_token(
    mastodon: FakeMastodon, store: SQLiteStore
):
    reset = (datetime.now(UTC) + timedelta(milliseconds=200)).isoformat()
    mastodon.throttle.append(
        json_reply(
            {"error": "Too many requests"},
            429,
            **{
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset,
            },
        )
    )
    mastodon.streams.append(Reply(429, b"", {"Retry-After": "0"}))
    errors: list[str] = []
    await run_until([source(mastodon, errors)], store, lambda: store.count(WS) == 3)
    assert any("429" in e for e in errors)
    assert all(TOKEN not in e for e in errors)
    assert len(mastodon.server.received("GET", "/api/v1/timelines/tag/fournil")) >= 2


async def test_mastodon_reconnects_after_a_drop_and_a_silent_stream(
    mastodon: FakeMastodon, store: SQLiteStore
):
    def dropped() -> Iterator[bytes]:
        yield sse("update", payload("stream-update.json"))
        # s5 is posted while the connection is down: the catch-up must find it.
        mastodon.timeline += [payload("stream-update.json"), payload("stream-update-later.json")]

    mastodon.streams += [mastodon.server.hold(), dropped()]  # silent first, then dropped
    errors: list[str] = []
    src = source(mastodon, errors, heartbeat_timeout=0.3)
    await run_until([src], store, lambda: store.count(WS) == 5)
    assert any("closed by the server" in e for e in errors)
    assert any("no heartbeat" in e for e in errors)
    assert mastodon.connections() == 2  # the gap was filled over REST in between


async def test_mastodon_mentions_and_direct_conversations_with_a_broken_notification(
    mastodon: FakeMastodon, store: SQLiteStore
):
    mastodon.notifications = payload("notifications-mention.json")
    mastodon.conversations = payload("conversations.json")
    src = source(mastodon, hashtags=[], mentions=True, conversations=True)
    totals = await run_until(
        [src], store, lambda: store.count(WS) == 3 and len(store.dead_letters(WS)) == 1
    )
    assert totals.dead_letters == 1
    [dead] = store.dead_letters(WS)
    assert "not a Mastodon status" in dead.reason and "sans compte" in dead.raw
    public = store.get(WS, sid("113500000000000010"))
    dm = store.get(WS, sid("113500000000000011"))
    conversation = store.get(WS, sid("113500000000000020"))
    assert public is not None and (public.kind, public.visibility) == ("post", "public")
    assert dm is not None and (dm.kind, dm.visibility) == ("message", "private")
    assert conversation is not None and conversation.kind == "message"
    assert conversation.text == "@fournil Est-ce que vous livrez à Écully ?"
    [asked] = mastodon.server.received("GET", "/api/v1/notifications")[:1]
    assert asked.query["types[]"] == ["mention"]
    cursor = json.loads(store.cursor(WS, NAME) or "")
    assert cursor == {"conversations": "113500000000000020", "mentions": "40003"}


def test_mastodon_source_is_built_from_settings_with_the_token_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from pouls import config, pipeline

    (tmp_path / "pouls.toml").write_text(
        '[[sources]]\ntype = "mastodon"\nname = "masto"\nworkspace = "default"\n'
        'api_base_url = "https://pouet.example.social"\naccess_token_env = "MASTO_TOKEN"\n'
        'hashtags = ["#fournil"]\nmentions = true\n'
    )
    monkeypatch.setenv("MASTO_TOKEN", TOKEN)
    [src] = pipeline.sources_from(config.load(tmp_path))
    assert isinstance(src, MastodonSource)
    assert (src.token, src.hashtags, src.mentions) == (TOKEN, ["fournil"], True)


async def test_mastodon_poison_statuses_in_a_served_page_are_dead_letters_neighbours_stored(
    mastodon: FakeMastodon, store: SQLiteStore
):
    mastodon.timeline[1]["language"] = {"fr": 1}  # a dict where a language code is expected
    mastodon.timeline[2]["account"]["followers_count"] = 99999999999999999999  # past SQLite's
    mastodon.timeline[0]["reblog"]["content"] = "<p>Grève \ud800</p>"  # a lone surrogate
    src = source(mastodon, streaming=False, interval=30)
    totals = await run_until(
        [src], store, lambda: store.count(WS) == 1 and len(store.dead_letters(WS)) == 2
    )
    assert totals.errors == {}
    reasons = {d.position: d.reason for d in store.dead_letters(WS)}
    assert "lang:" in reasons["id:113500000000000002"]
    assert "metrics.followers" in reasons["id:113500000000000001"]
    boosted = store.get(WS, sid("113499999999999990"))
    assert boosted is not None and boosted.text == "Grève \ufffd"
    cursor = json.loads(store.cursor(WS, NAME) or "")
    assert cursor == {"tag:fournil": "113500000000000003"}  # past the poison: not read again


async def test_mastodon_page_that_is_not_json_is_asked_again(
    mastodon: FakeMastodon, store: SQLiteStore
):
    page = Reply(200, b"<html>502 Bad Gateway</html>", {"Content-Type": "text/html"})
    mastodon.throttle.append(page)  # Mastodon.py raised, which stopped the source
    errors: list[str] = []
    src = source(mastodon, errors, streaming=False, interval=30)
    totals = await run_until([src], store, lambda: store.count(WS) == 3)
    assert totals.errors == {} and totals.dead_letters == 0
    assert any("an answer that is not JSON" in e for e in errors)
