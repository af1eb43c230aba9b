"""Waiting for the webhook intake: a 2xx means journaled, and the drainer stores just after."""

from __future__ import annotations

from fastapi.testclient import TestClient


def drained(client: TestClient) -> None:
    """Return once everything the app accepted so far is stored (the app's lifespan runs)."""
    client.portal.call(client.app.state.intake.settled)  # type: ignore[attr-defined,union-attr]
