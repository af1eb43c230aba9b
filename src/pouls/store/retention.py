"""Deleting or rewriting rows that may name someone (expired dead letters, signals stored
before their workspace hid identities), so that their old bytes are gone too.

SQLite leaves a deleted row's bytes in free pages and in the WAL: `secure_delete` overwrites
them, and a checkpoint that truncates the WAL drops the old page images it still held.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from pouls.signals import Signal, decode, encode
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


def rewrite_signals(
    store: SQLiteStore, workspace: str, change: Callable[[Signal], Signal], chunk: int = 500
) -> int:
    """Store `change(signal)` for every stored signal of a workspace where it differs, a chunk
    per transaction, overwriting the old bytes; returns how many changed."""
    changed, after = 0, 0
    while True:
        rows = (
            store._reader()
            .execute(
                "SELECT seq, doc FROM signals WHERE workspace = ? AND seq > ? ORDER BY seq LIMIT ?",
                (workspace, after, chunk),
            )
            .fetchall()
        )
        if not rows:
            break
        after = rows[-1][0]
        updates = []
        for seq, doc in rows:
            old = decode(doc)
            new = change(old)
            if new != old:
                updates.append((new.author, new.title, new.text, encode(new), seq))
        if updates:
            with store._transaction() as conn:
                conn.execute("PRAGMA secure_delete = ON")
                conn.executemany(
                    "UPDATE signals SET author = ?, title = ?, text = ?, doc = ? WHERE seq = ?",
                    updates,
                )
            changed += len(updates)
    if changed:
        with store._transaction() as conn:  # merged: the old words leave the full-text index
            conn.execute("INSERT INTO signals_fts (signals_fts) VALUES ('optimize')")
        forget(store)
    return changed
