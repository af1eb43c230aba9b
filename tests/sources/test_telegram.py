"""Telegram against a loopback Bot API server (long polling) and the app's webhook route."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from pouls import config
from pouls.signals import signal_id
from pouls.sources.telegram import TelegramSource
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.loopback import Loopback, Reply, Request, json_reply, run_until

PAYLOADS = Path(__file__).parents[1] / "payloads" / "telegram"
WS, NAME, TOKEN = "acme", "bot", "7000000001:AAH-fictional-SECRET-token"
METHOD = f"/bot{TOKEN}/getUpdates"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


class FakeBotApi:
    """getUpdates as Telegram serves it: updates from `offset` on; earlier ones are confirmed."""

    def __init__(self, server: Loopback) -> None:
        self.server = server
        self.updates: list[dict[str, Any]] = payload("getUpdates.json")["result"]
        self.before: list[Reply] = []  # answers served before the real ones (429, drops)
        self.ignore_offset_once = False  # a redelivery of what was confirmed
        server.routes[f"POST {METHOD}"] = self.get_updates

    def get_updates(self, request: Request) -> Reply:
        if self.before:
            return self.before.pop(0)
        offset = request.json().get("offset")
        if self.ignore_offset_once:
            self.ignore_offset_once, offset = False, None
        result = [u for u in self.updates if offset is None or u["update_id"] >= offset]
        if not result:
            self.server.closing.wait(0.05)  # a (short) long poll
        return json_reply({"ok": True, "result": result[:100]})

    def offsets(self) -> list[int | None]:
        return [r.json().get("offset") for r in self.server.received("POST", METHOD)]


@pytest.fixture
def bot() -> Iterator[FakeBotApi]:
    server = Loopback().start()
    yield FakeBotApi(server)
    server.stop()


def source(bot: FakeBotApi, errors: list[str] | None = None) -> TelegramSource:
    return TelegramSource(
        name=NAME,
        workspace=WS,
        token=TOKEN,
        api_base_url=bot.server.url,
        poll_timeout=1,
        backoff=0.01,
        on_error=errors.append if errors is not None else None,
    )


def sid(native: str) -> str:
    return signal_id(WS, NAME, native)


def synced(store: SQLiteStore) -> bool:
    return store.cursor(WS, NAME) == "870007"


async def test_telegram_first_sync_maps_private_group_and_channel_messages(
    bot: FakeBotApi, store: SQLiteStore
):
    totals = await run_until([source(bot)], store, lambda: synced(store))
    assert (store.count(WS), totals.dead_letters) == (3, 1)
    private = store.get(WS, sid("51234567:311"))
    assert private is not None
    assert private.text.endswith("pouvez-vous vérifier ?")  # the edit replaced the text
    assert (private.kind, private.visibility, private.conversation_id) == (
        "message",
        "private",
        "51234567",
    )
    assert (private.author_handle, private.author_name) == ("@camille_rx", "Camille Roux")
    assert private.created_at == datetime.fromtimestamp(1791270000, tz=UTC)
    group = store.get(WS, sid("-1001987654321:9021"))
    assert group is not None and group.parent_id == "-1001987654321:9019"
    assert group.url == "https://t.me/fournil_lyon/9021" and group.visibility == "public"
    post = store.get(WS, sid("-1001122334455:77"))
    assert post is not None and (post.kind, post.author_name) == ("post", "Équipe Fournil")
    assert post.text == "Nouvelle fournée de pains d'épices dès lundi !"  # the photo's caption
    [dead] = store.dead_letters(WS)
    assert "not a Telegram update" in dead.reason and dead.position == "update:870005"
    request = bot.server.received("POST", METHOD)[0].json()
    assert request["allowed_updates"] == [
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
    ]
    assert "offset" not in request and request["timeout"] == 1


async def test_telegram_resumes_at_its_offset_and_stores_a_redelivery_once(
    bot: FakeBotApi, store: SQLiteStore
):
    await run_until([source(bot)], store, lambda: synced(store))
    bot.server.settle()  # the first instance's last long poll is over
    bot.updates += payload("getUpdates-later.json")["result"]
    bot.ignore_offset_once = True  # the server sends everything again, the new one included
    before = len(bot.offsets())
    totals = await run_until([source(bot)], store, lambda: store.cursor(WS, NAME) == "870008")
    assert store.count(WS) == 4 and totals.stored == 1 and totals.duplicates >= 3
    assert len(store.dead_letters(WS)) == 1  # a replayed dead letter is recorded once
    assert bot.offsets()[before] == 870007  # the new instance started from the saved cursor
    assert bot.offsets()[-1] == 870008


async def test_telegram_waits_out_a_429_and_a_dropped_connection_without_leaking_the_token(
    bot: FakeBotApi, store: SQLiteStore
):
    bot.before += [json_reply(payload("getUpdates-429.json"), 429), Reply(0)]
    errors: list[str] = []
    await run_until([source(bot, errors)], store, lambda: synced(store))
    assert store.count(WS) == 3
    assert any("retry in 0s" in e for e in errors)
    assert any("RemoteProtocolError" in e or "ReadError" in e for e in errors)
    assert any("/bot***/getUpdates" in e for e in errors)  # the URL is there, the token is not
    assert all(TOKEN not in e for e in errors)


async def test_telegram_poll_reads_on_past_a_poison_answer_and_a_poison_update(
    bot: FakeBotApi, store: SQLiteStore
):
    bot.before.append(json_reply({"ok": True, "result": 5}))  # not a list: stopped the source
    bot.updates[0]["message"]["date"] = 1e30  # past year 9999: OverflowError once
    errors: list[str] = []
    totals = await run_until([source(bot, errors)], store, lambda: synced(store))
    assert totals.errors == {}
    assert any("result, not a list" in e for e in errors)
    assert store.get(WS, sid("-1001987654321:9021")) is not None  # the neighbours are stored
    positions = {d.position for d in store.dead_letters(WS)}
    assert positions == {"update:870001", "update:870005"}


def webhook_settings(tmp_path: Path) -> config.Settings:
    (tmp_path / "pouls.toml").write_text(
        '[[workspaces]]\nid = "acme"\nidentities = "named"\n\n'
        '[[sources]]\ntype = "telegram"\nname = "bot"\nworkspace = "acme"\nmode = "webhook"\n'
        'token_env = "TG_TOKEN"\nsecret_token_env = "TG_SECRET"\n'
    )
    return config.load(tmp_path)


async def test_telegram_webhook_stores_with_the_secret_and_rejects_a_forged_one(
    tmp_path: Path, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("TG_SECRET", "s3cr3t-webhook")
    app = create_app(webhook_settings(tmp_path), store)
    [first, second, *_] = payload("getUpdates.json")["result"]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pouls") as client:
        url = "/hooks/telegram/bot"
        forged = await client.post(
            url, json=first, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
        )
        missing = await client.post(url, json=first)
        assert (forged.status_code, missing.status_code) == (401, 401)
        assert store.count(WS) == 0 and store.dead_letters(WS) == []
        secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cr3t-webhook"}
        ok = await client.post(url, json=first, headers=secret)
        again = await client.post(url, json=first, headers=secret)  # Telegram retried
        reply = await client.post(url, json=second, headers=secret)
        broken = await client.post(url, content=b"{not json", headers=secret)
        unknown = await client.post("/hooks/telegram/other", json=first, headers=secret)
    assert [r.status_code for r in (ok, again, reply, broken)] == [200, 200, 200, 200]
    assert unknown.status_code == 404
    assert store.count(WS) == 2
    stored = store.get(WS, sid("51234567:311"))
    assert stored is not None and stored.author_handle == "@camille_rx"  # named workspace
    [dead] = store.dead_letters(WS)
    assert "not JSON" in dead.reason
    assert store.cursor(WS, NAME) == "870003"


def test_telegram_polling_source_is_built_from_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from pouls import pipeline

    (tmp_path / "pouls.toml").write_text(
        '[[sources]]\ntype = "telegram"\nname = "bot"\nworkspace = "default"\ntoken_env = "TG"\n'
    )
    monkeypatch.setenv("TG", TOKEN)
    [src] = pipeline.sources_from(config.load(tmp_path))
    assert isinstance(src, TelegramSource) and src.token == TOKEN
    assert pipeline.sources_from(webhook_settings(tmp_path)) == []  # webhook mode: the app's
