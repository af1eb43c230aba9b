"""SQL of the watchers: rules added at run time, alerts and their updates, delivery attempts.

Kept beside `sqlite.py` so that all SQL stays in `pouls.store`; documents (a rule, an alert's
explanation) are stored as JSON and typed by the caller, so the store imports nothing of `watch`.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

import msgspec

from pouls.signals import Signal, decode, utcnow
from pouls.store.rows import from_us, to_us
from pouls.store.sqlite import SQLiteStore


class StoredRule(msgspec.Struct, kw_only=True):
    """A rule as stored: its JSON document, when it was added and changed, and where it came
    from (`config`: seeded from pouls.toml; `cli`; `web`)."""

    workspace: str
    name: str
    doc: bytes
    created_at: datetime
    origin: str = "cli"
    updated_at: datetime | None = None


class StoredAlert(msgspec.Struct, kw_only=True):
    """An alert as stored; `explanation` is JSON (or None until explained)."""

    id: int
    workspace: str
    rule: str
    kind: str
    status: str
    title: str
    started_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    observed: float | None
    baseline: float | None
    score: float | None
    explanation: bytes | None
    key: str | None = None  # alerts told once only: an escalation, a campaign's cluster
    state: str = "open"  # the team's: open, acknowledged, snoozed (until then), resolved
    assignee: str | None = None  # a member's login
    snoozed_until: datetime | None = None
    facts: bytes | None = None  # JSON (pouls.watch.titles.Facts): what the title says


class AlertChange(msgspec.Struct, kw_only=True):
    """One line of an alert's history: opened, updated or closed, with the values then."""

    at: datetime
    change: str
    observed: float | None
    baseline: float | None
    score: float | None
    note: str | None = None  # why, when it is not the detector: "rule removed"
    actor: str | None = None  # who acted (a login) for a team's action
    value: str | None = None  # the assignee, the snooze's end (ISO), the comment


class DeliveryRecord(msgspec.Struct, kw_only=True):
    """One delivery attempt: which sink, whether it worked, whether another attempt follows."""

    id: int
    workspace: str
    alert_id: int | None
    subject: str
    sink: str
    attempt: int
    ok: bool
    final: bool
    detail: str | None
    at: datetime


class AlertOverview(msgspec.Struct, kw_only=True):
    """What a list of alerts shows beside each: its peak and how its deliveries went."""

    peak: float | None
    changes: int
    attempts: int
    delivered: int  # notices that reached a sink
    failed: int  # notices given up on (final failed attempts)
    last_error: str | None


class RuleExists(Exception):
    """A rule of that name already exists in the workspace."""


class AlertExists(Exception):
    """An alert with that key was already recorded in the workspace."""


class AlertChanged(Exception):
    """The alert was changed by someone else between reading and acting: nothing recorded."""


_ALERT_COLUMNS = (
    "id, workspace, rule, kind, status, title, started_at, updated_at, closed_at,"
    " observed, baseline, score, explanation, key, state, assignee, snoozed_until, facts"
)
# A snooze that is over leaves the alert open: filters read the state as of `now` (?N).
_STATE_AT = "CASE WHEN state = 'snoozed' AND snoozed_until <= ?{n} THEN 'open' ELSE state END"


