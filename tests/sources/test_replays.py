"""A replayed old delivery never overwrites newer content (issue 11, item 7): v1, v2, then v1
again leaves v2, through the real routes; a replay of the same version changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pouls.signals import signal_id
from pouls.sources.mastodon import MastodonSource
from pouls.store.sqlite import SQLiteStore
from tests.fuzz.routes import WS, dumps, post_hook, post_meta, post_telegram, serving

PAYLOADS = Path(__file__).parents[1] / "payloads"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, SQLiteStore]]:
    with serving(tmp_path) as found:
        yield found


def text_of(store: SQLiteStore, source: str, native: str) -> str:
    stored = store.get(WS, signal_id(WS, source, native))
    assert stored is not None
    return stored.text


def test_webhook_replay_of_an_older_version_leaves_the_newer(app) -> None:
    client, store = app

    def version(text: str, minute: int) -> bytes:
        return dumps({"id": "p-1", "text": text, "updated_at": f"2026-10-02T10:{minute:02}:00Z"})

    for body in (version("v1", 1), version("v2", 2), version("v1", 1)):
        assert post_hook(client, body).status_code == 202
    assert text_of(store, "hook", "p-1") == "v2"
    assert [s.text for s in store.search(WS, "v1").signals] == []  # the index agrees


def test_webhook_mapped_edit_time_orders_versions_too(app) -> None:
    client, store = app

    def version(text: str, minute: int) -> bytes:
        item = {"id": "i-9", "body": text, "updated_at": f"2026-10-02T10:{minute:02}:00+02:00"}
        return dumps({"item": item})

    for body in (version("v1", 1), version("v2", 2), version("v1", 1)):
        assert post_hook(client, body, "mapped").status_code == 202
    assert text_of(store, "mapped", "i-9") == "v2"


def telegram_update(update_id: int, text: str, edit_date: int | None = None) -> bytes:
    update: dict[str, Any] = json.loads(
        (PAYLOADS / "telegram" / "getUpdates.json").read_text(encoding="utf-8")
    )["result"][0]
    update["update_id"] = update_id
    message = update.pop("message")
    message["text"] = text
    if edit_date is not None:
        message["edit_date"] = edit_date
    update["edited_message" if edit_date is not None else "message"] = message
    return dumps(update)


def test_telegram_original_redelivered_after_its_edit_leaves_the_edit(app) -> None:
    client, store = app
    original = telegram_update(1, "v1")
    for body in (original, telegram_update(2, "v2", edit_date=1791270100), original):
        assert post_telegram(client, body).status_code == 200
    assert text_of(store, "bot", "51234567:311") == "v2"


def test_telegram_older_edit_and_same_edit_again_change_nothing(app) -> None:
    client, store = app
    second = telegram_update(3, "v3", edit_date=1791270300)
    for body in (telegram_update(2, "v2", edit_date=1791270200), second):
        assert post_telegram(client, body).status_code == 200
    sid = signal_id(WS, "bot", "51234567:311")
    before = store.get(WS, sid)
    for body in (telegram_update(4, "v2", edit_date=1791270200), second):
        assert post_telegram(client, body).status_code == 200
    after = store.get(WS, sid)
    assert before is not None and after == before and after.text == "v3"


def test_instagram_comment_replayed_after_its_edit_leaves_the_edit(app) -> None:
    client, store = app
    payload = json.loads((PAYLOADS / "meta" / "instagram_comment.json").read_text("utf-8"))

    def version(text: str, time: int) -> bytes:
        payload["entry"][0]["time"] = time
        payload["entry"][0]["changes"][0]["value"]["text"] = text
        return dumps(payload)

    for body in (version("v1", 1791015300), version("v2", 1791015400), version("v1", 1791015300)):
        assert post_meta(client, body).status_code == 200
    assert text_of(store, "meta", "17865799348089039") == "v2"


def test_mastodon_edit_carries_its_edit_time_and_a_late_original_loses(tmp_path: Path) -> None:
    src = MastodonSource(name="masto", workspace=WS, api_base_url="https://pouet.example")
    edit = json.loads((PAYLOADS / "mastodon" / "stream-status-update.json").read_text("utf-8"))
    original = {**edit, "edited_at": None, "content": "<p>premier jet</p>"}
    now = datetime.now(UTC)
    edited, first = src.signal(edit, now), src.signal(original, now + timedelta(minutes=1))
    assert edited.edited_at == datetime(2026, 10, 6, 8, 5, tzinfo=UTC)
    store = SQLiteStore(tmp_path / "masto.db")
    try:
        store.put([edited])
        store.put([first])
        stored = store.get(WS, edited.id)
        assert stored is not None and stored.text == edited.text != first.text
    finally:
        store.close()
