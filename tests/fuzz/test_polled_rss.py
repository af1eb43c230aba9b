"""RSS/Atom decoder fuzzed with feeds shaped like the recorded ones, odd values inside.

Every entry feedparser finds must become a signal or a dead letter, and the store must take them.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import given
from hypothesis import strategies as st

from pouls.sources.rss import parse_feed, read_feed
from pouls.store.sqlite import SQLiteStore
from tests.fuzz.poison import FUZZ, ODD_TEXTS, assert_accounted, assert_writable

PAYLOADS = Path(__file__).parents[1] / "payloads" / "rss"
WS, NAME, URL = "acme", "press", "http://127.0.0.1/feed.xml"

DATES = [
    "Mon, 05 Oct 2026 08:30:00 +0200",
    "Mon, 05 Oct 99999 08:30:00 +0200",
    "Sun, 31 Dec 9999 23:59:59 -1400",
    "Thu, 01 Jan 0001 00:00:00 +1400",
    "2026-13-45T99:99:99Z",
    "99999999999999999999",
    "1e30",
    "",
]
# Written into the XML as they are: character references a feed may hold, tags left open.
RAW = ["&#xD800;", "&#0;", "&#x110000;", "&#65533;", "<b>", "]]>", "&nbsp;", "&bogus;"]

value = st.one_of(
    st.sampled_from(ODD_TEXTS).map(lambda t: escape(t.encode("utf-8", "replace").decode())),
    st.sampled_from(RAW),
    st.text(max_size=30).map(escape),
    st.just("Maison Fournil ouvre une école"),
)
item = st.fixed_dictionaries(
    {},
    optional={
        "title": value,
        "description": value,
        "guid": st.one_of(value, st.sampled_from(["jdf-1", "jdf-2"])),
        "link": st.one_of(value, st.just("https://journal.example.org/a")),
        "pubDate": st.one_of(st.sampled_from(DATES), value),
        "author": value,
        "content:encoded": value,
    },
)


def rss(items: list[dict[str, str]], language: str = "fr-fr") -> bytes:
    """An RSS 2.0 document like press.rss.xml holding `items`."""
    body = "".join(
        "<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in i.items()) + "</item>" for i in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Le Journal</title><language>{language}</language>{body}"
        "</channel></rss>"
    ).encode()


def unseen(content: bytes) -> int:
    """How many entries of the feed have an id (or link, or title and summary) not met before."""
    entries = parse_feed(content, {}).entries
    keys = {
        e.get("id") or e.get("link") or (e.get("title", ""), e.get("summary", "")) for e in entries
    }
    return len(keys)


def read(content: bytes) -> tuple[list, list]:
    batch, _ = read_feed(content, {}, workspace=WS, source=NAME, url=URL)
    return batch.signals, batch.dead_letters


@FUZZ
@given(items=st.lists(item, max_size=6), language=value)
def test_every_entry_of_a_fuzzed_rss_feed_is_stored_or_a_dead_letter(
    store: SQLiteStore, items: list[dict[str, str]], language: str
) -> None:
    content = rss(items, language)
    signals, dead = read(content)
    parsed = parse_feed(content, {})
    broken = 1 if parsed.bozo and not parsed.entries else 0  # the whole feed as a dead letter
    assert_accounted(signals, dead, unseen(content) + broken)
    assert_writable(store, signals, dead)


@FUZZ
@given(data=st.binary(max_size=40), at=st.integers(0, 10_000))
def test_bytes_spliced_into_a_recorded_feed_never_escape_the_decoder(
    store: SQLiteStore, data: bytes, at: int
) -> None:
    recorded = (PAYLOADS / ("press.rss.xml" if at % 2 else "blog.atom.xml")).read_bytes()
    at %= len(recorded)
    content = recorded[:at] + data + recorded[at:]
    signals, dead = read(content)
    assert signals or dead  # a feed that breaks is a dead letter, not silence
    assert_writable(store, signals, dead)


def test_a_poison_rss_entry_is_a_dead_letter_and_its_neighbour_is_stored(
    store: SQLiteStore,
) -> None:
    content = rss(
        [
            {"guid": "bad", "title": "&#xD800; lone", "pubDate": "Sun, 31 Dec 9999 23:59:59 -1400"},
            {"guid": "empty", "link": "https://journal.example.org/empty"},
            {"guid": "good", "title": "Nouvelle boutique à Nantes"},
        ]
    )
    signals, dead = read(content)
    assert_accounted(signals, dead, unseen(content))
    assert {s.native_id for s in signals} >= {"good"}
    assert [d.position for d in dead] == ["entry:empty"], [d.reason for d in dead]
    assert_writable(store, signals, dead)
