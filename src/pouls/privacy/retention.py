"""Retention: dead letters (raw input that may name someone) are deleted after
`dead_letter_days`, and signals stored before the privacy stage hid identities are concealed.

`pouls up` runs `keep` beside the pipeline; `pouls dead-letters` expires before it lists.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from pouls.config import Settings
from pouls.privacy.pseudonyms import for_settings
from pouls.signals import utcnow
from pouls.store.retention import expire_dead_letters, rewrite_signals
from pouls.store.sqlite import SQLiteStore

log = logging.getLogger("pouls.privacy")

EVERY = 3600.0  # seconds between two passes of `keep`
PASSES = "privacy-passes.json"  # in the home: which workspaces' stored signals were concealed
PASS = 1  # raised when the privacy stage hides more: stored signals are concealed again


def expire(settings: Settings, store: SQLiteStore, now: datetime | None = None) -> int:
    """Delete the dead letters older than `[privacy] dead_letter_days`; returns how many."""
    days = settings.file.privacy.dead_letter_days
    return expire_dead_letters(store, (now or utcnow()) - timedelta(days=days))


def conceal_stored(settings: Settings, store: SQLiteStore) -> int:
    """Pass the stored signals of pseudonymous workspaces through the privacy stage once (per
    `PASS`): those stored before it hid identities are rewritten; returns how many."""
    path = settings.home / PASSES
    done: dict[str, int] = json.loads(path.read_text()) if path.exists() else {}
    stage = for_settings(settings)
    changed = 0
    for w in settings.workspaces:
        if w.identities == "named":  # what it stores from now on is concealed if it turns back
            done.pop(w.id, None)
        elif done.get(w.id, 0) < PASS:
            changed += rewrite_signals(store, w.id, lambda s: stage.enrich([s])[0])
            done[w.id] = PASS
        path.write_text(json.dumps(done, indent=1) + "\n", encoding="utf-8")
    return changed


async def keep(
    settings: Settings,
    store: SQLiteStore,
    stop: asyncio.Event,
    every: float = EVERY,
    concealed: Callable[[], None] = lambda: None,
) -> None:
    """Conceal what was stored before (once), then expire dead letters now and every `every`
    seconds until `stop` is set. `concealed()` once signals were concealed: `pouls up` then
    rebuilds the dashboards' rollups of their blocks (marked dirty by the rewrite), which
    still hold the old names until then."""
    try:
        hidden = await asyncio.to_thread(conceal_stored, settings, store)
    except Exception as exc:  # retried at the next start
        log.warning("stored signals not concealed: %s", type(exc).__name__)
    else:
        if hidden:
            log.info("%d stored signals concealed (identities hashed)", hidden)
            concealed()
    while not stop.is_set():
        try:
            gone = await asyncio.to_thread(expire, settings, store)
        except Exception as exc:  # the store is busy or closing: try again next time
            log.warning("dead letters not expired: %s", type(exc).__name__)
        else:
            if gone:
                log.info("%d dead letters expired", gone)
        try:
            await asyncio.wait_for(stop.wait(), every)
        except TimeoutError:
            continue
