"""How a Signal maps to a `signals` row: facet columns for filtering, the whole signal as JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from pouls.signals import Signal, encode
from pouls.signals.inputs import INT_MAX, INT_MIN

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(dt: datetime) -> int:
    """Microseconds since the epoch; naive times are taken as UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    """Inverse of `to_us`, timezone-aware in UTC."""
    return datetime.fromtimestamp(us / 1_000_000, tz=UTC)


def site(url: str | None) -> str | None:
    """The host of a url without `www.`, lowercased: what `site:` filters on."""
    if not url:
        return None
    host = urlsplit(url).hostname
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


Row = tuple[object, ...]


def toxic(s: Signal) -> float | None:
    """The highest toxicity attribute score, what toxicity shares count."""
    return max(s.toxicity.values()) if s.toxicity else None


def reach(s: Signal) -> int | None:
    """How many people could see it: the author's followers, else likes plus shares."""
    m = s.metrics
    if m is None:
        return None
    if m.followers is not None:
        found = m.followers
    elif m.likes is None and m.shares is None:
        return None
    else:
        found = (m.likes or 0) + (m.shares or 0)
    return min(max(found, INT_MIN), INT_MAX)  # SQLite's INTEGER holds 64 bits


def signal_row(s: Signal, doc: bytes | None = None) -> Row:
    """Values for INSERT, in the column order of `signals` (after `seq`); `doc` if encoded."""
    return (
        s.id,
        s.workspace,
        s.source,
        s.channel,
        s.kind,
        s.visibility,
        s.author,
        s.lang,
        s.sentiment.label if s.sentiment else None,
        site(s.url),
        s.geo.country if s.geo else None,
        to_us(s.created_at),
        to_us(s.observed_at),
        s.title,
        s.text,
        encode(s) if doc is None else doc,
        toxic(s),
        s.scam,
        reach(s),
        s.dup_cluster,
        s.own,
    )


def update_row(s: Signal, doc: bytes | None = None) -> tuple[object, ...]:
    """Values for the UPDATE of a signal stored before: what enrichment or a re-fetch can change."""
    return (
        s.visibility,
        s.author,
        s.lang,
        s.sentiment.label if s.sentiment else None,
        site(s.url),
        s.geo.country if s.geo else None,
        to_us(s.observed_at),
        encode(s) if doc is None else doc,
        toxic(s),
        s.scam,
        reach(s),
        s.dup_cluster,
        s.own,
        s.id,
    )
