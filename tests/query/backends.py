"""Both back ends side by side: a real SQLite database built from the migrations, and the matcher."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pouls.store
from pouls.query import Matcher, Node, compile_sqlite, site_of

MIGRATIONS = sorted((Path(pouls.store.__file__).parent / "migrations").glob("*.sql"))


def create_db(path: Path) -> sqlite3.Connection:
    """A database with the store's schema, made by running the migration files in order."""
    db = sqlite3.connect(path)
    for migration in MIGRATIONS:
        db.executescript(migration.read_text(encoding="utf-8"))
    return db


def fill(db: sqlite3.Connection, signals: Sequence[Mapping[str, Any]]) -> None:
    """Replace the stored signals with these; signal i gets seq i + 1."""
    db.execute("DELETE FROM signals")
    db.executemany(
        "INSERT INTO signals (seq, id, workspace, source, channel, kind, visibility, author, lang,"
        " sentiment, site, country, created_at, observed_at, title, text, doc)"
        " VALUES (?, ?, 'w', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)",
        [
            (
                i + 1,
                f"s{i}",
                s["source"],
                s["channel"],
                s["kind"],
                s["visibility"],
                s.get("author"),
                s.get("lang"),
                s.get("sentiment"),
                site_of(s.get("url")),
                s.get("country"),
                s.get("title"),
                s.get("text") or "",
                json.dumps({k: v for k, v in s.items() if v is not None}).encode(),
            )
            for i, s in enumerate(signals)
        ],
    )
    # As SQLiteStore.put does: the index of new rows is filled in one statement per batch.
    db.execute("INSERT INTO signals_fts (rowid, title, text) SELECT seq, title, text FROM signals")


def sql_select(
    db: sqlite3.Connection, node: Node, signals: Sequence[Mapping[str, Any]]
) -> set[int]:
    """Indexes of the signals the SQL plan selects, finished by the matcher when not exact."""
    plan = compile_sqlite(node)
    condition, params = plan.condition()
    seqs = [row[0] for row in db.execute(f"SELECT seq FROM signals WHERE {condition}", params)]
    if plan.exact:
        return {seq - 1 for seq in seqs}
    matcher = Matcher({"q": node})
    return {seq - 1 for seq in seqs if matcher.match(signals[seq - 1])}


def matcher_select(node: Node, signals: Sequence[Mapping[str, Any]]) -> set[int]:
    """Indexes of the signals the streaming matcher selects."""
    matcher = Matcher({"q": node})
    return {i for i, hit in enumerate(matcher.match_batch(signals)) if hit}
