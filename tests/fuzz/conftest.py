"""One app for every push route's fuzz test: starting it (and its models) once, not per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from pouls.store.sqlite import SQLiteStore
from tests.fuzz.routes import serving


@pytest.fixture(scope="session")
def pushed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, SQLiteStore]]:
    """The app with a source per push route over a real SQLite store, shared by the fuzz tests."""
    with serving(tmp_path_factory.mktemp("pushed")) as found:
        yield found
