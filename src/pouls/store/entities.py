"""Names found after storage, as stored: the signals NER has still to read, and its findings.

spaCy's NER is too slow for the ingest path (about 2,000 signals per second against some
30,000 for each other enricher), so it reads stored signals later (`pouls.enrich.later`).
The signals table is its queue: it reads in `seq` order and keeps how far it got in each
workspace (migration 021), so a restart goes on where it stopped and nothing waits in memory.
A signal whose entities a person corrected keeps the correction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import msgspec

from pouls.signals import Signal, decode, encode

if TYPE_CHECKING:
    from pouls.store.sqlite import SQLiteStore

_TOPICS = (
    " AND EXISTS (SELECT 1 FROM signal_topics t WHERE t.workspace = s.workspace AND t.seq = s.seq)"
)


class EntityProgress:
    """How far NER read each workspace's signals, and the signals after that point."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def position(self, workspace: str) -> int:
        """The `seq` of the last signal of `workspace` NER read (0 before the first)."""
        row = (
            self.store._reader()
            .execute("SELECT seq FROM entity_progress WHERE workspace = ?", (workspace,))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def pending(
        self, workspace: str, *, only_topics: bool, limit: int
    ) -> tuple[list[Signal], int | None]:
        """Up to `limit` signals after the position (with a topic only, if `only_topics`), and
        the `seq` to record once they are done: the last signal looked at, so that signals
        without a topic are passed over once. None when there is nothing after the position."""
        after = self.position(workspace)
        conn = self.store._reader()
        last = conn.execute(
            "SELECT seq FROM signals WHERE workspace = ? AND seq > ? ORDER BY seq LIMIT 1 OFFSET ?",
            (workspace, after, limit - 1),
        ).fetchone()
        if last is None:
            end = conn.execute(
                "SELECT max(seq) FROM signals WHERE workspace = ? AND seq > ?", (workspace, after)
            ).fetchone()[0]
            if end is None:
                return [], None
            through = int(end)
        else:
            through = int(last[0])
        rows = conn.execute(
            "SELECT doc FROM signals s WHERE s.workspace = ? AND s.seq > ? AND s.seq <= ?"
            + (_TOPICS if only_topics else "")
            + " ORDER BY s.seq",
            (workspace, after, through),
        ).fetchall()
        return [decode(doc) for (doc,) in rows], through

    def save(self, workspace: str, found: Sequence[Signal], through: int) -> int:
        """Write the entities of `found` into their stored documents and move the position to
        `through`, in one transaction; returns how many signals changed.

        A signal replaced meanwhile by a newer version keeps the newer one's document (its
        names are read with it); one whose entities were corrected keeps the correction.
        """
        changed = 0
        with self.store._transaction() as conn:
            for signal in found:
                row = conn.execute(
                    "SELECT doc FROM signals WHERE workspace = ? AND id = ?"
                    " AND NOT EXISTS (SELECT 1 FROM corrections c WHERE c.workspace = ?"
                    " AND c.signal_id = ? AND c.field = 'entities')",
                    (workspace, signal.id, workspace, signal.id),
                ).fetchone()
                if row is None:
                    continue
                stored = decode(row[0])
                if stored.text != signal.text or stored.entities == signal.entities:
                    continue
                updated = msgspec.structs.replace(stored, entities=signal.entities)
                conn.execute(
                    "UPDATE signals SET doc = ? WHERE workspace = ? AND id = ?",
                    (encode(updated), workspace, signal.id),
                )
                changed += 1
            conn.execute(
                "INSERT INTO entity_progress (workspace, seq) VALUES (?, ?)"
                " ON CONFLICT (workspace) DO UPDATE SET seq = max(seq, excluded.seq)",
                (workspace, through),
            )
        return changed
