"""Storing what a webhook delivered, through the same stages as the pipeline, before answering.

Webhook routes (generic ingest, Meta, check-ins) call `store_batch` and answer only after the
commit: a 2xx means stored, and a failure answers 5xx so the sender retries (every platform
does). The ids derived from native ids make such a retry a no-op for what was stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from fastapi import FastAPI

from pouls import pipeline
from pouls.enrich import Enricher
from pouls.signals import Batch, Signal
from pouls.store import PutResult

log = logging.getLogger("pouls.web.intake")


def stages(app: FastAPI) -> Sequence[Enricher]:
    """The app's stages (privacy first, then enrichers): those `pouls up` shares with its
    pipeline, so that a webhook's copy joins the same duplicate cluster as a polled one; or,
    for an app on its own, built once from its settings."""
    found = getattr(app.state, "stages", None)
    if found is None:
        found = app.state.stages = pipeline.stages_for(app.state.settings, app.state.store)
    return found


def _apply(app: FastAPI, signals: list[Signal]) -> list[Signal]:
    # Requests run in parallel threads: pipeline.apply lets one batch at a time through.
    return pipeline.apply(stages(app), signals)


async def store_batch(app: FastAPI, workspace: str, source: str, batch: Batch) -> PutResult:
    """Run the stages on the batch, store it with its cursor in one transaction, tell live pages."""
    signals = batch.signals
    if signals:
        signals = await asyncio.to_thread(_apply, app, signals)
    result: PutResult = await asyncio.to_thread(
        app.state.store.put,
        signals,
        dead_letters=batch.dead_letters,
        cursors={(workspace, source): batch.cursor},
    )
    app.state.live.publish(signals)
    return result
