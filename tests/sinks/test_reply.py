"""Replies delivered to loopback servers: the exact requests each platform documents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import msgspec
import pytest

from pouls.signals import Signal
from pouls.sinks import Sink
from pouls.sinks.reply import (
    BlueskyReplies,
    MastodonReplies,
    Reply,
    ReplySink,
    TelegramReplies,
    idempotency_key,
)
from tests.conftest import make_signal
from tests.loopback import Loopback, json_reply
from tests.loopback import Reply as Answer
from tests.sources.test_bluesky import jwt

PAYLOADS = Path(__file__).parents[1] / "payloads"
TG_TOKEN = "7000000001:AAH-fictional-SECRET-token"
MASTO_TOKEN = "tok-SECRET-9f8e7d"
BSKY_PASSWORD = "abcd-efgh-SECRET-ijkl"


def target(n: int, channel: str, native_id: str) -> Signal:
    """A stored signal of `channel` whose platform id is `native_id`."""
    return msgspec.structs.replace(make_signal(n, channel=channel), native_id=native_id)


def payload(path: str) -> Any:
    return json.loads((PAYLOADS / path).read_text())


@pytest.fixture
def server() -> Iterator[Loopback]:
    s = Loopback().start()
    yield s
    s.stop()


def telegram(server: Loopback) -> TelegramReplies:
    return TelegramReplies(token=TG_TOKEN, api_base_url=server.url, backoff=0.01)


async def test_telegram_reply_is_a_send_message_with_reply_parameters(server: Loopback):
    path = f"/bot{TG_TOKEN}/sendMessage"
    server.routes[f"POST {path}"] = lambda q: json_reply(payload("telegram/sendMessage.json"))
    signal = target(1, "telegram", "51234567:311")
    text = "Bonjour Camille, nous regardons votre commande tout de suite."
    result = await telegram(server).send(Reply(signal=signal, text=text))
    assert (result.status, result.id, result.attempts) == ("sent", "51234567:314", 1)
    [request] = server.received("POST", path)
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {
        "chat_id": 51234567,
        "text": text,
        "reply_parameters": {"message_id": 311, "allow_sending_without_reply": True},
    }


async def test_telegram_reply_waits_out_a_429_then_is_sent(server: Loopback):
    answers = [
        json_reply(payload("telegram/getUpdates-429.json"), 429),
        json_reply(payload("telegram/sendMessage.json")),
    ]
    server.routes[f"POST /bot{TG_TOKEN}/sendMessage"] = lambda q: answers.pop(0)
    signal = target(1, "telegram", "51234567:311")
    result = await telegram(server).send(Reply(signal=signal, text="Merci !"))
    assert (result.status, result.attempts) == ("sent", 2)


async def test_a_refused_reply_fails_at_once_and_a_down_server_after_the_attempts(
    server: Loopback,
):
    refusal = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    server.routes[f"POST /bot{TG_TOKEN}/sendMessage"] = lambda q: json_reply(refusal, 400)
    signal = target(1, "telegram", "-100:7")
    refused = await telegram(server).send(Reply(signal=signal, text="?"))
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert refused.error == "sendMessage refused: Bad Request: chat not found"
    server.routes[f"POST /bot{TG_TOKEN}/sendMessage"] = lambda q: Answer(0)  # connection drops
    down = await telegram(server).send(Reply(signal=signal, text="?"))
    assert (down.status, down.attempts) == ("failed", 4)
    assert down.error is not None and "gave up after 4 attempts" in down.error
    assert TG_TOKEN not in down.error


async def test_mastodon_reply_posts_a_status_in_reply_with_the_same_visibility(server: Loopback):
    [_, direct, _] = payload("mastodon/notifications-mention.json")
    original = direct["status"]
    server.routes["GET /api/v1/statuses/113500000000000011"] = lambda q: json_reply(original)
    server.routes["POST /api/v1/statuses"] = lambda q: json_reply(
        payload("mastodon/status-posted.json")
    )
    sink = MastodonReplies(api_base_url=server.url, access_token=MASTO_TOKEN, backoff=0.01)
    signal = target(2, "mastodon", "113500000000000011")
    action = Reply(signal=signal, text="Bien sûr, elles vous attendent samedi.")
    result = await sink.send(action)
    assert (result.status, result.id) == ("sent", "113500000000000099")
    [request] = server.received("POST", "/api/v1/statuses")
    assert request.headers["Authorization"] == f"Bearer {MASTO_TOKEN}"
    assert request.headers["Idempotency-Key"] == idempotency_key(action)
    form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
    assert form["status"] == "@camille Bien sûr, elles vous attendent samedi."
    assert form["in_reply_to_id"] == "113500000000000011"
    assert form["visibility"] == "direct"


async def test_bluesky_reply_creates_a_post_record_with_root_and_parent(server: Loopback):
    session = payload("bluesky/createSession.json")
    session["accessJwt"] = session["refreshJwt"] = jwt()
    server.routes["POST /xrpc/com.atproto.server.createSession"] = lambda q: json_reply(session)
    server.routes["GET /xrpc/app.bsky.feed.getPosts"] = lambda q: json_reply(
        payload("bluesky/getPosts.json")
    )
    server.routes["POST /xrpc/com.atproto.repo.createRecord"] = lambda q: json_reply(
        payload("bluesky/createRecord.json")
    )
    sink = BlueskyReplies(
        handle="fournil.example.social",
        app_password=BSKY_PASSWORD,
        api_base_url=server.url,
        backoff=0.01,
    )
    parent = "at://did:plc:jo7martin2026abcd/app.bsky.feed.post/3m2fournil003"
    signal = target(3, "bluesky", parent)
    result = await sink.send(Reply(signal=signal, text="Merci Jo, à très vite au Fournil !"))
    assert (result.status, result.id) == (
        "sent",
        "at://did:plc:fournilbrand2026zz/app.bsky.feed.post/3m2reply00001",
    )
    [lookup] = server.received("GET", "/xrpc/app.bsky.feed.getPosts")
    assert lookup.query["uris"] == [parent]
    [request] = server.received("POST", "/xrpc/com.atproto.repo.createRecord")
    assert request.headers["Authorization"] == f"Bearer {jwt()}"
    body = request.json()
    assert (body["repo"], body["collection"]) == (
        "did:plc:fournilbrand2026zz",
        "app.bsky.feed.post",
    )
    record = body["record"]
    assert record["$type"] == "app.bsky.feed.post"
    assert record["text"] == "Merci Jo, à très vite au Fournil !"
    assert record["createdAt"].endswith("Z")
    strong = "com.atproto.repo.strongRef"  # atproto writes the optional $type of each ref
    assert record["reply"] == {
        "$type": "app.bsky.feed.post#replyRef",
        "root": {
            "$type": strong,
            "uri": "at://did:plc:camille4fournil2026xyz/app.bsky.feed.post/3m2fournil001",
            "cid": "bafyreirootcid001",
        },
        "parent": {"$type": strong, "uri": parent, "cid": "bafyreiparentcid003"},
    }


async def test_reply_sink_routes_by_channel_and_fails_loudly_for_others(server: Loopback):
    server.routes[f"POST /bot{TG_TOKEN}/sendMessage"] = lambda q: json_reply(
        payload("telegram/sendMessage.json")
    )
    sinks: dict[str, Sink] = {"telegram": telegram(server)}
    router = ReplySink(sinks)
    sent = await router.send(Reply(signal=target(1, "telegram", "1:2"), text="ok"))
    other = await router.send(Reply(signal=make_signal(2, channel="rss"), text="?"))
    assert sent.status == "sent"
    assert (other.status, other.error) == ("failed", "no reply sink for channel 'rss'")
