"""Corrections as stored: the verdict written into the signal, the record of who gave it.

A correction rewrites the signal's facet columns and document in the same transaction as its
record, so every reader sees the corrected value and the dashboards' rollups of its block are
marked stale by the `signals` update trigger (migration 016). `put` calls `overlay`: a newer
version of a corrected signal (a re-fetch, an edit) keeps the person's verdict, and what the
models say of the new version becomes the record's `model`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from pouls.corrections import Correction, Example, corrected, model_value, restored
from pouls.query import Matcher, QueryError
from pouls.signals import Signal, decode, utcnow
from pouls.store.rows import from_us, to_us, update_row
from pouls.store.storable import Prepared, prepare

if TYPE_CHECKING:
    from pouls.store.sqlite import SQLiteStore

_CHUNK = 900


class Corrections:
    """The corrections of a store, every call scoped by workspace."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def correct(
        self,
        workspace: str,
        ids: Sequence[str],
        field: str,
        value: Any,
        *,
        user_id: int | None,
        by: str,
    ) -> list[str]:
        """Give `field` the (already checked) `value` on each signal of `ids`, all or none:
        returns the ids not found in this workspace, and then changes nothing."""
        wanted = list(dict.fromkeys(ids))
        now = to_us(utcnow())
        encoded = json.dumps(value, ensure_ascii=False)
        matcher = self._matcher(workspace)
        with self.store._transaction() as conn:
            found = _signals(conn, workspace, wanted)
            missing = [i for i in wanted if i not in found]
            if missing:
                return missing
            known = _models(conn, workspace, wanted, field)
            rows, updates = [], []
            for signal_id in wanted:
                signal = found[signal_id]
                model = known.get(signal_id, model_value(signal, field))
                rows.append(
                    (workspace, signal_id, field, encoded, json.dumps(model), user_id, by, now)
                )
                updates.append(corrected(signal, field, value))
            _rewrite(conn, updates)
            _rematch(conn, matcher, workspace, updates)
            conn.executemany(_SAVE, rows)
        return []

    def withdraw(self, workspace: str, signal_id: str, field: str) -> bool:
        """Put the models' value back in place of a correction; False when there was none."""
        matcher = self._matcher(workspace)
        with self.store._transaction() as conn:
            row = conn.execute(
                "SELECT model FROM corrections WHERE workspace = ? AND signal_id = ? AND field = ?",
                (workspace, signal_id, field),
            ).fetchone()
            found = _signals(conn, workspace, [signal_id])
            if row is None or signal_id not in found:
                return False
            back = restored(found[signal_id], field, json.loads(row[0]))
            _rewrite(conn, [back])
            _rematch(conn, matcher, workspace, [back])
            conn.execute(
                "DELETE FROM corrections WHERE workspace = ? AND signal_id = ? AND field = ?",
                (workspace, signal_id, field),
            )
        return True

    def _matcher(self, workspace: str) -> Matcher | None:
        """The workspace's topics, to match corrected signals again (a topic may read the
        corrected field: `sentiment:negative`, `lang:fr`); None when it has none. Built before
        the write transaction: reading takes the store's lock the first time in a thread."""
        matcher = Matcher()
        for topic in self.store.topics.list(workspace):
            try:
                matcher.add(topic.name, topic.query)
            except QueryError:
                continue  # checked when saved; never let one block a correction
        return matcher if len(matcher) else None

    def of(self, workspace: str, signal_id: str) -> list[Correction]:
        """The corrections of one signal, by field."""
        rows = (
            self.store._reader()
            .execute(
                _SELECT + " WHERE workspace = ? AND signal_id = ? ORDER BY field",
                (workspace, signal_id),
            )
            .fetchall()
        )
        return [_correction(r) for r in rows]

    def marked(self, workspace: str, ids: Sequence[str]) -> dict[str, list[str]]:
        """Which fields of these signals a person corrected (for the wall's marks)."""
        out: dict[str, list[str]] = {}
        reader = self.store._reader()
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            for signal_id, field in reader.execute(
                "SELECT signal_id, field FROM corrections WHERE workspace = ?"
                f" AND signal_id IN ({marks}) ORDER BY field",
                [workspace, *chunk],
            ):
                out.setdefault(signal_id, []).append(field)
        return out

    def listing(
        self, workspace: str, field: str | None = None
    ) -> Iterator[tuple[Correction, Signal]]:
        """Every correction of the workspace with its signal as stored, oldest first: the
        dataset a team takes away (`pouls.corrections.dataset`)."""
        sql = (
            "SELECT c.signal_id, c.field, c.value, c.model, c.by_name, c.at, s.doc"
            " FROM corrections c JOIN signals s ON s.id = c.signal_id AND s.workspace = c.workspace"
            " WHERE c.workspace = ?1 AND (?2 IS NULL OR c.field = ?2) ORDER BY c.at, c.signal_id, c.field"
        )
        for row in self.store._reader().execute(sql, (workspace, field)):
            yield _correction(row[:6]), decode(row[6])

    def examples(self, workspace: str) -> list[Example]:
        """What the workspace's adaptation learns from: each correction with its text."""
        return [
            Example(s.text, s.lang if c.field != "lang" else None, c.field, c.value, c.model)
            for c, s in self.listing(workspace)
        ]

    def count(self, workspace: str) -> int:
        return int(
            self.store._reader()
            .execute("SELECT count(*) FROM corrections WHERE workspace = ?", (workspace,))
            .fetchone()[0]
        )

    def version(self, workspace: str) -> tuple[int, int]:
        """Changes whenever a correction of the workspace is made, changed or withdrawn."""
        row = (
            self.store._reader()
            .execute(
                "SELECT count(*), coalesce(max(at), 0) FROM corrections WHERE workspace = ?",
                (workspace,),
            )
            .fetchone()
        )
        return int(row[0]), int(row[1])


