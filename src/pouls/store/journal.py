"""The webhook intake's journal in the store's own SQLite file (`pouls.bus.Journal`).

Living in the same file as the signals lets the put that stores a delivery delete its row in
the same transaction (`SQLiteStore.put(acked=...)`): a crash at any moment leaves a delivery
either still journaled (and drained again at the next start) or stored, never both and never
neither. Many deliveries are appended in one transaction (the intake's group commit).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pouls.bus import Delivery, Journaled, size, wire
from pouls.signals import utcnow
from pouls.store.rows import to_us

if TYPE_CHECKING:
    from pouls.store.sqlite import SQLiteStore


class SQLiteJournal:
    """`Journal` on the `intake_journal` table of a SQLite store."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def append(self, deliveries: Sequence[Delivery]) -> list[int]:
        """Keep the deliveries in one transaction; their sequence numbers."""
        rows = _rows(deliveries)
        with self.store._transaction() as conn:
            return _insert(conn, rows)

    def append_now(self, deliveries: Sequence[Delivery]) -> list[int] | None:
        """`append` when the store's writer is free this instant; None when it is busy (a put
        in progress, another process writing), rather than waiting on the caller's event loop."""
        rows = _rows(deliveries)
        lock = self.store._lock
        if not lock.acquire(blocking=False):
            return None
        conn = self.store._writer
        try:
            patience = conn.execute("PRAGMA busy_timeout").fetchone()[0]
            conn.execute("PRAGMA busy_timeout=0")
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # locked by another connection
                return None
            finally:
                conn.execute(f"PRAGMA busy_timeout={int(patience):d}")
            try:
                seqs = _insert(conn, rows)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return seqs
        finally:
            lock.release()

    def take(self, limit: int, after: int = 0) -> list[Journaled]:
        """The oldest deliveries past `after`, up to `limit` entries (at least one delivery)."""
        rows = self.store._reader().execute(
            "SELECT seq, workspace, source, signals, delivery FROM intake_journal"
            " WHERE seq > ? ORDER BY seq LIMIT ?",
            (after, max(1, limit)),
        )
        taken: list[Journaled] = []
        total = 0
        for seq, workspace, source, count, data in rows:
            if taken and total + count > limit:
                break
            batch = wire.decode(bytes(data), workspace, source, seq)
            taken.append(Journaled(seq, Delivery(workspace, source, batch), count))
            total += count
        return taken

    def ack(self, seqs: Sequence[int]) -> None:
        """Forget these deliveries (the put that stored them has usually done it already)."""
        if not seqs:
            return
        with self.store._transaction() as conn:
            delete(conn, seqs)

    def backlog(self) -> int:
        """How many entries wait to be stored."""
        row = (
            self.store._reader()
            .execute("SELECT coalesce(sum(signals), 0) FROM intake_journal")
            .fetchone()
        )
        return int(row[0])


def _rows(deliveries: Sequence[Delivery]) -> list[tuple[str, str, int, bytes, int]]:
    now = to_us(utcnow())
    return [(d.workspace, d.source, size(d), wire.encode(d), now) for d in deliveries]


def _insert(conn: sqlite3.Connection, rows: list[tuple[str, str, int, bytes, int]]) -> list[int]:
    return [
        conn.execute(
            "INSERT INTO intake_journal (workspace, source, signals, delivery, at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING seq",
            row,
        ).fetchone()[0]
        for row in rows
    ]


def delete(conn: sqlite3.Connection, seqs: Sequence[int]) -> None:
    """Delete journal rows inside the caller's transaction."""
    for start in range(0, len(seqs), 900):
        chunk = list(seqs[start : start + 900])
        conn.execute(
            f"DELETE FROM intake_journal WHERE seq IN ({','.join('?' * len(chunk))})", chunk
        )
