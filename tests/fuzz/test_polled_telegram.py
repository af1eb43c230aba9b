"""Telegram's getUpdates decoder (shared with the webhook) fuzzed with the recorded updates,
odd values inside. Every update must become a signal, a dead letter, or carry no message by
design; the store must take them, and the cursor must stay an offset Telegram accepts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pouls.signals import signal_id
from pouls.sources.telegram import UPDATES, read_updates
from pouls.store.sqlite import SQLiteStore
from tests.fuzz.poison import FUZZ, assert_accounted, assert_writable, dumps, poisoned

PAYLOADS = Path(__file__).parents[1] / "payloads" / "telegram"
WS, NAME = "acme", "bot"
RECORDED = [
    update
    for name in ("getUpdates.json", "getUpdates-later.json")
    for update in json.loads((PAYLOADS / name).read_text())["result"]
]


def without_message(update: Any) -> bool:
    """An update of a kind that carries no message (callbacks, member changes): no signal."""
    return (
        isinstance(update, dict) and "update_id" in update and not any(k in update for k in UPDATES)
    )


@FUZZ
@given(updates=st.lists(st.sampled_from(RECORDED).flatmap(poisoned), min_size=1, max_size=6))
def test_every_fuzzed_telegram_update_is_stored_or_a_dead_letter(
    store: SQLiteStore, updates: list[Any]
) -> None:
    sent = json.loads(dumps(updates))  # as the answer's JSON decodes: NaN, 1e30 and all
    batch = read_updates(sent, WS, NAME)
    expected = sum(not without_message(u) for u in sent)
    assert_accounted(batch.signals, batch.dead_letters, expected, "update")
    assert batch.cursor is None or 0 < int(batch.cursor) < 2**63  # an offset Telegram takes
    assert_writable(store, batch.signals, batch.dead_letters)


def test_a_poison_telegram_update_is_a_dead_letter_and_its_neighbours_are_stored(
    store: SQLiteStore,
) -> None:
    updates = json.loads(json.dumps(RECORDED[:3]))
    updates[0]["message"]["date"] = 1e30  # OverflowError: the source stopped on it
    updates[1]["message"]["caption"] = {"a": 1}
    updates[1]["message"].pop("text", None)
    batch = read_updates(updates, WS, NAME)
    assert_accounted(batch.signals, batch.dead_letters, 3, "update")
    assert [d.position for d in batch.dead_letters] == [
        f"update:{updates[0]['update_id']}",
        f"update:{updates[1]['update_id']}",
    ]
    assert_writable(store, batch.signals, batch.dead_letters)
    third = updates[2].get("message") or updates[2].get("channel_post")
    native = f"{third['chat']['id']}:{third['message_id']}"
    assert store.get(WS, signal_id(WS, NAME, native)) is not None
    assert batch.cursor == str(updates[2]["update_id"] + 1)


def test_a_negative_update_id_never_becomes_the_offset() -> None:
    update = json.loads(json.dumps(RECORDED[0]))
    update["update_id"] = -5  # as an offset, -5 asks Telegram for the last five updates again
    batch = read_updates([update], WS, NAME)
    assert len(batch.signals) == 1 and batch.cursor is None
