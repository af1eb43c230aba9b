"""A running watcher takes up rules saved and deleted meanwhile (web app, API, CLI), without
a restart: what `pouls up` builds with `watch.assemble.start`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import msgspec

from pouls.config import Rule, load
from pouls.signals import utcnow
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.assemble import start
from pouls.watch.restart import RULE_REMOVED
from pouls.watch.ruleset import delete, save
from tests.conftest import make_signal


async def _until(check: Callable[[], bool]) -> None:
    for _ in range(400):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the running watcher never got there")


def test_a_rule_saved_while_pouls_runs_alerts_and_a_deleted_one_stops(tmp_path: Path) -> None:
    (tmp_path / "pouls.toml").write_text('[[workspaces]]\nid = "acme"\n', encoding="utf-8")
    settings = load(tmp_path, environ={})
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    now = utcnow()

    async def scenario() -> None:
        watcher = start(settings, store, reload_every=0.02)
        running = asyncio.create_task(watcher.run())
        assert watcher.rules == []
        vip = Rule(name="vip", workspace="acme", kind="match", query="journaliste")
        save(settings, store, vip, origin="web", create=True)
        await _until(lambda: [r.name for r in watcher.rules] == ["vip"])
        signal = make_signal(1, "Un journaliste appelle", created_at=now - timedelta(seconds=5))
        store.put([signal])
        watcher.listener([signal])
        await _until(lambda: [a.rule for a in book.open_alerts()] == ["vip"])
        (alert,) = book.open_alerts()
        # Changed: the new version runs and takes up the alert it left open.
        changed = msgspec.structs.replace(vip, sensitivity=0.8)
        save(settings, store, changed, origin="web", create=False)
        await _until(lambda: watcher.rules[0].sensitivity == 0.8)
        assert [a.id for a in book.open_alerts()] == [alert.id]
        # Deleted: it stops, and its open alert is closed, saying why.
        assert delete(settings, store, "acme", "vip")
        await _until(lambda: watcher.rules == [])
        assert book.open_alerts() == []
        assert book.history("acme", alert.id)[-1].note == RULE_REMOVED
        later = make_signal(2, "Encore un journaliste", created_at=now)
        store.put([later])
        watcher.listener([later])
        await watcher.close()
        await running
        assert [a.id for a in book.alerts("acme")] == [alert.id]  # nothing raised once deleted

    asyncio.run(scenario())
    store.close()
