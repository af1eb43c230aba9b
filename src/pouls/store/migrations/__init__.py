"""Schema migrations: numbered `.sql` files applied in order; `PRAGMA user_version` records the last."""

from __future__ import annotations

import sqlite3
from importlib import resources


def migrations() -> list[tuple[int, str]]:
    """(number, SQL) for every migration file shipped in this package, in order."""
    files = [f for f in resources.files(__package__).iterdir() if f.name.endswith(".sql")]
    return sorted((int(f.name.split("_", 1)[0]), f.read_text(encoding="utf-8")) for f in files)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations this database has not seen; returns the schema version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, sql in migrations():
        if number <= version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # executescript would COMMIT first; run statement by statement inside our transaction.
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number:d}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        version = number
    return version


def _statements(sql: str) -> list[str]:
    """Split a script on `;` at statement ends, keeping trigger bodies (BEGIN ... END;) whole."""
    out, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                out.append(current)
            current = ""
    if current.strip() and not current.strip().startswith("--"):
        out.append(current)
    return out
