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
        now = to_us(utcnow())
        rows = [(d.workspace, d.source, size(d), wire.encode(d), now) for d in deliveries]
        with self.store._transaction() as conn:
            return [
                conn.execute(
                    "INSERT INTO intake_journal (workspace, source, signals, delivery, at)"
                    " VALUES (?, ?, ?, ?, ?) RETURNING seq",
                    row,
                ).fetchone()[0]
                for row in rows
            ]

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


def delete(conn: sqlite3.Connection, seqs: Sequence[int]) -> None:
    """Delete journal rows inside the caller's transaction."""
    for start in range(0, len(seqs), 900):
        chunk = list(seqs[start : start + 900])
        conn.execute(
            f"DELETE FROM intake_journal WHERE seq IN ({','.join('?' * len(chunk))})", chunk
        )
