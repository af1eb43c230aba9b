"""Where signals are kept: the `Store` protocol; SQLite by default. All SQL lives in this package.

Every method takes the workspace first and every query is scoped by it here, never in the pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

import msgspec

from pouls.signals import DeadLetter, Signal


class Filters(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Exact-match filters on a signal's facets, combined with AND; `None` means any."""

    channel: str | None = None
    source: str | None = None
    kind: str | None = None
    visibility: str | None = None
    lang: str | None = None
    sentiment: str | None = None  # negative, neutral or positive
    flag: str | None = None  # "toxic" or "scam": that score at or above 0.5
    topic: str | None = None
    own: bool | None = None  # True: only the workspace's own accounts; False: only the others
    place: str | None = None  # the geo place name, exactly (a map point's label)
    since: datetime | None = None
    until: datetime | None = None


class Page(msgspec.Struct, kw_only=True):
    """One page of results, newest first; `next` is the cursor for the following page."""

    signals: list[Signal]
    total: int | None = None
    next: str | None = None


class PutResult(msgspec.Struct, kw_only=True):
    """What a `put` did: rows created, rows already there (updated), dead letters recorded."""

    inserted: int = 0
    existing: int = 0
    dead_letters: int = 0
    # Ids of signals the store could not write (a parser's bug): kept as dead letters instead.
    refused: list[str] = msgspec.field(default_factory=list)


class SourceState(msgspec.Struct, kw_only=True):
    """A source's saved cursor and health: last commit (`updated_at`), last error and when."""

    workspace: str
    source: str
    cursor: str | None
    updated_at: datetime | None
    signals: int = 0
    dead_letters: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = None
    newest: datetime | None = None  # created_at of its newest stored signal: the lag is now - this


class StoredDeadLetter(msgspec.Struct, kw_only=True):
    """A dead letter as stored, with its row id."""

    id: int
    workspace: str
    source: str
    reason: str
    raw: str
    position: str | None
    at: datetime


class Bucket(msgspec.Struct, frozen=True, kw_only=True):
    """One time bucket of a series: volume and the counts that shares are made of."""

    start: datetime
    volume: int = 0
    negative: int = 0  # sentiment negative
    positive: int = 0  # sentiment positive
    neutral: int = 0  # sentiment neutral (no sentiment at all counts in none of the three)
    toxic: int = 0  # highest toxicity attribute >= 0.5
    scam: int = 0  # scam score >= 0.5
    reach: int = 0  # sum of followers (else likes + shares)
    authors: int = 0  # distinct authors


class Store(Protocol):
    """Persistence of signals, cursors and dead letters; `put` is idempotent and atomic."""

    def put(
        self,
        batch: Sequence[Signal],
        *,
        dead_letters: Sequence[DeadLetter] = (),
        cursors: Mapping[tuple[str, str], str | None] | None = None,
        acked: Sequence[int] = (),
    ) -> PutResult:
        """Store signals, dead letters and source cursors in one transaction; `acked` intake
        journal entries are forgotten in it (`pouls.bus.Journal`)."""
        ...

    def get(self, workspace: str, signal_id: str) -> Signal | None: ...

    def search(
        self,
        workspace: str,
        query: str | None = None,
        filters: Filters | None = None,
        *,
        limit: int = 50,
        after: str | None = None,
        count: bool = False,
    ) -> Page: ...

    def facets(
        self, workspace: str, query: str | None = None, filters: Filters | None = None
    ) -> dict[str, dict[str, int]]: ...

    def series(
        self,
        workspace: str,
        query: str | None = None,
        filters: Filters | None = None,
        *,
        bucket: timedelta,
        since: datetime,
        until: datetime,
        origin: datetime | None = None,
    ) -> list[Bucket]:
        """Every bucket from `since` to `until` (empty ones included), aligned on `origin`
        (a local midnight or Monday for day and week buckets), else on the epoch."""
        ...

    def cursor(self, workspace: str, source: str) -> str | None: ...

    def record_error(self, workspace: str, source: str, error: str) -> None: ...

    def sources(self, workspace: str | None = None) -> list[SourceState]: ...

    def dead_letters(
        self, workspace: str | None = None, limit: int = 50
    ) -> list[StoredDeadLetter]: ...

    def count(self, workspace: str) -> int: ...

    def workspaces(self) -> list[str]: ...

    def close(self) -> None: ...
