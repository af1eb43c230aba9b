"""The columns of every export, in order: one schema for CSV, JSON lines and XLSX.

A column is declared once with its help text; docs/export.md lists them and a test fails when
the page and this list differ. Values are what the store holds: in a pseudonymous workspace the
author is a pseudonym and the handle and name are empty, so an export never names anyone the
store does not.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Literal

import msgspec

from pouls.signals import Signal

# How a format writes a value: text (formula-escaped in spreadsheets), label (text pouls made
# or validated against a fixed list, never escaped), number, time, flag.
Kind = Literal["text", "label", "number", "time", "flag"]
Value = str | float | int | bool | datetime | None


class Column(msgspec.Struct, frozen=True):
    """One exported column: its header, what it holds (for docs/export.md) and its kind."""

    name: str
    help: str
    kind: Kind = "text"


COLUMNS: tuple[Column, ...] = (
    Column("id", "pouls' stable id of the signal.", "label"),
    Column("workspace", "The workspace it belongs to."),
    Column("source", "The source (connector) that read it."),
    Column("channel", "mastodon, bluesky, rss, whatsapp, email, ...", "label"),
    Column("kind", "post, comment, reply, message, article, review, ...", "label"),
    Column("visibility", "public, private or press.", "label"),
    Column("created_at", "When it was written, ISO 8601 in UTC.", "time"),
    Column(
        "local_time",
        "The same moment in the workspace's time zone, to the second, `YYYY-MM-DD HH:MM:SS`"
        " (spreadsheets read it as a date).",
        "time",
    ),
    Column("lang", "Language code (fr, en, ...)."),
    Column(
        "author",
        "The author's pseudonym (`a_` and 16 hex digits) in every workspace; empty when the"
        " platform names no author.",
    ),
    Column("author_handle", "The platform handle; empty in pseudonymous workspaces."),
    Column("author_name", "The display name; empty in pseudonymous workspaces."),
    Column("title", "Title (articles, e-mails, reviews)."),
    Column("text", "The text as stored."),
    Column("url", "Link to the original, when there is one."),
    Column("sentiment", "negative, neutral or positive.", "label"),
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


def values(s: Signal, tz: tzinfo) -> tuple[Value, ...]:
    """The signal's value in each column of `COLUMNS`, in order; None where it has none.

    Written out rather than looped over getters: it runs once a row, a million times for a
    large export (tests/export/test_columns.py keeps it in step with `COLUMNS`).
    """
    sentiment, metrics, geo = s.sentiment, s.metrics, s.geo
    return (
        s.id,
        s.workspace,
        s.source,
        s.channel,
        s.kind,
        s.visibility,
        s.created_at,
        s.created_at.astimezone(tz).replace(tzinfo=None, microsecond=0),
        s.lang,
        s.author,
        s.author_handle,
        s.author_name,
        s.title,
        s.text,
        s.url,
        sentiment.label if sentiment else None,
        sentiment.score if sentiment else None,
        max(s.toxicity.values()) if s.toxicity else None,
        s.scam,
        ", ".join(s.topics) if s.topics else None,
        metrics.likes if metrics else None,
        metrics.shares if metrics else None,
        metrics.replies if metrics else None,
        metrics.followers if metrics else None,
        geo.country if geo else None,
        geo.place if geo else None,
        s.own,
        s.native_id,
        s.conversation_id,
        s.parent_id,
    )
