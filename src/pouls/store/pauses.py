"""SQL of paused sources: a source paused in the web app stays paused across restarts, and
the pipeline asks here before it reads (its cursor is kept as it was)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import msgspec

from pouls.signals import utcnow
from pouls.store.rows import from_us, to_us

if TYPE_CHECKING:
    from pouls.store.sqlite import SQLiteStore


class Pause(msgspec.Struct, kw_only=True, frozen=True):
    """Who paused a source, and when."""

    workspace: str
    source: str
    by: str
    at: datetime


class Pauses:
    """Paused sources, every method scoped by workspace."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def pause(self, workspace: str, source: str, by: str) -> None:
        with self.store._transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO paused_sources (workspace, source, by_login, at)"
                " VALUES (?, ?, ?, ?)",
                (workspace, source, by, to_us(utcnow())),
            )

    def resume(self, workspace: str, source: str) -> bool:
        """False when the source was not paused."""
        with self.store._transaction() as conn:
            cur = conn.execute(
                "DELETE FROM paused_sources WHERE workspace = ? AND source = ?",
                (workspace, source),
            )
            return cur.rowcount > 0

    def list(self, workspace: str) -> dict[str, Pause]:
        """The workspace's paused sources, by name."""
        rows = self.store._reader().execute(
            "SELECT source, by_login, at FROM paused_sources WHERE workspace = ?", (workspace,)
        )
        return {s: Pause(workspace=workspace, source=s, by=b, at=from_us(a)) for s, b, a in rows}

    def is_paused(self, workspace: str, source: str) -> bool:
        row = (
            self.store._reader()
            .execute(
                "SELECT 1 FROM paused_sources WHERE workspace = ? AND source = ?",
                (workspace, source),
            )
            .fetchone()
        )
        return row is not None
