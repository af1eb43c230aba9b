"""Topics in SQLite: saved queries per workspace, and the backfill of their matches over history."""

from __future__ import annotations

import builtins
import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from pouls.query import Matcher, compile_sqlite, parse
from pouls.signals import decode, utcnow
from pouls.store import Filters
from pouls.store.rows import to_us

if TYPE_CHECKING:
    from pouls.store.sqlite import SQLiteStore

BACKFILL_CHUNK = 5000


class Topic(msgspec.Struct, kw_only=True):
    """A saved search as stored."""

    workspace: str
    name: str
    query: str
    tags: list[str] = msgspec.field(default_factory=list)
    color: str | None = None
    origin: str = "cli"
    backfilled_seq: int | None = None


class Topics:
    """The topics of a store; every method is scoped by workspace."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        # (workspace, name) of backfills running in this process: `pouls up` may start one
        # from the web app while its keeper finds the same topic owed; the second returns.
        self._running: set[tuple[str, str]] = set()
        self._running_lock = threading.Lock()

    def list(self, workspace: str) -> list[Topic]:
        rows = self.store._reader().execute(
            "SELECT workspace, name, query, tags, color, origin, backfilled_seq FROM topics"
            " WHERE workspace = ? ORDER BY name",
            (workspace,),
        )
        return [
            Topic(
                workspace=w,
                name=n,
                query=q,
                tags=json.loads(t),
                color=c,
                origin=o,
                backfilled_seq=b,
            )
            for w, n, q, t, c, o, b in rows
        ]

    def get(self, workspace: str, name: str) -> Topic | None:
        return next((t for t in self.list(workspace) if t.name == name), None)

    def live_from(self, workspace: str, names: builtins.list[str]) -> None:
        """The topic stage matches `names` live from now on: what is stored up to now is the
        backfill's to cover (batches read with the old matcher may have landed after it)."""
        with self.store._transaction() as conn:
            conn.executemany(
                "UPDATE topics SET backfill_to = max(coalesce(backfill_to, 0),"
                " (SELECT coalesce(max(seq), 0) FROM signals))"
                " WHERE workspace = ? AND name = ?",
                [(workspace, name) for name in names],
            )

    def unfinished(self) -> builtins.list[tuple[str, str]]:
        """(workspace, name) of topics whose backfill stopped before the history it must cover."""
        rows = self.store._reader().execute(
            "SELECT workspace, name FROM topics"
            " WHERE coalesce(backfill_to, 0) > coalesce(backfilled_seq, 0) ORDER BY workspace, name"
        )
        return [(w, n) for w, n in rows]

    def history_end(self) -> int:
        """The seq of the newest stored signal: a backfill is done when it reaches it."""
        row = self.store._reader().execute("SELECT coalesce(max(seq), 0) FROM signals").fetchone()
        return int(row[0])

    def version(self, workspace: str) -> int:
        """Changes whenever a topic of the workspace is saved or removed."""
        row = (
            self.store._reader()
            .execute(
                "SELECT coalesce(max(updated_at), 0) + count(*) FROM topics WHERE workspace = ?",
                (workspace,),
            )
            .fetchone()
        )
        return int(row[0])

    def save(self, topic: Topic) -> bool:
        """Create or update; a changed query forgets the old matches. Returns True if it changed."""
        parse(topic.query)  # refuse an invalid query before storing it
        old = self.get(topic.workspace, topic.name)
        if old and (old.query, old.tags, old.color) == (topic.query, topic.tags, topic.color):
            return False
        now = to_us(utcnow())
        with self.store._transaction() as conn:
            if old is not None and old.query != topic.query:
                conn.execute(
                    "DELETE FROM signal_topics WHERE workspace = ? AND topic = ?",
                    (topic.workspace, topic.name),
                )
            keep = old.backfilled_seq if old is not None and old.query == topic.query else None
            conn.execute(
                "INSERT INTO topics (workspace, name, query, tags, color, origin, created_at,"
                " updated_at, backfilled_seq, backfill_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " (SELECT coalesce(max(seq), 0) FROM signals))"
                " ON CONFLICT (workspace, name) DO UPDATE SET query = excluded.query,"
                " tags = excluded.tags, color = excluded.color, origin = excluded.origin,"
                " updated_at = excluded.updated_at, backfilled_seq = excluded.backfilled_seq,"
                " backfill_to = CASE WHEN topics.query = excluded.query THEN topics.backfill_to"
                " ELSE excluded.backfill_to END",
                (
                    topic.workspace,
                    topic.name,
                    topic.query,
                    json.dumps(topic.tags),
                    topic.color,
                    topic.origin,
                    now,
                    now,
                    keep,
                ),
            )
        return True

    def remove(self, workspace: str, name: str) -> bool:
        """Delete a topic and its matches; False when there was none."""
        with self.store._transaction() as conn:
            conn.execute(
                "DELETE FROM signal_topics WHERE workspace = ? AND topic = ?", (workspace, name)
            )
            gone = conn.execute(
                "DELETE FROM topics WHERE workspace = ? AND name = ?", (workspace, name)
            )
            return gone.rowcount > 0

    def matches(self, workspace: str, name: str) -> int:
        """How many stored signals the topic matches now, backfill and live stage together:
        what its page counts, where a backfill's return value counts only its own run."""
        return (
            self.store.search(workspace, None, Filters(topic=name), limit=1, count=True).total or 0
        )

    def backfill(
        self,
        workspace: str,
        name: str,
        on_progress: Callable[[int, int], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> int:
        """Match a topic over the stored history it has not seen; returns how many matched.

        Runs in chunks of signals (by seq) so the writer lock is held briefly, and loops until
        it reaches the newest stored signal, so nothing stored meanwhile is skipped. Each chunk
        records how far it got, so `stop()` returning True ends it early and a later call resumes.
        One backfill of a topic at a time in a process: a second call while one runs returns 0.
        """
        key = (workspace, name)
        with self._running_lock:
            if key in self._running:
                return 0
            self._running.add(key)
        try:
            return self._backfill(workspace, name, on_progress, stop)
        finally:
            with self._running_lock:
                self._running.discard(key)

    def _backfill(
        self,
        workspace: str,
        name: str,
        on_progress: Callable[[int, int], None] | None,
        stop: Callable[[], bool] | None,
    ) -> int:
        topic = self.get(workspace, name)
        if topic is None:
            raise KeyError(name)
        node = parse(topic.query)
        plan = compile_sqlite(node)
        condition, params = plan.condition()
        matcher = None if plan.exact else Matcher({name: node})
        reader = self.store._reader()
        start = topic.backfilled_seq or 0
        matched = 0
        while True:
            newest = reader.execute("SELECT coalesce(max(seq), 0) FROM signals").fetchone()[0]
            if newest <= start:
                return matched
            total = newest - (topic.backfilled_seq or 0)
            while start < newest:
                if stop is not None and stop():
                    return matched
                end = min(start + BACKFILL_CHUNK, newest)
                rows = reader.execute(
                    f"SELECT seq, doc FROM signals WHERE workspace = ? AND seq > ? AND seq <= ?"
                    f" AND ({condition})",
                    [workspace, start, end, *params],
                ).fetchall()
                seqs = [seq for seq, doc in rows if matcher is None or matcher.match(decode(doc))]
                with self.store._transaction() as conn:
                    conn.executemany(
                        "INSERT OR IGNORE INTO signal_topics (workspace, topic, seq) VALUES (?, ?, ?)",
                        [(workspace, name, seq) for seq in seqs],
                    )
                    conn.execute(
                        "UPDATE topics SET backfilled_seq = ? WHERE workspace = ? AND name = ?",
                        (end, workspace, name),
                    )
                matched += len(seqs)
                start = end
                if on_progress:
                    on_progress(end - (topic.backfilled_seq or 0), total)
