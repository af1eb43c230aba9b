"""Stored signals of the workspace's own accounts: re-marked when the declaration changes.

New signals are marked by the pipeline's stage (`pouls.enrich.accounts`); the history stored
before an account was declared (or after it was withdrawn) is re-marked here, by author pseudonym,
once per change of the declaration.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import TYPE_CHECKING

import msgspec

from pouls.signals import decode, encode

if TYPE_CHECKING:
    from pouls.store.sqlite import SQLiteStore


def mark(store: SQLiteStore, workspace: str, authors: Collection[str]) -> int:
    """Make the stored signals of `authors` own, and those of authors no longer declared not
    own; returns how many signals changed (none, cheaply, when the declaration is the same)."""
    wanted = set(authors)
    conn = store._reader()
    known = {
        a
        for (a,) in conn.execute("SELECT author FROM own_authors WHERE workspace = ?", (workspace,))
    }
    if known == wanted:
        return 0
    added, removed = sorted(wanted - known), sorted(known - wanted)
    changed = 0
    with store._transaction() as w:
        for own, who in ((True, added), (False, removed)):
            if not who:
                continue
            rows = w.execute(
                "SELECT seq, doc FROM signals WHERE workspace = ? AND own = ?"
                " AND author IN (SELECT value FROM json_each(?))",
                (workspace, int(not own), json.dumps(who)),
            ).fetchall()
            updates = [
                (int(own), encode(msgspec.structs.replace(decode(doc), own=own)), seq)
                for seq, doc in rows
            ]
            w.executemany("UPDATE signals SET own = ?, doc = ? WHERE seq = ?", updates)
            changed += len(updates)
        w.execute("DELETE FROM own_authors WHERE workspace = ?", (workspace,))
        w.executemany(
            "INSERT INTO own_authors (workspace, author) VALUES (?, ?)",
            [(workspace, a) for a in sorted(wanted)],
        )
    return changed
