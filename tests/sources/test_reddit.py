"""Reddit listings served by a loopback server; the real httpx polling code runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pouls import config, pipeline
from pouls.signals import signal_id
from pouls.sources.reddit import RedditSource
from pouls.store.sqlite import SQLiteStore
from tests.loopback import Loopback, Reply, Request, json_reply, run_until

PAYLOADS = Path(__file__).parents[1] / "payloads" / "reddit"
WS, NAME, TOKEN = "acme", "reddit", "eyJhbGciOi-SECRET-bearer"
NEW = "/r/fournil/new.json"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


class FakeReddit:
    """Listings newest first, `limit` per page, `after` to page back; optional answers first."""

    def __init__(self, server: Loopback, page_size: int = 2) -> None:
        self.server, self.page_size = server, page_size
        self.posts: list[dict[str, Any]] = payload("new-posts.json")
        self.before: list[Reply] = []
        server.routes[f"GET {NEW}"] = self.new
        server.routes["GET /r/fournil/comments.json"] = lambda q: json_reply(
            payload("comments.json")
        )
        server.routes["GET /search.json"] = lambda q: json_reply(payload("search.json"))

    def new(self, request: Request) -> Reply:
        if self.before:
            return self.before.pop(0)
        names = [p["data"]["name"] for p in self.posts]
        after = request.arg("after")
        start = names.index(after) + 1 if after else 0
        size = min(self.page_size, int(request.arg("limit") or 25))
        page = self.posts[start : start + size]
        more = start + size < len(self.posts)
        listing = {
            "kind": "Listing",
            "data": {
                "after": names[start + size - 1] if more else None,
                "before": None,
                "dist": len(page),
                "children": page,
            },
        }
        headers = {
            "X-Ratelimit-Used": "3",
            "X-Ratelimit-Remaining": "97.0",
            "X-Ratelimit-Reset": "420",
        }
        return json_reply(listing, **headers)


@pytest.fixture
def reddit() -> Iterator[FakeReddit]:
    server = Loopback().start()
    yield FakeReddit(server)
    server.stop()


def source(fake: FakeReddit, errors: list[str] | None = None, **options: Any) -> RedditSource:
    values: dict[str, Any] = {"subreddits": ["r/fournil"], "interval": 0.05, "backoff": 0.01}
    values.update(options)
    return RedditSource(
        name=NAME,
        workspace=WS,
        user_agent="linux:pouls-test:0.1 (by /u/pouls_dev)",
        token=TOKEN,
        base_url=fake.server.url,
        on_error=errors.append if errors is not None else None,
        **values,
    )


def sid(fullname: str) -> str:
    return signal_id(WS, NAME, fullname)


def seen(store: SQLiteStore, key: str = "r/fournil/new") -> list[str]:
    return json.loads(store.cursor(WS, NAME) or "{}").get(key, [])


async def test_reddit_first_poll_reads_posts_comments_and_search(
    reddit: FakeReddit, store: SQLiteStore
):
    src = source(reddit, comments=True, searches=["fournil lyon"])
    totals = await run_until([src], store, lambda: store.count(WS) == 4)
    # The first poll reads only the newest page (2 things here), a broken post among them.
    assert {s.native_id for s in store.search(WS).signals} == {
        "t3_1fq0a04",
        "t1_lq0c001",
        "t1_lq0c002",
        "t3_1fq0z99",
    }
    [dead] = store.dead_letters(WS)
    assert "created_utc" in dead.reason and dead.position == "thing:t3_1fq0a03"
    photo = store.get(WS, sid("t3_1fq0a04"))
    assert photo is not None
    assert (photo.channel, photo.kind, photo.title) == (
        "reddit",
        "post",
        "Photos de la fournée du matin",
    )
    assert photo.text == "https://i.example.org/fournee.jpg"  # a link post: its link
    assert (
        photo.url
        == "https://www.reddit.com/r/fournil/comments/1fq0a04/photos_de_la_fournée_du_matin/"
    )
    assert photo.author_handle == "u/boulange_fan" and photo.metrics is not None
    assert (photo.metrics.likes, photo.metrics.replies) == (88, 4)
    assert photo.created_at == datetime.fromtimestamp(1791273600, tz=UTC)
    top = store.get(WS, sid("t1_lq0c001"))
    answer = store.get(WS, sid("t1_lq0c002"))
    assert top is not None and answer is not None
    assert (top.kind, top.parent_id, top.conversation_id) == ("comment", "t3_1fq0a01", "t3_1fq0a01")
    assert (answer.kind, answer.parent_id) == ("reply", "t1_lq0c001")
    assert store.get(WS, sid("t3_1fq0z99")) is not None
    first = reddit.server.received("GET", NEW)[0]
    assert first.headers["User-Agent"] == "linux:pouls-test:0.1 (by /u/pouls_dev)"
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert totals.errors == {}
    assert seen(store) == ["t3_1fq0a03", "t3_1fq0a04"]


async def test_reddit_resumes_pages_back_to_what_it_saw_and_dead_letters_a_broken_post(
    reddit: FakeReddit, store: SQLiteStore
):
    reddit.posts = reddit.posts[2:]  # at first only the two oldest posts exist
    await run_until([source(reddit)], store, lambda: len(seen(store)) == 2)
    reddit.posts = payload("new-posts-later.json") + payload("new-posts.json")
    totals = await run_until([source(reddit)], store, lambda: len(seen(store)) == 5)
    afters = [r.arg("after") for r in reddit.server.received("GET", NEW)]
    assert "t3_1fq0a04" in afters  # it paged back with `after`, down to a known fullname
    assert store.count(WS) == 4 and totals.stored == 2 and totals.duplicates == 0
    [dead] = store.dead_letters(WS)
    assert "created_utc" in dead.reason and dead.position == "thing:t3_1fq0a03"
    assert seen(store)[-1] == "t3_1fq0a05"  # newest last


async def test_reddit_waits_out_a_429_and_a_broken_page_without_leaking_the_token(
    reddit: FakeReddit, store: SQLiteStore
):
    reddit.before += [
        Reply(429, b'{"message": "Too Many Requests", "error": 429}', {"Retry-After": "0"}),
        Reply(0),  # a dropped connection
        Reply(
            200,
            b"<html>Our CDN was unable to reach our servers</html>",
            {"Content-Type": "text/html"},
        ),
    ]
    reddit.posts = reddit.posts[2:]
    errors: list[str] = []
    await run_until([source(reddit, errors)], store, lambda: store.count(WS) == 2)
    assert any("retry in 0s" in e for e in errors)
    assert any("unreadable listing" in e for e in errors)
    [dead] = store.dead_letters(WS)
    assert "not a Reddit listing" in dead.reason and "CDN" in dead.raw
    assert all(TOKEN not in e for e in errors)


def test_reddit_source_is_built_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "pouls.toml").write_text(
        '[[sources]]\ntype = "reddit"\nname = "reddit"\nworkspace = "default"\n'
        'subreddits = ["fournil"]\nuser_agent = "linux:pouls:0.1 (by /u/me)"\ntoken_env = "RD"\n'
    )
    monkeypatch.setenv("RD", TOKEN)
    [src] = pipeline.sources_from(config.load(tmp_path))
    assert isinstance(src, RedditSource) and src.token == TOKEN
    assert src.base == "https://oauth.reddit.com"


async def test_reddit_failures_reach_the_store_through_sources_from(
    tmp_path: Path, reddit: FakeReddit, store: SQLiteStore
):
    (tmp_path / "pouls.toml").write_text(
        f'[[workspaces]]\nid = "acme"\n\n[[sources]]\ntype = "reddit"\nname = "reddit"\n'
        f'workspace = "acme"\nsubreddits = ["fournil"]\nuser_agent = "test"\n'
        f'base_url = "{reddit.server.url}"\ninterval = 1\nbackoff = 0.01\n'
    )
    reddit.before.append(Reply(429, b"{}", {"Retry-After": "0"}))
    [src] = pipeline.sources_from(config.load(tmp_path), on_error=store.record_error)
    await run_until([src], store, lambda: store.count(WS) == 1)
    [state] = store.sources(WS)
    assert "retry in 0s" in (state.last_error or "")


async def test_reddit_poison_things_in_a_served_listing_are_dead_letters_neighbours_stored(
    reddit: FakeReddit, store: SQLiteStore
):
    comment = payload("comments.json")["data"]["children"][0]
    comment["data"]["parent_id"] = {"t1": 1}  # a dict where a fullname is expected
    reddit.posts[0]["data"]["created_utc"] = 1e30  # past year 9999: OverflowError once
    reddit.posts.insert(1, comment)
    reddit.page_size = 100
    src = source(reddit)
    totals = await run_until([src], store, lambda: len(store.dead_letters(WS)) == 3)
    assert totals.errors == {}
    assert {s.native_id for s in store.search(WS).signals} == {"t3_1fq0a02", "t3_1fq0a01"}
    reasons = {d.position: d.reason for d in store.dead_letters(WS)}
    assert "OverflowError" in reasons["thing:t3_1fq0a04"]
    assert "AttributeError" in reasons["thing:t1_lq0c002"]