class WatchStore:
    """Rules, alerts and deliveries in the same SQLite file as the signals."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    # -- rules --------------------------------------------------------------------------------

    def add_rule(
        self,
        workspace: str,
        name: str,
        doc: bytes,
        *,
        replace: bool = False,
        origin: str = "cli",
    ) -> None:
        """Store a rule; `RuleExists` unless `replace` (which keeps its creation time)."""
        now = to_us(utcnow())
        sql = (
            "INSERT INTO rules (workspace, name, doc, created_at, origin, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
        )
        if replace:
            sql += (
                " ON CONFLICT (workspace, name) DO UPDATE SET doc = excluded.doc,"
                " origin = excluded.origin, updated_at = excluded.updated_at"
            )
        try:
            with self.store._transaction() as conn:
                conn.execute(sql, (workspace, name, doc.decode(), now, origin, now))
        except sqlite3.IntegrityError:
            raise RuleExists(f"rule {name!r} already exists in workspace {workspace!r}") from None

    def rules(self, workspace: str | None = None) -> list[StoredRule]:
        """Stored rules of one workspace (or all), by name."""
        rows = self.store._reader().execute(
            "SELECT workspace, name, doc, created_at, origin, updated_at FROM rules"
            " WHERE (?1 IS NULL OR workspace = ?1) ORDER BY workspace, name",
            (workspace,),
        )
        return [
            StoredRule(
                workspace=w,
                name=n,
                doc=d.encode(),
                created_at=from_us(c),
                origin=o,
                updated_at=from_us(u) if u else None,
            )
            for w, n, d, c, o, u in rows
        ]

    def rule(self, workspace: str, name: str) -> StoredRule | None:
        """One stored rule of the workspace, or None."""
        return next((r for r in self.rules(workspace) if r.name == name), None)

    def rules_version(self) -> tuple[int, int]:
        """Moves whenever any rule is added, changed or removed: the watcher reloads then."""
        row = (
            self.store._reader()
            .execute("SELECT count(*), coalesce(sum(updated_at + created_at), 0) FROM rules")
            .fetchone()
        )
        return int(row[0]), int(row[1])

    def remove_rule(self, workspace: str, name: str) -> bool:
        """Delete a stored rule; False when there was none."""
        with self.store._transaction() as conn:
            cur = conn.execute(
                "DELETE FROM rules WHERE workspace = ? AND name = ?", (workspace, name)
            )
            return cur.rowcount > 0

    # -- alerts -------------------------------------------------------------------------------

    def open_alert(
        self,
        workspace: str,
        *,
        rule: str,
        kind: str,
        title: str,
        at: datetime,
        observed: float | None,
        baseline: float | None,
        score: float | None,
        explanation: bytes | None = None,
        key: str | None = None,
        facts: bytes | None = None,
    ) -> int:
        """Record a new alert and its `opened` line; returns its id.

        With a `key` already recorded in the workspace, `AlertExists` and nothing is recorded.
        """
        us = to_us(at)
        with self.store._transaction() as conn:
            try:
                cur = conn.execute(
                    "INSERT INTO alerts (workspace, rule, kind, status, title, started_at,"
                    " updated_at, observed, baseline, score, explanation, key, facts)"
                    " VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        workspace,
                        rule,
                        kind,
                        title,
                        us,
                        us,
                        observed,
                        baseline,
                        score,
                        explanation,
                        key,
                        facts.decode() if facts else None,
                    ),
                )
            except sqlite3.IntegrityError:
                raise AlertExists(f"alert {key!r} already recorded in {workspace!r}") from None
            alert_id = int(cur.lastrowid or 0)
            conn.execute(
                "INSERT INTO alert_updates (alert_id, at, change, observed, baseline, score)"
                " VALUES (?, ?, 'opened', ?, ?, ?)",
                (alert_id, us, observed, baseline, score),
            )
        return alert_id

    def change_alert(
        self,
        workspace: str,
        alert_id: int,
        *,
        change: str,
        at: datetime,
        observed: float | None = None,
        baseline: float | None = None,
        score: float | None = None,
        title: str | None = None,
        explanation: bytes | None = None,
        note: str | None = None,
        facts: bytes | None = None,
    ) -> None:
        """Record an `updated` or `closed` line and bring the alert's current values up to date.

        `note` says why when the detector did not decide it (an alert whose rule was removed).
        """
        us = to_us(at)
        with self.store._transaction() as conn:
            conn.execute(
                "UPDATE alerts SET updated_at = ?, observed = coalesce(?, observed),"
                " baseline = coalesce(?, baseline), score = coalesce(?, score),"
                " title = coalesce(?, title), explanation = coalesce(?, explanation),"
                " facts = coalesce(?, facts),"
                " status = CASE WHEN ? = 'closed' THEN 'closed' ELSE status END,"
                " closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END"
                " WHERE workspace = ? AND id = ?",
                (
                    us,
                    observed,
                    baseline,
                    score,
                    title,
                    explanation,
                    facts.decode() if facts else None,
                    change,
                    change,
                    us,
                    workspace,
                    alert_id,
                ),
            )
            conn.execute(
                "INSERT INTO alert_updates (alert_id, at, change, observed, baseline, score, note)"
                " SELECT id, ?, ?, ?, ?, ?, ? FROM alerts WHERE workspace = ? AND id = ?",
                (us, change, observed, baseline, score, note, workspace, alert_id),
            )

    def alerts(
        self,
        workspace: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        rule: str | None = None,
        status: str | None = None,
        state: str | None = None,
        assignee: str | None = None,
        unassigned: bool = False,
        now: datetime | None = None,
        limit: int = 100,
        after: tuple[datetime, int] | None = None,
    ) -> list[StoredAlert]:
        """Alerts of a workspace, newest first; `state` as of `now`; `after`: the (start, id)
        of the last alert of the previous page."""
        rows = self.store._reader().execute(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE workspace = ?1"
            " AND (?2 IS NULL OR started_at >= ?2) AND (?3 IS NULL OR started_at < ?3)"
            " AND (?4 IS NULL OR rule = ?4) AND (?5 IS NULL OR status = ?5)"
            f" AND (?6 IS NULL OR {_STATE_AT.format(n=7)} = ?6)"
            " AND (?8 IS NULL OR assignee = ?8) AND (NOT ?9 OR assignee IS NULL)"
            " AND (?11 IS NULL OR started_at < ?11 OR (started_at = ?11 AND id < ?12))"
            " ORDER BY started_at DESC, id DESC LIMIT ?10",
            (
                workspace,
                to_us(since) if since else None,
                to_us(until) if until else None,
                rule,
                status,
                state,
                to_us(now or utcnow()),
                assignee,
                int(unassigned),
                limit,
                to_us(after[0]) if after else None,
                after[1] if after else None,
            ),
        )
        return [_alert(r) for r in rows]

    def alert_rules(self, workspace: str) -> list[str]:
        """The rule names that raised alerts in a workspace (what the list filters on)."""
        rows = self.store._reader().execute(
            "SELECT DISTINCT rule FROM alerts WHERE workspace = ? ORDER BY rule", (workspace,)
        )
        return [r for (r,) in rows]

    def act(
        self,
        workspace: str,
        alert_id: int,
        *,
        change: str,
        actor: str | None,
        at: datetime,
        state: str,
        assignee: str | None,
        snoozed_until: datetime | None,
        value: str | None = None,
        expected: tuple[str, str | None, datetime | None] | None = None,
    ) -> None:
        """Record a team's action on an alert (a history line with who and when) and its new
        state, assignee and snooze, in one transaction.

        `expected` is (state, assignee, snoozed_until) as the action was decided on: when the
        alert no longer stands so, `AlertChanged` and nothing is recorded.
        """
        us = to_us(at)
        until = to_us(snoozed_until) if snoozed_until else None
        with self.store._transaction() as conn:
            guard, args = "", []
            if expected is not None:
                was, who, till = expected
                guard = " AND state = ? AND assignee IS ? AND snoozed_until IS ?"
                args = [was, who, to_us(till) if till else None]
            cur = conn.execute(
                "UPDATE alerts SET state = ?, assignee = ?, snoozed_until = ?"
                f" WHERE workspace = ? AND id = ?{guard}",
                (state, assignee, until, workspace, alert_id, *args),
            )
            if cur.rowcount == 0:
                raise AlertChanged(f"alert {alert_id} changed meanwhile in {workspace!r}")
            conn.execute(
                "INSERT INTO alert_updates (alert_id, at, change, actor, value)"
                " VALUES (?, ?, ?, ?, ?)",
                (alert_id, us, change, actor, value),
            )

    def open_alerts(self) -> list[StoredAlert]:
        """The open alerts of every workspace, oldest first (what a restarted watcher takes up)."""
        rows = self.store._reader().execute(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE status = 'open' ORDER BY started_at, id"
        )
        return [_alert(r) for r in rows]

    def alert(self, workspace: str, alert_id: int) -> StoredAlert | None:
        """One alert of a workspace; None when it is another workspace's or does not exist."""
        row = (
            self.store._reader()
            .execute(
                f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE workspace = ? AND id = ?",
                (workspace, alert_id),
            )
            .fetchone()
        )
        return _alert(row) if row else None

    def has_key(self, workspace: str, key: str) -> bool:
        """Whether an alert with this key was recorded in the workspace."""
        row = (
            self.store._reader()
            .execute("SELECT 1 FROM alerts WHERE workspace = ? AND key = ?", (workspace, key))
            .fetchone()
        )
        return row is not None

    def alert_by_key(self, workspace: str, key: str) -> StoredAlert | None:
        """The alert recorded under this key in the workspace, if any."""
        row = (
            self.store._reader()
            .execute(
                f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE workspace = ? AND key = ?",
                (workspace, key),
            )
            .fetchone()
        )
        return _alert(row) if row else None

    def copies(
        self, workspace: str, cluster: str, *, until: datetime, limit: int = 1000
    ) -> list[Signal]:
        """The signals of a near-duplicate cluster created before `until`, oldest first."""
        rows = self.store._reader().execute(
            "SELECT doc FROM (SELECT doc, created_at FROM signals WHERE workspace = ?"
            " AND dup_cluster = ? AND created_at < ? ORDER BY created_at DESC LIMIT ?)"
            " ORDER BY created_at",
            (workspace, cluster, to_us(until), limit),
        )
        return [decode(doc) for (doc,) in rows]

    def stored_since(
        self, workspace: str, seq: int, *, since: datetime
    ) -> tuple[list[Signal], int, int, int]:
        """The signals stored after row `seq` and created from `since`, but the workspace's
        own accounts', in storage order; then, from the same snapshot, the workspace's last
        row, how many rows came after `seq`, and how many it holds (a total that did not grow
        by those rows: some were removed).

        The signals are read from the row's columns, not its document (several times faster):
        who, where, when, what and the duplicate cluster, without the other enrichments, the
        raw payload or the author's handle and name.
        """
        conn = self.store._reader()
        conn.execute("BEGIN")
        try:
            top, total = conn.execute(
                "SELECT coalesce(max(seq), 0), count(*) FROM signals WHERE workspace = ?",
                (workspace,),
            ).fetchone()
            added = conn.execute(
                "SELECT count(*) FROM signals WHERE workspace = ? AND seq > ? AND seq <= ?",
                (workspace, seq, top),
            ).fetchone()[0]
            rows = conn.execute(
                "SELECT id, source, channel, kind, visibility, author, created_at, observed_at,"
                " title, text, dup_cluster FROM signals WHERE workspace = ? AND seq > ?"
                " AND seq <= ? AND created_at >= ? AND own = 0 ORDER BY seq",
                (workspace, seq, top, to_us(since)),
            ).fetchall()
        finally:
            conn.execute("COMMIT")
        signals = [
            Signal(
                id=i,
                workspace=workspace,
                source=src,
                channel=channel,
                kind=kind,
                visibility=visibility,
                author=author,
                created_at=from_us(created),
                observed_at=from_us(observed),
                title=title,
                text=text,
                dup_cluster=cluster,
            )
            for i, src, channel, kind, visibility, author, created, observed, title, text, cluster in rows
        ]
        return signals, top, added, total

    def history(self, workspace: str, alert_id: int) -> list[AlertChange]:
        """An alert's opened, updated and closed lines, oldest first."""
        rows = self.store._reader().execute(
            "SELECT u.at, u.change, u.observed, u.baseline, u.score, u.note, u.actor, u.value"
            " FROM alert_updates u"
            " JOIN alerts a ON a.id = u.alert_id WHERE a.workspace = ? AND u.alert_id = ?"
            " ORDER BY u.at, u.rowid",
            (workspace, alert_id),
        )
        return [
            AlertChange(
                at=from_us(at),
                change=c,
                observed=o,
                baseline=b,
                score=s,
                note=n,
                actor=who,
                value=v,
            )
            for at, c, o, b, s, n, who, v in rows
        ]

    def overview(self, workspace: str, alert_ids: list[int]) -> dict[int, AlertOverview]:
        """Peak and delivery counts of the given alerts, by id."""
        if not alert_ids:
            return {}
        marks = ", ".join("?" * len(alert_ids))
        reader = self.store._reader()
        peaks = {
            a: (p, n)
            for a, p, n in reader.execute(
                "SELECT u.alert_id, max(u.observed), sum(u.actor IS NULL AND u.value IS NULL)"
                " FROM alert_updates u"
                f" JOIN alerts a ON a.id = u.alert_id WHERE a.workspace = ? AND a.id IN ({marks})"
                " GROUP BY u.alert_id",
                (workspace, *alert_ids),
            )
        }
        sent = {
            a: (n, ok, failed)
            for a, n, ok, failed in reader.execute(
                "SELECT alert_id, count(*), sum(ok AND final), sum(NOT ok AND final)"
                f" FROM deliveries WHERE workspace = ? AND alert_id IN ({marks}) GROUP BY alert_id",
                (workspace, *alert_ids),
            )
        }
        errors = dict(
            reader.execute(
                "SELECT alert_id, detail FROM deliveries WHERE id IN (SELECT max(id) FROM"
                f" deliveries WHERE workspace = ? AND alert_id IN ({marks}) AND NOT ok"
                " GROUP BY alert_id)",
                (workspace, *alert_ids),
            )
        )
        out = {}
        for i in alert_ids:
            peak, changes = peaks.get(i, (None, 0))
            n, ok, failed = sent.get(i, (0, 0, 0))
            out[i] = AlertOverview(
                peak=peak,
                changes=changes,
                attempts=n,
                delivered=ok or 0,
                failed=failed or 0,
                last_error=errors.get(i),
            )
        return out

    # -- deliveries ---------------------------------------------------------------------------

    def record_delivery(
        self,
        workspace: str,
        *,
        alert_id: int | None,
        subject: str,
        sink: str,
        attempt: int,
        ok: bool,
        final: bool,
        detail: str | None,
        at: datetime | None = None,
    ) -> None:
        """Record one delivery attempt, successful or not."""
        with self.store._transaction() as conn:
            conn.execute(
                "INSERT INTO deliveries (workspace, alert_id, subject, sink, attempt, ok, final,"
                " detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    workspace,
                    alert_id,
                    subject,
                    sink,
                    attempt,
                    int(ok),
                    int(final),
                    (detail or "")[:2000] or None,
                    to_us(at or utcnow()),
                ),
            )

    def deliveries(
        self, workspace: str, *, alert_id: int | None = None, limit: int = 100
    ) -> list[DeliveryRecord]:
        """Delivery attempts of a workspace (or of one alert), newest first."""
        rows = self.store._reader().execute(
            "SELECT id, workspace, alert_id, subject, sink, attempt, ok, final, detail, at"
            " FROM deliveries WHERE workspace = ?1 AND (?2 IS NULL OR alert_id = ?2)"
            " ORDER BY id DESC LIMIT ?3",
            (workspace, alert_id, limit),
        )
        return [
            DeliveryRecord(
                id=i,
                workspace=w,
                alert_id=a,
                subject=s,
                sink=k,
                attempt=n,
                ok=bool(ok),
                final=bool(f),
                detail=d,
                at=from_us(at),
            )
            for i, w, a, s, k, n, ok, f, d, at in rows
        ]


def _alert(row: tuple) -> StoredAlert:
    i, w, rule, kind, status, title, started, updated, closed, obs, base, score, expl, key = row[
        :14
    ]
    state, assignee, snoozed, facts = row[14:]
    return StoredAlert(
        id=i,
        workspace=w,
        rule=rule,
        kind=kind,
        status=status,
        title=title,
        started_at=from_us(started),
        updated_at=from_us(updated),
        closed_at=from_us(closed) if closed else None,
        observed=obs,
        baseline=base,
        score=score,
        explanation=expl.encode() if isinstance(expl, str) else expl,
        key=key,
        state=state,
        assignee=assignee,
        snoozed_until=from_us(snoozed) if snoozed else None,
        facts=facts.encode() if isinstance(facts, str) else facts,
    )
