"""Reddit's listing decoder fuzzed with the recorded listings, odd values inside.

A whole answer becomes Listing data or one dead letter; each thing of a listing becomes a signal
or a dead letter; the store takes them all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st

from pouls.signals import DeadLetter, signal_id
from pouls.sources.reddit import RedditSource
from pouls.store.sqlite import SQLiteStore
from tests.fuzz.poison import FUZZ, assert_accounted, assert_writable, dumps, poisoned

PAYLOADS = Path(__file__).parents[1] / "payloads" / "reddit"
WS, NAME, URL = "acme", "reddit", "http://127.0.0.1/r/fournil/new.json"


def recorded(name: str) -> dict[str, Any]:
    """A recorded answer; new-posts.json holds the things only, served in a Listing."""
    doc = json.loads((PAYLOADS / name).read_text())
    if isinstance(doc, list):
        return {"kind": "Listing", "data": {"after": None, "children": doc}}
    return doc  # type: ignore[no-any-return]


RECORDED = [recorded(n) for n in ("new-posts.json", "comments.json", "search.json")]
THINGS = [thing for answer in RECORDED for thing in answer["data"]["children"]]


def source() -> RedditSource:
    return RedditSource(name=NAME, workspace=WS, subreddits=["fournil"], user_agent="pouls tests")


def decode(body: str) -> tuple[list[Any], list[Any], int]:
    """An answer through the live code's steps: listing, things not seen, signals."""
    reddit = source()
    listing = reddit.listing(httpx.Response(200, text=body), URL)
    if isinstance(listing, DeadLetter):
        return [], [listing], 1
    found, unnamed, _ = reddit.children(listing, set())
    signals, dead = reddit.read(found)
    return signals, unnamed + dead, len(listing["children"])


@FUZZ
@given(answer=st.sampled_from(RECORDED).flatmap(poisoned))
def test_every_thing_of_a_fuzzed_reddit_listing_is_stored_or_a_dead_letter(
    store: SQLiteStore, answer: Any
) -> None:
    signals, dead, things = decode(dumps(answer))
    assert_accounted(signals, dead, things, "thing")
    assert_writable(store, signals, dead)


@FUZZ
@given(things=st.lists(st.sampled_from(THINGS).flatmap(poisoned), max_size=6))
def test_listings_of_poisoned_things_are_read_thing_by_thing(
    store: SQLiteStore, things: list[Any]
) -> None:
    body = dumps({"kind": "Listing", "data": {"after": None, "children": things}})
    signals, dead, count = decode(body)
    assert count == len(things)
    assert_accounted(signals, dead, count, "thing")
    assert_writable(store, signals, dead)


def poison_page() -> dict[str, Any]:
    """The recorded listing with its first post dated 1e30 and its second's parent a dict."""
    page, comments = recorded("new-posts.json"), recorded("comments.json")
    page["data"]["children"][0]["data"]["created_utc"] = 1e30
    comment = comments["data"]["children"][0]
    comment["data"]["parent_id"] = {"t1": 1}
    page["data"]["children"].insert(1, comment)
    return page


def test_a_reddit_thing_dated_1e30_or_with_a_dict_parent_is_a_dead_letter(
    store: SQLiteStore,
) -> None:
    page = poison_page()
    signals, dead, things = decode(json.dumps(page))
    assert_accounted(signals, dead, things, "thing")
    reasons = {d.position: d.reason for d in dead}
    assert "OverflowError" in reasons["thing:t3_1fq0a04"]  # 1e30 seconds: past year 9999
    assert "AttributeError" in reasons["thing:t1_lq0c002"]  # a dict for parent_id
    assert "created_utc" in reasons["thing:t3_1fq0a03"]  # recorded without it
    assert_writable(store, signals, dead)
    assert [s.native_id for s in signals] == ["t3_1fq0a01", "t3_1fq0a02"]
    assert store.get(WS, signal_id(WS, NAME, "t3_1fq0a01")) is not None
