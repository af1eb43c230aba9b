"""Deleting what is kept only for a while (dead letters), so that its bytes are gone too.

SQLite leaves a deleted row's bytes in free pages and in the WAL: `secure_delete` overwrites
them, and a checkpoint that truncates the WAL drops the old page images it still held.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pouls.store.rows import to_us

if TYPE_CHECKING:
    from pouls.store.sqlite import SQLiteStore


def expire_dead_letters(store: SQLiteStore, before: datetime) -> int:
    """Delete the dead letters recorded before `before`, overwriting their bytes; returns how many."""
    with store._transaction() as conn:
        conn.execute("PRAGMA secure_delete = ON")
        deleted = conn.execute("DELETE FROM dead_letters WHERE at < ?", (to_us(before),)).rowcount
    if deleted:
        forget(store)
    return int(deleted)


def forget(store: SQLiteStore) -> None:
    """Checkpoint and truncate the WAL, so overwritten rows leave no older copy there (a
    reader still on an old snapshot only delays this to the next call)."""
    with store._lock:
        store._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
