"""Shared fixtures: a real SQLite store in tmp_path and a signal factory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pouls.signals import Signal, signal_id
from pouls.store.sqlite import SQLiteStore

T0 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def make_signal(
    n: int, text: str = "bonjour", *, workspace: str = "acme", source: str = "src", **fields: object
) -> Signal:
    """Signal number `n` of a source, created `n` minutes after T0."""
    values: dict[str, object] = {
        "channel": "mastodon",
        "kind": "post",
        "created_at": T0 + timedelta(minutes=n),
        "observed_at": T0 + timedelta(minutes=n, seconds=5),
    }
    values.update(fields)
    return Signal(
        id=signal_id(workspace, source, str(n)),
        workspace=workspace,
        source=source,
        native_id=str(n),
        text=text,
        **values,  # type: ignore[arg-type]
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "pouls.db")
    yield s
    s.close()


def sign_in_as_admin(client: object, store: SQLiteStore, *workspaces: str) -> None:
    """Make an admin of `workspaces` and sign `client` (a TestClient) in through /login."""
    from pouls.access.passwords import hash_password

    password = "mot de passe des tests"
    user_id = store.users.add("admin@tests", hash_password(password))
    for ws in workspaces:
        store.users.grant(user_id, ws, "admin")
    response = client.post(  # type: ignore[attr-defined]
        "/login", data={"login": "admin@tests", "password": password}
    )
    assert response.status_code == 200, response.text
