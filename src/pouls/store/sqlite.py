"""The embedded store: SQLite in WAL mode with an FTS5 index, one writer and many readers.

Writes go through one connection behind a lock; each reading thread gets its own connection,
so readers never block the writer (WAL) and the writer never blocks readers.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import msgspec

from pouls.signals import DeadLetter, Signal, decode, utcnow
from pouls.signals.inputs import escaped
from pouls.store import Bucket, Filters, Page, PutResult, SourceState, StoredDeadLetter, journal
from pouls.store.corrections import Corrections, overlay
from pouls.store.migrations import migrate
from pouls.store.rows import from_us, to_us, update_row
from pouls.store.search import (
    COLUMN_FACETS,
    FTS_HITS,
    Selection,
    count_sql,
    facet_sql,
    page_sql,
    select,
    series_sql,
)
from pouls.store.storable import Prepared, dead_row, prepare
from pouls.store.topics import Topics
from pouls.store.users import Users
from pouls.store.versions import Version, replaces, stored_version, version

# Below this many full-text hits, a search looks its hits up and sorts them; above, it walks the
# workspace newest first and stops at the page's end (measured on 1M signals: bench/store.py).
FTS_DRIVE_LIMIT = 20_000

# SQLite accepts 32,766 bound variables; stay well under it for IN (...) lists.
_CHUNK = 900
WRITER_CACHE_KIB = 64 * 1024


def _create_private(path: str) -> None:
    """Create a new database file readable by its owner only (0600): it holds private messages.
    SQLite gives its -wal and -shm files the mode of the database file."""
    if path in ("", ":memory:") or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return


class SQLiteStore:
    """`Store` on one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        _create_private(self.path)
        self._writer = self._connect()
        # Inserts touch the id index at random places: a larger cache than the 2 MB default
        # keeps its pages in memory as the store grows (one writer, so the memory is bounded).
        self._writer.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB:d}")
        # A replaced or deleted row may have named someone (a signal stored before its workspace
        # became pseudonymous, an expired dead letter): overwrite its bytes, not just free them.
        self._writer.execute("PRAGMA secure_delete=ON")
        migrate(self._writer)
        self.topics = Topics(self)
        self.users = Users(self)
        self.corrections = Corrections(self)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only=ON")
            self._local.conn = conn
            with self._lock:
                self._readers.append(conn)
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # -- writing ------------------------------------------------------------------------------

    def put(
        self,
        batch: Sequence[Signal],
        *,
        dead_letters: Sequence[DeadLetter] = (),
        cursors: Mapping[tuple[str, str], str | None] | None = None,
        acked: Sequence[int] = (),
    ) -> PutResult:
        """Store signals, dead letters and cursors atomically; a signal id seen before is updated
        by a newer version of itself only (`pouls.store.versions`). `acked`: the intake journal's
        deliveries this put stores, forgotten in the same transaction (`pouls.store.journal`).

        Bad data never fails the batch: a signal that cannot be written becomes a dead letter
        (`pouls.store.storable`), and a dead letter is always writable.
        """
        latest, unwritable = _newest(batch)
        dead = [*dead_letters, *(d for _, d in unwritable)]
        result = PutResult(refused=[str(s.id) for s, _ in unwritable])
        with self._transaction() as conn:
            known = self._existing(conn, list(latest))
            fresh = [p.row for i, p in latest.items() if i not in known]
            before = conn.execute("SELECT coalesce(max(seq), 0) FROM signals").fetchone()[0]
            conn.executemany(_INSERT, fresh)
            if fresh:  # the writer lock holds: every row past `before` is from this batch
                conn.execute(_INDEX_NEW, (before,))
                conn.execute(_FIGURES_NEW, (before,))
            newer = [
                p
                for i, p in latest.items()
                if i in known and replaces(version(p.signal), known[i].version)
            ]
            newer = overlay(conn, newer)  # a person's corrections win over the new version's
            self._update(conn, newer, known)
            written = [p.signal for i, p in latest.items() if i not in known] + [
                p.signal for p in newer
            ]
            tagged = [(s.workspace, t, s.id) for s in written for t in s.topics]
            conn.executemany(_TAG, tagged)
            # A signal repeated within the batch, or older than the one stored, is a duplicate
            # too, so the counts add up.
            result.inserted = len(fresh)
            result.existing = len(batch) - len(unwritable) - len(fresh)
            changes = conn.total_changes
            conn.executemany(_DEAD, [dead_row(d) for d in dead])
            result.dead_letters = conn.total_changes - changes
            now = to_us(utcnow())
            for (workspace, source), cursor in (cursors or {}).items():
                conn.execute(_CURSOR, (workspace, source, cursor, now))
            journal.delete(conn, acked)
        return result

    def _existing(self, conn: sqlite3.Connection, ids: list[str]) -> dict[str, _Stored]:
        found: dict[str, _Stored] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for id_, title, text, observed, edited in conn.execute(
                "SELECT id, title, text, observed_at, json_extract(doc, '$.edited_at')"
                f" FROM signals WHERE id IN ({marks})",
                chunk,
            ):
                found[id_] = _Stored(title, text, stored_version(edited, observed))
        return found

    def _update(
        self, conn: sqlite3.Connection, newer: list[Prepared], known: dict[str, _Stored]
    ) -> None:
        # Only rewrite title/text (and so the FTS index) when they changed, e.g. an edited post.
        edited = [
            p.signal for p in newer if known[p.signal.id][:2] != (p.signal.title, p.signal.text)
        ]
        conn.executemany(
            "UPDATE signals SET title = ?, text = ? WHERE id = ?",
            [(s.title, s.text, s.id) for s in edited],
        )
        conn.executemany(_UPDATE, [update_row(p.signal, p.doc) for p in newer])

    def record_error(self, workspace: str, source: str, error: str) -> None:
        """Remember a source's last failure for `pouls status`; its cursor is left alone."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO cursors (workspace, source, last_error, last_error_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (workspace, source) DO UPDATE SET"
                " last_error = excluded.last_error, last_error_at = excluded.last_error_at",
                (workspace, source, escaped(error[:2000]), to_us(utcnow())),
            )

    # -- reading ------------------------------------------------------------------------------

    def known(self, ids: Sequence[str]) -> set[str]:
        """Which of these signal ids are stored: the webhook intake tells each request that it
        shares a commit with others how many of its own signals were new."""
        return set(self._existing(self._reader(), list(dict.fromkeys(ids))))

    def get(self, workspace: str, signal_id: str) -> Signal | None:
        row = (
            self._reader()
            .execute(
                "SELECT doc FROM signals WHERE workspace = ? AND id = ?", (workspace, signal_id)
            )
            .fetchone()
        )
        return decode(row[0]) if row else None

    def search(
        self,
        workspace: str,
        query: str | None = None,
        filters: Filters | None = None,
        *,
        limit: int = 50,
        after: str | None = None,
        count: bool = False,
    ) -> Page:
        """Signals newest first matching a query and filters; `after` pages on.

        Raises `pouls.query.QueryError` when the query does not parse.
        """
        sel = self._exact(workspace, select(workspace, query, filters or Filters()))
        driven = sel.match is not None and self._fts_hits(sel.match) < FTS_DRIVE_LIMIT
        sql, params = page_sql(sel, after=after, limit=limit + 1, driven=driven)
        rows = self._reader().execute(sql, params).fetchall()
        signals = [_with_topics(decode(r[0]), r[3]) for r in rows[:limit]]
        next_ = f"{rows[limit - 1][1]}:{rows[limit - 1][2]}" if len(rows) > limit else None
        total = None
        if count:
            sql, params = count_sql(sel, driven=driven)
            total = self._reader().execute(sql, params).fetchone()[0]
        return Page(signals=signals, total=total, next=next_)

    def facets(
        self, workspace: str, query: str | None = None, filters: Filters | None = None
    ) -> dict[str, dict[str, int]]:
        """Counts per channel, source, kind, visibility, language, sentiment, flag (toxic, scam),
        own (true, false) and topic for the selection; values with no signal are left out."""
        sel = self._exact(workspace, select(workspace, query, filters or Filters()))
        out: dict[str, dict[str, int]] = {}
        for column in (*COLUMN_FACETS, "flag", "own", "topic"):
            sql, params = facet_sql(sel, column)
            out[column] = {str(k): n for k, n in self._reader().execute(sql, params) if n}
        return out

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
        """Volume, sentiment counts, toxic, scam, reach and authors per bucket; empty buckets
        are zeros. Buckets start at `origin` plus whole steps (the epoch when not given)."""
        step = int(bucket.total_seconds() * 1_000_000)
        if step <= 0:
            raise ValueError("bucket must be positive")
        zero = to_us(origin) if origin is not None else 0
        first = zero + (to_us(since) - zero) // step * step
        end = to_us(until)
        sel = self._exact(workspace, select(workspace, query, filters or Filters()))
        sql, params = series_sql(sel, step, first, end, zero)
        found = {row[0]: row for row in self._reader().execute(sql, params)}
        out = []
        for start in range(first, end, step):
            row = found.get(start)
            if row is None:
                out.append(Bucket(start=from_us(start)))
                continue
            _, volume, negative, toxic, scam, reach, authors, positive, neutral = row
            out.append(
                Bucket(
                    start=from_us(start),
                    volume=volume,
                    negative=negative or 0,
                    positive=positive or 0,
                    neutral=neutral or 0,
                    toxic=toxic or 0,
                    scam=scam or 0,
                    reach=reach or 0,
                    authors=authors,
                )
            )
        return out

    def _fts_hits(self, match: str) -> int:
        """How many signals (any workspace) the full-text part matches, counted up to a cap."""
        return self._reader().execute(FTS_HITS, (match, FTS_DRIVE_LIMIT)).fetchone()[0]

    def _exact(self, workspace: str, sel: Selection) -> Selection:
        """Finish a superset selection with the matcher, so counts and facets stay exact."""
        if sel.check is None:
            return sel
        rows = self._reader().execute(
            f"SELECT seq, doc FROM signals WHERE {sel.clause}", sel.params
        )
        seqs = [seq for seq, doc in rows if sel.check(decode(doc))]
        return Selection(
            "signals.workspace = ? AND signals.seq IN (SELECT value FROM json_each(?))",
            [workspace, json.dumps(seqs)],
        )

    def cursor(self, workspace: str, source: str) -> str | None:
        row = (
            self._reader()
            .execute(
                "SELECT cursor FROM cursors WHERE workspace = ? AND source = ?", (workspace, source)
            )
            .fetchone()
        )
        return row[0] if row else None

    def sources(self, workspace: str | None = None) -> list[SourceState]:
        """Every source the store has heard of, with its cursor, counts and last error."""
        conn = self._reader()
        counts = {
            (w, s): (n, newest)
            for w, s, n, newest in conn.execute(
                "SELECT workspace, source, count(*), max(created_at) FROM signals"
                " WHERE (?1 IS NULL OR workspace = ?1) GROUP BY workspace, source",
                (workspace,),
            )
        }
        dead = dict(
            ((w, s), n)
            for w, s, n in conn.execute(
                "SELECT workspace, source, count(*) FROM dead_letters"
                " WHERE (?1 IS NULL OR workspace = ?1) GROUP BY workspace, source",
                (workspace,),
            )
        )
        cursors = {
            (w, s): (c, u, e, ea)
            for w, s, c, u, e, ea in conn.execute(
                "SELECT workspace, source, cursor, updated_at, last_error, last_error_at FROM cursors"
                " WHERE (?1 IS NULL OR workspace = ?1)",
                (workspace,),
            )
        }
        keys = sorted(set(counts) | set(dead) | set(cursors))
        states = []
        for w, s in keys:
            cursor, updated, error, error_at = cursors.get((w, s), (None, None, None, None))
            states.append(
                SourceState(
                    workspace=w,
                    source=s,
                    cursor=cursor,
                    updated_at=from_us(updated) if updated else None,
                    last_error=error,
                    last_error_at=from_us(error_at) if error_at else None,
                    signals=counts.get((w, s), (0, None))[0],
                    newest=from_us(counts[(w, s)][1]) if (w, s) in counts else None,
                    dead_letters=dead.get((w, s), 0),
                )
            )
        return states

    def dead_letters(self, workspace: str | None = None, limit: int = 50) -> list[StoredDeadLetter]:
        """The most recent dead letters, newest first."""
        rows = self._reader().execute(
            "SELECT id, workspace, source, reason, raw, position, at FROM dead_letters"
            " WHERE (?1 IS NULL OR workspace = ?1) ORDER BY id DESC LIMIT ?2",
            (workspace, limit),
        )
        return [
            StoredDeadLetter(
                id=i, workspace=w, source=s, reason=r, raw=raw, position=p, at=from_us(at)
            )
            for i, w, s, r, raw, p, at in rows
        ]

    def count(self, workspace: str) -> int:
        return (
            self._reader()
            .execute("SELECT count(*) FROM signals WHERE workspace = ?", (workspace,))
            .fetchone()[0]
        )

    def workspaces(self) -> list[str]:
        return [r[0] for r in self._reader().execute("SELECT DISTINCT workspace FROM signals")]

    def close(self) -> None:
        with self._lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
            self._writer.close()


_INSERT = (
    "INSERT INTO signals (id, workspace, source, channel, kind, visibility, author, lang,"
    " sentiment, site, country, created_at, observed_at, title, text, doc, toxic, scam, reach,"
    " dup_cluster, own) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INDEX_NEW = "INSERT INTO signals_fts (rowid, title, text) SELECT seq, title, text FROM signals WHERE seq > ?"
# The dashboards' rollups of the batch's 4-hour blocks are stale (pouls.store.figures): one
# statement per batch rather than a trigger per row, which cost a third of the import time.
_FIGURES_NEW = (
    "INSERT INTO figure_dirty (workspace, block) SELECT DISTINCT workspace,"
    " created_at / 14400000000 FROM signals WHERE seq > ? ON CONFLICT DO UPDATE SET gen = gen + 1"
)
_UPDATE = (
    "UPDATE signals SET visibility = ?, author = ?, lang = ?, sentiment = ?, site = ?, country = ?,"
    " observed_at = ?, doc = ?, toxic = ?, scam = ?, reach = ?, dup_cluster = ?, own = ?"
    " WHERE id = ?"
)
_TAG = (
    "INSERT OR IGNORE INTO signal_topics (workspace, topic, seq)"
    " SELECT ?, ?, seq FROM signals WHERE id = ?"
)
_DEAD = (
    "INSERT OR IGNORE INTO dead_letters (workspace, source, position, reason, raw, at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
_CURSOR = (
    "INSERT INTO cursors (workspace, source, cursor, updated_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (workspace, source) DO UPDATE SET"
    " cursor = excluded.cursor, updated_at = excluded.updated_at"
)


def _with_topics(signal: Signal, topics: str | None) -> Signal:
    """The topics a signal matched are those recorded in `signal_topics` (backfills included)."""
    found = tuple(sorted(topics.split(","))) if topics else ()
    return signal if found == signal.topics else msgspec.structs.replace(signal, topics=found)


class _Stored(NamedTuple):
    title: str | None
    text: str
    version: Version


def _newest(
    batch: Sequence[Signal],
) -> tuple[dict[str, Prepared], list[tuple[Signal, DeadLetter]]]:
    """Each signal of the batch ready to write, the newest version where one comes twice, and
    dead letters for those that cannot be written."""
    latest: dict[str, Prepared] = {}
    unwritable: list[tuple[Signal, DeadLetter]] = []
    for signal in batch:
        found = prepare(signal)
        if isinstance(found, DeadLetter):
            unwritable.append((signal, found))
            continue
        seen = latest.get(found.signal.id)
        if seen is None or replaces(version(found.signal), version(seen.signal)):
            latest[found.signal.id] = found
    return latest, unwritable
