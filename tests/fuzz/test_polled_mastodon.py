"""Mastodon's decoders fuzzed with the recorded statuses, notifications, conversations and
streaming events, odd values inside. REST pages go through Mastodon.py's own casting first, as
they do live; every entry must become a signal or a dead letter, and the store must take them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from mastodon.return_types import Conversation, Notification, Status, try_cast_recurse

from pouls.signals import signal_id
from pouls.sources.mastodon import (
    MastodonSource,
    _conversation_status,
    _notification_status,
    _order,
    _position,
    _same,
)
from pouls.store.sqlite import SQLiteStore
from tests.fuzz.poison import FUZZ, assert_accounted, assert_writable, dumps, poisoned

PAYLOADS = Path(__file__).parents[1] / "payloads" / "mastodon"
WS, NAME = "acme", "masto"
# Mastodon.py's casting takes about 7 ms a status: fewer, shorter pages keep each run short.
REST = settings(FUZZ, max_examples=FUZZ.max_examples * 2 // 3)


def recorded(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


STATUSES = [*recorded("tag-fournil.json"), recorded("stream-update.json")]
NOTIFICATIONS = recorded("notifications-mention.json")
CONVERSATIONS = recorded("conversations.json")
EVENTS = ["update", "status.update", "delete", "notification"]


def source() -> MastodonSource:
    return MastodonSource(name=NAME, workspace=WS, api_base_url="http://127.0.0.1:9")


def skipped(item: Any) -> bool:
    """A notification that is not a mention carries no signal, by design."""
    return isinstance(item, dict) and "type" in item and item["type"] != "mention"


@REST
@given(page=st.lists(st.sampled_from(STATUSES).flatmap(poisoned), max_size=3))
def test_every_status_of_a_fuzzed_timeline_page_is_stored_or_a_dead_letter(
    store: SQLiteStore, page: list[Any]
) -> None:
    cast = try_cast_recurse(list[Status], page)  # what Mastodon.py hands over
    signals, dead = source().read(list(cast), _same)
    assert_accounted(signals, dead, len(page), "status")
    assert_writable(store, signals, dead)
    ids = [i for i in (_position(item, _same) for item in cast) if i is not None]
    max(ids or ["0"], key=_order)  # the page's new position, as the catch-up takes it


@REST
@given(page=st.lists(st.sampled_from(NOTIFICATIONS).flatmap(poisoned), max_size=3))
def test_every_fuzzed_notification_is_stored_skipped_by_type_or_a_dead_letter(
    store: SQLiteStore, page: list[Any]
) -> None:
    cast = list(try_cast_recurse(list[Notification], page))
    signals, dead = source().read(cast, _notification_status)
    assert_accounted(signals, dead, sum(not skipped(n) for n in cast), "notification")
    assert_writable(store, signals, dead)


@REST
@given(page=st.lists(st.sampled_from(CONVERSATIONS).flatmap(poisoned), max_size=3))
def test_every_fuzzed_conversation_is_stored_or_a_dead_letter(
    store: SQLiteStore, page: list[Any]
) -> None:
    cast = list(try_cast_recurse(list[Conversation], page))
    signals, dead = source().read(cast, _conversation_status)
    assert_accounted(signals, dead, len(page), "conversation")
    assert_writable(store, signals, dead)


@FUZZ
@given(
    event=st.sampled_from(EVENTS),
    data=st.one_of(
        st.sampled_from(STATUSES).flatmap(poisoned).map(dumps),
        st.sampled_from(["", "null", "[]", "{", "[" * 5000, '{"id": {"a": 1}}', '{"id": "²"}']),
        st.text(max_size=40),
    ),
    position=st.sampled_from([None, "113500000000000003", "²", "9" * 5000]),
)
def test_a_fuzzed_streaming_event_is_a_signal_a_dead_letter_or_no_signal(
    store: SQLiteStore, event: str, data: str, position: str | None
) -> None:
    step = source()._event(event, data, position)
    if event not in ("update", "status.update"):
        assert step is None  # deletions and notifications carry no signal
        return
    if step is not None:
        assert len(step.signals) + len(step.dead_letters) <= 1
        assert_accounted(step.signals, step.dead_letters, len(step.signals + step.dead_letters))
        assert_writable(store, step.signals, step.dead_letters)


def test_a_poison_status_is_a_dead_letter_and_its_neighbours_are_stored(
    store: SQLiteStore,
) -> None:
    page = [recorded("stream-update.json") for _ in range(3)]
    for n, status in enumerate(page):
        status["id"] = f"11350000000000001{n}"
    page[0]["language"] = {"fr": 1}  # a dict where a language code is expected
    page[1]["favourites_count"] = 99999999999999999999  # past what SQLite holds
    cast = list(try_cast_recurse(list[Status], page))
    signals, dead = source().read(cast, _same)
    assert_accounted(signals, dead, 3, "status")
    assert [d.position for d in dead] == [f"id:{page[0]['id']}", f"id:{page[1]['id']}"]
    assert "lang:" in dead[0].reason and "out of range" in dead[1].reason
    assert_writable(store, signals, dead)
    assert store.get(WS, signal_id(WS, NAME, page[2]["id"])) is not None


def test_a_streamed_status_id_that_is_not_a_decimal_number_does_not_escape() -> None:
    status = recorded("stream-update.json")
    status["id"] = "²"  # a digit to str.isdigit, not to int()
    step = source()._event("update", json.dumps(status), None)
    assert step is not None and len(step.signals) == 1 and step.position == "²"
    # Ordered before every number: taken as already read once the stream is past a number.
    assert source()._event("update", json.dumps(status), "113500000000000003") is None


def test_a_null_in_a_page_of_statuses_is_a_dead_letter_not_silence() -> None:
    signals, dead = source().read([None, recorded("stream-update.json")], _same)
    assert len(signals) == 1 and len(dead) == 1 and "null" in dead[0].reason
