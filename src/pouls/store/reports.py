"""Saved reports in SQLite: their settings, the analyst's summary, and each scheduled send.

pouls.toml seeds the table (`sync`) as it does topics and rules: a report declared there
follows the file until it is changed or deleted in the web app, which then wins. Its summary,
which the analyst writes for each issue, is the store's either way.
"""

from __future__ import annotations

import builtins
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import msgspec

from pouls.config.reports import Report
from pouls.signals import utcnow
from pouls.store.declined import Declined
from pouls.store.rows import from_us, to_us

if TYPE_CHECKING:
    from pouls.store.sqlite import SQLiteStore

log = logging.getLogger("pouls.report")

Origin = Literal["config", "web"]
SendStatus = Literal["sent", "failed", "empty"]


class SavedReport(msgspec.Struct, kw_only=True):
    """A report as stored: its settings, summary and where it was declared."""

    report: Report
    summary: str = ""
    origin: Origin = "web"
    updated_at: datetime | None = None

    @property
    def name(self) -> str:
        return self.report.name

    @property
    def title(self) -> str:
        return self.report.title or self.report.name


class Send(msgspec.Struct, kw_only=True):
    """One scheduled send of a report, as recorded."""

    report: str
    due_at: datetime
    since: datetime
    until: datetime
    status: SendStatus
    detail: str | None
    at: datetime


class ReportExists(Exception):
    """A report of that name exists already in the workspace."""


class Reports:
    """The reports of a store; every method is scoped by workspace."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    def list(self, workspace: str) -> builtins.list[SavedReport]:
        rows = self.store._reader().execute(
            "SELECT doc, summary, origin, updated_at FROM reports WHERE workspace = ?"
            " ORDER BY name",
            (workspace,),
        )
        return [_saved(*row) for row in rows]

    def all(self) -> builtins.list[SavedReport]:
        """Every workspace's reports (what the scheduler looks at)."""
        rows = self.store._reader().execute(
            "SELECT doc, summary, origin, updated_at FROM reports ORDER BY workspace, name"
        )
        return [_saved(*row) for row in rows]

    def get(self, workspace: str, name: str) -> SavedReport | None:
        row = (
            self.store._reader()
            .execute(
                "SELECT doc, summary, origin, updated_at FROM reports"
                " WHERE workspace = ? AND name = ?",
                (workspace, name),
            )
            .fetchone()
        )
        return _saved(*row) if row else None

    def save(self, report: Report, *, origin: Origin = "web", create: bool = False) -> bool:
        """Create or replace a report's settings (its summary is kept); True if it changed.
        With `create`, an existing report of that name is refused (`ReportExists`)."""
        doc = msgspec.json.encode(report).decode()
        now = to_us(utcnow())
        with self.store._transaction() as conn:
            old = conn.execute(
                "SELECT doc, origin FROM reports WHERE workspace = ? AND name = ?",
                (report.workspace, report.name),
            ).fetchone()
            if old is not None and create:
                raise ReportExists(report.name)
            if old is not None and tuple(old) == (doc, origin):
                return False
            conn.execute(
                "INSERT INTO reports (workspace, name, doc, origin, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workspace, name) DO UPDATE SET"
                " doc = excluded.doc, origin = excluded.origin, updated_at = excluded.updated_at",
                (report.workspace, report.name, doc, origin, now, now),
            )
        return True

    def write_summary(self, workspace: str, name: str, summary: str) -> bool:
        """The analyst's text for the next issues of the report; False when there is none."""
        with self.store._transaction() as conn:
            done = conn.execute(
                "UPDATE reports SET summary = ?, updated_at = ? WHERE workspace = ? AND name = ?",
                (summary, to_us(utcnow()), workspace, name),
            )
            return done.rowcount > 0

    def remove(self, workspace: str, name: str) -> bool:
        with self.store._transaction() as conn:
            conn.execute(
                "DELETE FROM report_sends WHERE workspace = ? AND report = ?", (workspace, name)
            )
            gone = conn.execute(
                "DELETE FROM reports WHERE workspace = ? AND name = ?", (workspace, name)
            )
            return gone.rowcount > 0

    def sync(
        self, declared: builtins.list[Report], workspaces: builtins.list[str]
    ) -> builtins.list[str]:
        """Seed the store with the reports of pouls.toml; returns the names of those added
        or changed (docs/settings.md: the store is the one source of truth).

        A file report nobody changed elsewhere follows the file, and leaves with its lines;
        one changed in the web app keeps that version; one deleted there stays deleted.
        Summaries are always kept; reports made in the web app are left alone.
        """
        declined = Declined(self.store).names("report")
        keys = {(r.workspace, r.name) for r in declared}
        for ws in workspaces:
            for old in self.list(ws):
                if old.origin == "config" and (ws, old.name) not in keys:
                    self.remove(ws, old.name)
        changed = []
        for r in declared:
            if (r.workspace, r.name) in declined:
                continue
            kept = self.get(r.workspace, r.name)
            if kept is not None and kept.origin != "config":
                if kept.report != r:
                    log.info(
                        "report %s/%s: pouls.toml differs, the version changed in the web app"
                        " is kept",
                        r.workspace,
                        r.name,
                    )
                continue
            if self.save(r, origin="config"):
                changed.append(r.name)
        return changed

    # -- sends --------------------------------------------------------------------------------

    def claim(self, report: Report, due_at: datetime, since: datetime, until: datetime) -> bool:
        """Take the send due at `due_at`; False when it was taken before (a restart at that
        very moment, or two processes): each issue goes out once."""
        with self.store._transaction() as conn:
            done = conn.execute(
                "INSERT OR IGNORE INTO report_sends (workspace, report, due_at, since, until,"
                " status, detail, at) VALUES (?, ?, ?, ?, ?, 'failed', 'under way', ?)",
                (
                    report.workspace,
                    report.name,
                    to_us(due_at),
                    to_us(since),
                    to_us(until),
                    to_us(utcnow()),
                ),
            )
            return done.rowcount > 0

    def finish(
        self, report: Report, due_at: datetime, status: SendStatus, detail: str | None
    ) -> None:
        """Record how a claimed send ended."""
        with self.store._transaction() as conn:
            conn.execute(
                "UPDATE report_sends SET status = ?, detail = ?, at = ?"
                " WHERE workspace = ? AND report = ? AND due_at = ?",
                (
                    status,
                    (detail or "")[:2000] or None,
                    to_us(utcnow()),
                    report.workspace,
                    report.name,
                    to_us(due_at),
                ),
            )

    def sends(self, workspace: str, name: str, limit: int = 20) -> builtins.list[Send]:
        """The report's scheduled sends, newest first."""
        rows = self.store._reader().execute(
            "SELECT report, due_at, since, until, status, detail, at FROM report_sends"
            " WHERE workspace = ? AND report = ? ORDER BY due_at DESC LIMIT ?",
            (workspace, name, limit),
        )
        return [
            Send(
                report=r,
                due_at=from_us(d),
                since=from_us(s),
                until=from_us(u),
                status=st,
                detail=det,
                at=from_us(a),
            )
            for r, d, s, u, st, det, a in rows
        ]


def _saved(doc: str, summary: str, origin: Origin, updated_at: int) -> SavedReport:
    return SavedReport(
        report=msgspec.json.decode(doc, type=Report),
        summary=summary,
        origin=origin,
        updated_at=from_us(updated_at),
    )
