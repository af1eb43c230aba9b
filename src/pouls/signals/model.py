"""The `Signal` record and its enrichments, as frozen msgspec structs.

msgspec rather than pydantic: signals cross every stage in batches of hundreds, and msgspec
decodes and encodes them several times faster, with the same typed validation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, get_args

import msgspec

Channel = Literal[
    "mastodon",
    "bluesky",
    "rss",
    "telegram",
    "whatsapp",
    "messenger",
    "instagram",
    "email",
    "reddit",
    "mqtt",
    "checkin",
    "webhook",
    "import",
    "facebook",
    "reviews",
]
Kind = Literal["post", "comment", "reply", "message", "article", "review", "reading", "checkin"]
Visibility = Literal["public", "private", "press"]

CHANNELS: tuple[str, ...] = get_args(Channel)
KINDS: tuple[str, ...] = get_args(Kind)
VISIBILITIES: tuple[str, ...] = get_args(Visibility)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (every stored time is UTC)."""
    return datetime.now(UTC)


class Geo(msgspec.Struct, frozen=True, omit_defaults=True):
    """Where a signal was emitted: coordinates, a place name, an ISO country code."""

    lat: float | None = None
    lon: float | None = None
    place: str | None = None
    country: str | None = None


class Metrics(msgspec.Struct, frozen=True, omit_defaults=True):
    """Engagement counts as the channel reported them when the signal was observed."""

    likes: int | None = None
    shares: int | None = None
    replies: int | None = None
    followers: int | None = None


class Sentiment(msgspec.Struct, frozen=True):
    """Polarity label with the model's confidence in it."""

    label: Literal["negative", "neutral", "positive"]
    score: float


class Entity(msgspec.Struct, frozen=True):
    """A named thing found in the text; `norm` groups spellings of the same thing."""

    type: str
    text: str
    norm: str


class Signal(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One thing someone (or something) said or did, seen on one channel."""

    id: str
    workspace: str
    source: str
    channel: Channel
    kind: Kind
    created_at: datetime
    observed_at: datetime
    # When the platform says the content was last edited: a replay never replaces a newer edit.
    edited_at: datetime | None = None
    visibility: Visibility = "public"
    native_id: str | None = None
    url: str | None = None
    conversation_id: str | None = None
    parent_id: str | None = None
    author: str | None = None
    author_handle: str | None = None
    author_name: str | None = None
    title: str | None = None
    text: str = ""
    lang: str | None = None
    geo: Geo | None = None
    metrics: Metrics | None = None
    value: float | None = None
    unit: str | None = None
    raw: dict[str, Any] | None = None
    own: bool = False  # from one of the workspace's own accounts (`own_accounts`)
    # Enrichments: filled by the enrich and match stages.
    sentiment: Sentiment | None = None
    toxicity: dict[str, float] | None = None
    entities: tuple[Entity, ...] = ()
    scam: float | None = None
    dup_cluster: str | None = None
    topics: tuple[str, ...] = ()


class DeadLetter(msgspec.Struct, frozen=True, kw_only=True):
    """Input a source could not turn into a signal, kept with the reason so nothing is lost."""

    workspace: str
    source: str
    reason: str
    raw: str
    position: str | None = None
    at: datetime = msgspec.field(default_factory=utcnow)


class Batch(msgspec.Struct, kw_only=True):
    """What a source yields: signals, what it could not read, and the cursor to save after both.

    The cursor is saved in the same store transaction as the signals and dead letters, so the
    commit is the acknowledgement: a crash before it replays the batch, after it skips it.
    """

    signals: list[Signal] = msgspec.field(default_factory=list)
    dead_letters: list[DeadLetter] = msgspec.field(default_factory=list)
    cursor: str | None = None


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Signal)
_list_decoder = msgspec.json.Decoder(list[Signal])


def encode(signal: Signal) -> bytes:
    """Signal to JSON bytes."""
    return _encoder.encode(signal)


def decode(data: bytes | str) -> Signal:
    """JSON to a validated Signal; raises msgspec.ValidationError with the failing path."""
    return _decoder.decode(data)


def decode_many(data: bytes | str) -> list[Signal]:
    """A JSON array to validated Signals."""
    return _list_decoder.decode(data)
