"""The columns of every export, in order: one schema for CSV, JSON lines and XLSX.

A column is declared once with its help text; docs/export.md lists them and a test fails when
the page and this list differ. Values are what the store holds: in a pseudonymous workspace the
author is a pseudonym and the handle and name are empty, so an export never names anyone the
store does not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Literal

import msgspec

from pouls.signals import Signal

# How a format writes a value: text (formula-escaped in spreadsheets), number, time, flag.
Kind = Literal["text", "number", "time", "flag"]
Value = str | float | int | bool | datetime | None


class Column(msgspec.Struct, frozen=True):
    """One exported column: its header, what it holds (for docs/export.md) and its kind."""

    name: str
    help: str
    kind: Kind = "text"


COLUMNS: tuple[Column, ...] = (
    Column("id", "pouls' stable id of the signal."),
    Column("workspace", "The workspace it belongs to."),
    Column("source", "The source (connector) that read it."),
    Column("channel", "mastodon, bluesky, rss, whatsapp, email, ..."),
    Column("kind", "post, comment, reply, message, article, review, ..."),
    Column("visibility", "public, private or press."),
    Column("created_at", "When it was written, ISO 8601 in UTC.", "time"),
    Column(
        "local_time",
        "The same moment in the workspace's time zone, `YYYY-MM-DD HH:MM:SS` (spreadsheets read"
        " it as a date).",
        "time",
    ),
    Column("lang", "Language code (fr, en, ...)."),
    Column("author", "The author: a pseudonym (`a_` and 16 hex digits) in every workspace."),
    Column("author_handle", "The platform handle; empty in pseudonymous workspaces."),
    Column("author_name", "The display name; empty in pseudonymous workspaces."),
    Column("title", "Title (articles, e-mails, reviews)."),
    Column("text", "The text as stored."),
    Column("url", "Link to the original, when there is one."),
    Column("sentiment", "negative, neutral or positive."),
    Column("sentiment_score", "The sentiment model's confidence, 0 to 1.", "number"),
    Column("toxicity", "The highest toxicity score, 0 to 1.", "number"),
    Column("scam", "The scam score, 0 to 1.", "number"),
    Column("topics", "The topics it matched, separated by `, `."),
    Column("likes", "Likes when observed.", "number"),
    Column("shares", "Shares when observed.", "number"),
    Column("replies", "Replies when observed.", "number"),
    Column("followers", "The author's followers when observed.", "number"),
    Column("country", "ISO country code, when known."),
    Column("place", "Place name, when known."),
    Column("own", "Whether one of the workspace's own accounts wrote it.", "flag"),
    Column("native_id", "The platform's id (identities in it hashed in pseudonymous workspaces)."),
    Column("conversation_id", "The thread it belongs to, when the platform says."),
    Column("parent_id", "What it replies to, when the platform says."),
)
NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)


def _get(field: str) -> Callable[[Signal, tzinfo], Value]:
    return lambda s, _tz: getattr(s, field)


def _local(s: Signal, tz: tzinfo) -> datetime:
    return s.created_at.astimezone(tz).replace(tzinfo=None)


def _metric(name: str) -> Callable[[Signal, tzinfo], Value]:
    return lambda s, _tz: getattr(s.metrics, name) if s.metrics else None


def _geo(name: str) -> Callable[[Signal, tzinfo], Value]:
    return lambda s, _tz: getattr(s.geo, name) if s.geo else None


_SPECIAL: dict[str, Callable[[Signal, tzinfo], Value]] = {
    "local_time": _local,
    "sentiment": lambda s, _tz: s.sentiment.label if s.sentiment else None,
    "sentiment_score": lambda s, _tz: s.sentiment.score if s.sentiment else None,
    "toxicity": lambda s, _tz: max(s.toxicity.values()) if s.toxicity else None,
    "topics": lambda s, _tz: ", ".join(s.topics) if s.topics else None,
    "likes": _metric("likes"),
    "shares": _metric("shares"),
    "replies": _metric("replies"),
    "followers": _metric("followers"),
    "country": _geo("country"),
    "place": _geo("place"),
}
_GETTERS = tuple(_SPECIAL.get(c.name) or _get(c.name) for c in COLUMNS)


def values(signal: Signal, tz: tzinfo) -> list[Value]:
    """The signal's value in each column, in order; None where it has none."""
    return [get(signal, tz) for get in _GETTERS]