def overlay(conn: sqlite3.Connection, newer: list[Prepared]) -> list[Prepared]:
    """Newer versions of stored signals with their corrections applied again; what the models
    say of each new version becomes its corrections' `model`. Called inside `put`."""
    if not newer:
        return newer
    ids = [p.signal.id for p in newer]
    found: dict[str, list[tuple[str, str]]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for signal_id, field, value in conn.execute(
            f"SELECT signal_id, field, value FROM corrections WHERE signal_id IN ({marks})", chunk
        ):
            found.setdefault(signal_id, []).append((field, value))
    if not found:
        return newer
    out = []
    for p in newer:
        fields = found.get(p.signal.id)
        if not fields:
            out.append(p)
            continue
        signal = p.signal
        for field, value in fields:
            conn.execute(
                "UPDATE corrections SET model = ? WHERE workspace = ? AND signal_id = ? AND field = ?",
                (json.dumps(model_value(signal, field)), signal.workspace, signal.id, field),
            )
            signal = corrected(signal, field, json.loads(value))
        ready = prepare(signal)
        out.append(ready if isinstance(ready, Prepared) else p)
    return out


def _signals(conn: sqlite3.Connection, workspace: str, ids: list[str]) -> dict[str, Signal]:
    out: dict[str, Signal] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for doc in conn.execute(
            f"SELECT doc FROM signals WHERE workspace = ? AND id IN ({marks})", [workspace, *chunk]
        ):
            signal = decode(doc[0])
            out[signal.id] = signal
    return out


def _models(conn: sqlite3.Connection, workspace: str, ids: list[str], field: str) -> dict[str, Any]:
    """What the models said, for signals corrected before: a second correction keeps it."""
    out: dict[str, Any] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for signal_id, model in conn.execute(
            "SELECT signal_id, model FROM corrections WHERE workspace = ? AND field = ?"
            f" AND signal_id IN ({marks})",
            [workspace, field, *chunk],
        ):
            out[signal_id] = json.loads(model)
    return out


def _rematch(
    conn: sqlite3.Connection, matcher: Matcher | None, workspace: str, signals: list[Signal]
) -> None:
    """Each signal's topic matches made again with its corrected values."""
    if matcher is None:
        return
    for s in signals:
        found = sorted(matcher.match(s))
        (seq,) = conn.execute("SELECT seq FROM signals WHERE id = ?", (s.id,)).fetchone()
        marks = ",".join("?" * len(found))
        conn.execute(
            f"DELETE FROM signal_topics WHERE workspace = ? AND seq = ? AND topic NOT IN ({marks})",
            [workspace, seq, *found],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO signal_topics (workspace, topic, seq) VALUES (?, ?, ?)",
            [(workspace, name, seq) for name in found],
        )


def _rewrite(conn: sqlite3.Connection, signals: list[Signal]) -> None:
    # The facet columns and the document; the update trigger marks the rollups' blocks stale.
    conn.executemany(_UPDATE, [update_row(s) for s in signals])


def _correction(row: Sequence[Any]) -> Correction:
    signal_id, field, value, model, by, at = row
    return Correction(
        signal_id=signal_id,
        field=field,
        value=json.loads(value),
        model=json.loads(model),
        by=by,
        at=from_us(at),
    )


_SELECT = "SELECT signal_id, field, value, model, by_name, at FROM corrections"
_SAVE = (
    "INSERT INTO corrections (workspace, signal_id, field, value, model, user_id, by_name, at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workspace, signal_id, field) DO UPDATE SET"
    " value = excluded.value, user_id = excluded.user_id, by_name = excluded.by_name,"
    " at = excluded.at"
)
_UPDATE = (
    "UPDATE signals SET visibility = ?, author = ?, lang = ?, sentiment = ?, site = ?, country = ?,"
    " observed_at = ?, doc = ?, toxic = ?, scam = ?, reach = ?, dup_cluster = ?, own = ?"
    " WHERE id = ?"
)
