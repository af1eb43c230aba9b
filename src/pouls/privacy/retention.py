"""Retention: dead letters (raw input that may name someone) are deleted after `dead_letter_days`.

`pouls up` runs `keep` beside the pipeline; `pouls dead-letters` expires before it lists.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from pouls.config import Settings
from pouls.signals import utcnow
from pouls.store.retention import expire_dead_letters
from pouls.store.sqlite import SQLiteStore

log = logging.getLogger("pouls.privacy")

EVERY = 3600.0  # seconds between two passes of `keep`


def expire(settings: Settings, store: SQLiteStore, now: datetime | None = None) -> int:
    """Delete the dead letters older than `[privacy] dead_letter_days`; returns how many."""
    days = settings.file.privacy.dead_letter_days
    return expire_dead_letters(store, (now or utcnow()) - timedelta(days=days))


async def keep(
    settings: Settings, store: SQLiteStore, stop: asyncio.Event, every: float = EVERY
) -> None:
    """Expire dead letters now and then every `every` seconds until `stop` is set."""
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
