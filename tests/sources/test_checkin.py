"""Check-ins from the command line (a real `pouls` process) and from the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pouls.config import load
from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.cli.process import pouls

TOKEN = "phone-token-for-tests"

CONFIG = """
[[workspaces]]
id = "moi"

[[sources]]
type = "checkin"
name = "humeur"
workspace = "moi"
token_env = "POULS_TEST_CHECKIN_TOKEN"
"""


def test_cli_checkin_stores_a_private_mood_with_tags_and_place(tmp_path: Path) -> None:
    (tmp_path / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    done = pouls(
        tmp_path, "checkin", "--mood", "4", "--tag", "sommeil", "--place", "Nantes", "Bien dormi"
    )
    assert done.returncode == 0, done.stderr
    assert "moi/humeur" in done.stdout
    store = SQLiteStore(tmp_path / "pouls.db")
    try:
        [signal] = store.search("moi", "#sommeil", Filters(channel="checkin")).signals
    finally:
        store.close()
    assert (signal.kind, signal.visibility, signal.value, signal.unit) == (
        "checkin",
        "private",
        4.0,
        "mood",
    )
    assert signal.text == "Bien dormi #sommeil"
    assert signal.geo is not None and signal.geo.place == "Nantes"


def test_cli_refuses_a_mood_out_of_range(tmp_path: Path) -> None:
    done = pouls(tmp_path, "checkin", "--mood", "9", "trop")
    assert done.returncode != 0
    assert "9" in done.stderr


@pytest.fixture
def client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, SQLiteStore]]:
    monkeypatch.setenv("POULS_TEST_CHECKIN_TOKEN", TOKEN)
    (tmp_path / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    store = SQLiteStore(tmp_path / "pouls.db")
    with TestClient(create_app(load(tmp_path, environ={}), store)) as c:
        yield c, store
    store.close()


def test_api_checkin_records_a_measure_once_per_client_id(client) -> None:
    c, store = client
    body = {"value": 7.5, "unit": "hours", "note": "sleep", "tags": ["#sleep"], "id": "phone-1"}
    auth = {"Authorization": f"Bearer {TOKEN}"}
    first = c.post("/api/v1/checkins", json=body, headers=auth)
    assert first.status_code == 201, first.text
    assert c.post("/api/v1/checkins", json=body, headers=auth).json()["id"] == first.json()["id"]
    signal = store.get("moi", first.json()["id"])
    assert signal is not None
    assert (signal.value, signal.unit, signal.text, signal.channel) == (
        7.5,
        "hours",
        "sleep #sleep",
        "checkin",
    )
    assert store.count("moi") == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"mood": 6}, "<= 5"),
        ({"mood": 3, "value": 2, "unit": "h"}, "not both"),
        ({"value": 2}, "unit"),
        ({}, "nothing to record"),
        ({"mood": 3, "colour": "red"}, "colour"),
    ],
)
def test_api_refuses_what_is_not_a_checkin(client, body, message: str) -> None:
    c, store = client
    response = c.post("/api/v1/checkins", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 422
    assert message in response.text
    assert store.count("moi") == 0


def test_api_requires_the_sources_token(client) -> None:
    c, store = client
    assert c.post("/api/v1/checkins", json={"mood": 2}).status_code == 401
    wrong = {"Authorization": "Bearer guess"}
    assert c.post("/api/v1/checkins", json={"mood": 2}, headers=wrong).status_code == 401
    assert store.count("moi") == 0
