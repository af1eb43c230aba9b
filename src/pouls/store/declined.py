"""SQL of the pouls.toml items deleted in the web app, so that the next start does not seed
them again (docs/settings.md: the store holds topics and rules, pouls.toml seeds them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pouls.signals import utcnow
from pouls.store.rows import to_us

if TYPE_CHECKING:
    from pouls.store.sqlite import SQLiteStore

Kind = Literal["topic", "rule", "report"]


class Declined:
    """Names of a workspace's topics, rules and reports that pouls.toml must no longer seed."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def add(self, workspace: str, kind: Kind, name: str) -> None:
        with self.store._transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO declined (workspace, kind, name, at) VALUES (?, ?, ?, ?)",
                (workspace, kind, name, to_us(utcnow())),
            )

    def forget(self, workspace: str, kind: Kind, name: str) -> None:
        """The name was made again in the app or CLI: the file may seed it again later."""
        with self.store._transaction() as conn:
            conn.execute(
                "DELETE FROM declined WHERE workspace = ? AND kind = ? AND name = ?",
                (workspace, kind, name),
            )

    def names(self, kind: Kind) -> set[tuple[str, str]]:
        """(workspace, name) of every declined item of that kind."""
        rows = self.store._reader().execute(
            "SELECT workspace, name FROM declined WHERE kind = ?", (kind,)
        )
        return {(w, n) for w, n in rows}
