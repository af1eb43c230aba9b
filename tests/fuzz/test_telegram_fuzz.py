"""The Telegram webhook fuzzed (issue 11, item 1): recorded updates with poisoned values, sent
with the webhook's secret token. Never a 5xx, and every update that carries a message is
stored under its chat and message ids or kept as a dead letter."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from pouls.signals import inputs, signal_id
from pouls.sources.telegram import UPDATES
from pouls.store.sqlite import SQLiteStore
from tests.fuzz.poison import FUZZ, poisoned
from tests.fuzz.routes import WS, dead_count, dumps, post_telegram

PAYLOADS = Path(__file__).parents[1] / "payloads" / "telegram"
RECORDED = [
    *json.loads((PAYLOADS / "getUpdates.json").read_text(encoding="utf-8"))["result"],
    *json.loads((PAYLOADS / "getUpdates-later.json").read_text(encoding="utf-8"))["result"],
]
_numbers = itertools.count(10_000_000)
_sent: set[bytes] = set()


def expected_id(update: dict[str, Any]) -> str | None:
    """The signal id of the update's message, where its chat and message ids can be read."""
    message = next((update[k] for k in UPDATES if k in update), None)
    chat = message.get("chat") if isinstance(message, dict) else None
    if not isinstance(chat, dict) or not isinstance(message, dict):
        return None
    try:
        chat_id = inputs.identifier(chat.get("id"), "chat.id")
        message_id = inputs.identifier(message.get("message_id"), "message_id")
    except ValueError:
        return None
    return signal_id(WS, "bot", f"{chat_id}:{message_id}")


@FUZZ
@given(update=st.sampled_from(RECORDED).flatmap(poisoned))
def test_every_fuzzed_telegram_update_with_a_message_is_stored_or_a_dead_letter(
    pushed: tuple[TestClient, SQLiteStore], update: Any
) -> None:
    client, store = pushed
    if isinstance(update, dict):  # each delivery its own update and message, as Telegram does
        if isinstance(update.get("update_id"), int):
            update["update_id"] = next(_numbers)
        for message in (update[k] for k in UPDATES if k in update):
            if isinstance(message, dict) and isinstance(message.get("message_id"), int):
                message["message_id"] = next(_numbers)
    body = dumps(update)
    before = dead_count(store, "bot")
    answer = post_telegram(client, body)  # a server error raises here, with its cause
    assert answer.status_code == 200, answer.text
    if body in _sent:
        return  # the same delivery again: its dead letter is not kept twice
    _sent.add(body)
    dead = dead_count(store, "bot") - before
    if isinstance(update, dict) and not set(UPDATES) & set(update) and "update_id" in update:
        assert dead == 0  # a callback, a member change: no message, nothing to keep
        return
    found = expected_id(update) if isinstance(update, dict) else None
    stored = found is not None and store.get(WS, found) is not None
    assert dead == 1 or (dead == 0 and stored), (dead, stored)
