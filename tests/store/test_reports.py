"""Saved reports in SQLite: pouls.toml seeds them, the summary survives, each issue is sent once."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from pouls.config import Report
from pouls.store.reports import ReportExists, Reports
from pouls.store.sqlite import SQLiteStore

DUE = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def _report(name: str = "hebdo", **kw: object) -> Report:
    return msgspec.convert({"name": name, "workspace": "acme", **kw}, Report)


def test_the_file_seeds_reports_and_keeps_their_summary(store: SQLiteStore) -> None:
    book = Reports(store)
    assert book.sync([_report(), _report("mensuel", range="30d")], ["acme"]) == ["hebdo", "mensuel"]
    assert book.sync([_report(), _report("mensuel", range="30d")], ["acme"]) == []  # unchanged
    assert book.write_summary("acme", "hebdo", "Semaine calme.")
    book.save(_report("perso"), origin="web")
    assert book.sync([_report(title="Hebdo")], ["acme"]) == ["hebdo"]
    names = {r.name: r for r in book.list("acme")}
    assert sorted(names) == ["hebdo", "perso"]  # mensuel left the file; perso is the web's
    assert names["hebdo"].summary == "Semaine calme." and names["hebdo"].title == "Hebdo"
    assert names["hebdo"].origin == "config" and names["perso"].origin == "web"
    assert book.list("globex") == [] and book.get("globex", "hebdo") is None


def test_creating_a_report_twice_is_refused(store: SQLiteStore) -> None:
    book = Reports(store)
    book.save(_report(), create=True)
    with pytest.raises(ReportExists):
        book.save(_report(lang="en"), create=True)
    assert book.get("acme", "hebdo").report.lang == "fr"  # type: ignore[union-attr]


def test_each_issue_is_claimed_once_and_its_end_recorded(store: SQLiteStore) -> None:
    book = Reports(store)
    report = _report()
    book.save(report)
    since = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert book.claim(report, DUE, since, DUE)
    assert not book.claim(report, DUE, since, DUE)
    book.finish(report, DUE, "sent", "equipe: sent")
    [send] = book.sends("acme", "hebdo")
    assert (send.status, send.detail, send.since, send.until) == (
        "sent",
        "equipe: sent",
        since,
        DUE,
    )
    assert book.remove("acme", "hebdo") and book.sends("acme", "hebdo") == []
