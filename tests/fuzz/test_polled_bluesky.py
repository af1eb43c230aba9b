"""Bluesky's decoders fuzzed: Jetstream commit events and XRPC answers (searchPosts,
listNotifications) shaped like the recorded ones, odd values inside. Every post must become a
signal or a dead letter (or be skipped as not a post), and the store must take them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from atproto import models
from hypothesis import given
from hypothesis import strategies as st

from pouls.signals import signal_id
from pouls.sources.bluesky import POST, BlueskySource
from pouls.store.sqlite import SQLiteStore
from tests.fuzz.poison import FUZZ, assert_accounted, assert_writable, dumps, poisoned

PAYLOADS = Path(__file__).parents[1] / "payloads" / "bluesky"
WS, NAME = "acme", "sky"
LINES = [
    line
    for name in ("jetstream.jsonl", "jetstream-later.jsonl")
    for line in (PAYLOADS / name).read_text().splitlines()
]


def parsed(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None  # jetstream.jsonl holds one broken line on purpose


EVENTS = [e for e in map(parsed, LINES) if e is not None]
SEARCH = json.loads((PAYLOADS / "searchPosts-page1.json").read_text())
NOTIFICATIONS = json.loads((PAYLOADS / "listNotifications.json").read_text())


def source(*keywords: str) -> BlueskySource:
    return BlueskySource(name=NAME, workspace=WS, keywords=keywords)


def is_post(text: str) -> bool:
    """Whether a message claims to create or update a post: then it must not vanish."""
    try:
        event = json.loads(text)
        int(event["time_us"])
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
        return True  # unreadable: it must be a dead letter
    commit = event.get("commit")
    if event.get("kind") != "commit":
        return False
    if not isinstance(commit, dict):
        return True
    return commit.get("collection") == POST and commit.get("operation") in ("create", "update")


messages = st.one_of(
    st.sampled_from(EVENTS).flatmap(poisoned).map(dumps),
    st.sampled_from(LINES),
    st.sampled_from(['{"time_us": Infinity, "kind": "commit"}', '{"time_us": ²}', "[" * 5000]),
    st.text(max_size=40),
)


@FUZZ
@given(received=st.lists(messages, min_size=1, max_size=6))
def test_every_fuzzed_jetstream_post_is_stored_or_a_dead_letter(
    store: SQLiteStore, received: list[str]
) -> None:
    sky = source()
    results = [sky.read(text) for text in received]
    signals = [s for _, s, _ in results if s is not None]
    dead = [d for _, _, d in results if d is not None]
    assert_accounted(signals, dead, sum(is_post(t) for t in received), "post")
    assert all(s is None or d is None for _, s, d in results)
    assert_writable(store, signals, dead)


@FUZZ
@given(received=st.lists(messages, min_size=1, max_size=6))
def test_fuzzed_jetstream_messages_filtered_by_keyword_never_escape(
    store: SQLiteStore, received: list[str]
) -> None:
    sky = source("fournil", "\ud800")
    results = [sky.read(text) for text in received]
    signals = [s for _, s, _ in results if s is not None]
    dead = [d for _, _, d in results if d is not None]
    assert len(signals) + len(dead) <= sum(is_post(t) for t in received)
    assert_writable(store, signals, dead)


def read_answer(answer: Any, key: str, model: type[Any]) -> tuple[list, list, int]:
    """An XRPC answer as the live code reads it: entries alone, then posts as signals."""
    sky = source()
    found, unread, _ = sky.views(answer, key, model)
    wanted = [v for v in found if key == "posts" or v.reason in ("mention", "reply", "quote")]
    signals, dead = sky._views(wanted)
    return signals, unread + dead, len(wanted) + len(unread)


@FUZZ
@given(answer=poisoned(SEARCH, most=6))
def test_every_post_of_a_fuzzed_search_answer_is_stored_or_a_dead_letter(
    store: SQLiteStore, answer: Any
) -> None:
    signals, dead, expected = read_answer(answer, "posts", models.AppBskyFeedDefs.PostView)
    assert_accounted(signals, dead, expected, "post")
    assert_writable(store, signals, dead)


@FUZZ
@given(answer=poisoned(NOTIFICATIONS, most=6))
def test_every_mention_of_a_fuzzed_notifications_answer_is_stored_or_a_dead_letter(
    store: SQLiteStore, answer: Any
) -> None:
    model = models.AppBskyNotificationListNotifications.Notification
    signals, dead, expected = read_answer(answer, "notifications", model)
    assert_accounted(signals, dead, expected, "notification")
    assert_writable(store, signals, dead)


def test_a_poison_post_in_a_search_answer_is_a_dead_letter_and_its_neighbour_stored(
    store: SQLiteStore,
) -> None:
    answer = json.loads(json.dumps(SEARCH))
    answer["posts"][0]["likeCount"] = {"a": 1}  # atproto refused the whole answer for this
    signals, dead, expected = read_answer(answer, "posts", models.AppBskyFeedDefs.PostView)
    assert_accounted(signals, dead, expected, "post")
    assert [d.position for d in dead] == [f"uri:{answer['posts'][0]['uri']}"]
    assert_writable(store, signals, dead)
    uri = answer["posts"][1]["uri"]
    assert store.get(WS, signal_id(WS, NAME, uri)) is not None


def test_jetstream_messages_that_stopped_the_stream_are_dead_letters() -> None:
    sky = source()
    good = next(line for line in LINES if "3m2fournil001" in line)
    for text in (
        '{"time_us": Infinity, "kind": "commit"}',  # OverflowError from int()
        '{"did": "d", "time_us": 5, "kind": "commit", "commit": "x"}',  # a str for the commit
        good.replace('"record": {', '"record": "x", "was": {'),  # a str for the record
        good.replace('"createdAt": "2026-10-06T07:00:00.000Z"', '"createdAt": {"a": 1}'),
    ):
        _, signal, letter = sky.read(text)
        assert signal is None and letter is not None and letter.position, text
    assert sky.read(good)[1] is not None
    assert source("fournil").read('{"time_us": ², "x": "Fournil"}')[2] is not None
    assert source("absent").read('{"time_us": ², "x": "other"}') == (None, None, None)
