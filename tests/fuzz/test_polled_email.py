"""IMAP's message decoder fuzzed with RFC 822 messages: bad charsets, broken MIME, huge headers,
undecodable bytes. Every fetched message must become a signal or a dead letter the store takes.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pouls.signals import Batch, utcnow
from pouls.sources.email import EmailSource
from pouls.store.sqlite import SQLiteStore
from tests.fuzz.poison import FUZZ, assert_accounted, assert_writable

PAYLOADS = Path(__file__).parents[1] / "payloads" / "email"
RECORDED = [p.read_bytes() for p in sorted(PAYLOADS.glob("*.eml"))]

HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "References", "In-Reply-To", "Reply-To"]
ODD_VALUES = [
    b"=?x-klingon-7?B?cWFwbGE=?=",
    b"=?utf-8?B?7aCA?=",  # an encoded lone surrogate (ED A0 80)
    b"=?utf-8?Q?caf=E9?=",
    b"=?iso-8859-1?Q?=FF=FE?= <\xff@\xfe>",
    b"\xff\xfe\xed\xa0\x80",
    b"<a@b> <<c@d>> <>",
    b'"unterminated <x@y',
    b"Fri, 31 Dec 9999 23:59:59 -1400",
    b"Mon, 01 Jan 0001 00:00:00 +1400",
    b"99999999999999999999",
    b"",
    b"@" * 300,
]
CONTENT_TYPES = [
    b"text/plain; charset=x-klingon-7",
    b"text/plain; charset=utf-8",
    b"text/plain; charset=\xff",
    b"text/html; charset=utf-16",
    b'multipart/alternative; boundary="b1"',
    b"multipart/mixed",  # no boundary
    b'multipart/mixed; boundary=""',
    b"message/rfc822",
    b"application/octet-stream",
    b"text",
]
ENCODINGS = [b"8bit", b"base64", b"quoted-printable", b"x-uuencode", b"7bit", b"\xff"]

header_value = st.one_of(st.sampled_from(ODD_VALUES), st.binary(max_size=40))


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    """A message written header by header, odd values and bodies inside."""
    lines = [
        name.encode() + b": " + draw(header_value)
        for name in draw(st.lists(st.sampled_from(HEADERS), max_size=8))
    ]
    lines.append(b"Content-Type: " + draw(st.sampled_from(CONTENT_TYPES)))
    lines.append(b"Content-Transfer-Encoding: " + draw(st.sampled_from(ENCODINGS)))
    if draw(st.booleans()):
        lines.append(b"X-Huge: " + b"a " * draw(st.integers(0, 50_000)))
    body = draw(
        st.one_of(
            st.binary(max_size=200),
            st.sampled_from(RECORDED).map(lambda m: m.split(b"\n\n", 1)[-1]),
            st.just(b"--b1\nContent-Type: text/plain; charset=x-bad\n\n\xe9t\xe9\n--b1"),
        )
    )
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@st.composite
def spliced(draw: st.DrawFn) -> bytes:
    """A recorded message with odd bytes spliced in somewhere."""
    recorded = draw(st.sampled_from(RECORDED))
    at = draw(st.integers(0, len(recorded)))
    return recorded[:at] + draw(st.binary(min_size=1, max_size=30)) + recorded[at:]


def source() -> EmailSource:
    return EmailSource(
        name="support", workspace="acme", host="127.0.0.1", username="u", password="p"
    )


@FUZZ
@given(fetched=st.lists(st.one_of(messages(), spliced()), min_size=1, max_size=4))
def test_every_fuzzed_email_is_stored_or_a_dead_letter(
    store: SQLiteStore, fetched: list[bytes]
) -> None:
    imap, batch, now = source(), Batch(), utcnow()
    for uid, raw in enumerate(fetched, start=1):
        imap.read(batch, 7, uid, raw, now)
    assert_accounted(batch.signals, batch.dead_letters, len(fetched), "message")
    assert_writable(store, batch.signals, batch.dead_letters)


def test_email_with_undecodable_header_bytes_is_stored_and_its_neighbour_too(
    store: SQLiteStore,
) -> None:
    poison = (
        b"From: \xff\xfe <caf\xe9@example.net>\r\nSubject: Offre \xe9t\xe9 =?utf-8?B?7aCA?=\r\n"
        b"Message-ID: <poison-1@example.net>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nqapla \xff batlh\r\n"
    )
    imap, batch, now = source(), Batch(), utcnow()
    imap.read(batch, 7, 1, poison, now)
    imap.read(batch, 7, 2, RECORDED[0], now)
    assert_accounted(batch.signals, batch.dead_letters, 2, "message")
    assert_writable(store, batch.signals, batch.dead_letters)
    first = store.get("acme", batch.signals[0].id)
    assert first is not None and first.title is not None and "\ufffd" in first.title
