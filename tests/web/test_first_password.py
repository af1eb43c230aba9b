"""An account an admin makes on the members page must choose its own password first: its
sign-in leads to the password page, every other page leads back there and the API answers 403
until it has; its API tokens, made after, and accounts made otherwise are not held."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pouls.access import digest
from pouls.access.passwords import hash_password
from pouls.config import load
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app

NEW = "mon propre mot de passe"


def _made(client: TestClient, login: str = "zoe@acme.fr") -> str:
    made = client.post("/settings/members/new?ws=acme", data={"login": login, "role": "analyst"})
    assert made.status_code == 201
    return made.text.split('<pre class="secret">')[1].split("</pre>")[0]


@pytest.fixture
def zoe(client: TestClient, home: Path, filled: SQLiteStore) -> tuple[TestClient, str]:
    """Zoé, made by Ana on the members page, signed in with the password Ana saw."""
    password = _made(client)
    browser = TestClient(
        create_app(load(home, environ={}), filled), headers={"Accept-Language": "en"}
    )
    signed = browser.post("/login", data={"login": "zoe@acme.fr", "password": password})
    assert signed.status_code == 200
    assert signed.url.path == "/settings/password"  # straight there, whatever `next` was
    return browser, password


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "Choose your own password before going on"),
        ("fr", "Choisissez votre propre mot de passe avant de continuer"),
    ],
)
def test_the_first_sign_in_leads_to_the_password_page_and_pages_lead_back_there(
    zoe: tuple[TestClient, str], lang: str, words: str
) -> None:
    browser, _ = zoe
    page = browser.get("/settings/password", headers={"Accept-Language": lang})
    assert page.status_code == 200 and words in page.text
    for path in ("/", "/dashboard?ws=acme", "/settings/members?ws=acme", "/alerts"):
        away = browser.get(path, follow_redirects=False)
        assert away.status_code == 303 and away.headers["location"] == "/settings/password", path
    refused = browser.get("/api/v1/signals?ws=acme", headers={"Accept-Language": lang})
    assert refused.status_code == 403 and "/settings/password" in refused.json()["detail"]
    assert ("password" if lang == "en" else "mot de passe") in refused.json()["detail"]
    hx = browser.get("/settings/members?ws=acme", headers={"HX-Request": "true"})
    assert hx.status_code == 403


def test_once_changed_every_page_opens_and_the_old_password_is_gone(
    zoe: tuple[TestClient, str], home: Path, filled: SQLiteStore
) -> None:
    browser, password = zoe
    weak = browser.post("/settings/password", data={"current": password, "new": "x", "again": "x"})
    assert weak.status_code == 400 and filled.users.get("zoe@acme.fr").must_change  # type: ignore[union-attr]
    wrong = {"current": "pas le bon", "new": NEW, "again": NEW}
    assert browser.post("/settings/password", data=wrong).status_code == 400
    done = browser.post("/settings/password", data={"current": password, "new": NEW, "again": NEW})
    assert done.status_code == 200 and "Password changed" in done.text
    assert "Choose your own password" not in done.text
    assert not filled.users.get("zoe@acme.fr").must_change  # type: ignore[union-attr]
    assert browser.get("/settings/members?ws=acme").status_code == 200
    assert browser.get("/api/v1/signals?ws=acme").status_code == 200
    again = TestClient(create_app(load(home, environ={}), filled))
    assert (
        again.post("/login", data={"login": "zoe@acme.fr", "password": password}).status_code == 401
    )
    back = again.post("/login", data={"login": "zoe@acme.fr", "password": NEW, "next": "/alerts"})
    assert back.status_code == 200 and back.url.path == "/alerts"


def test_api_tokens_and_accounts_made_otherwise_are_not_held(
    client: TestClient, filled: SQLiteStore
) -> None:
    _made(client)
    zoe = filled.users.get("zoe@acme.fr")
    assert zoe is not None and zoe.must_change
    filled.users.add_token(zoe.id, "script", digest("pouls_zoe-token"), "acme")
    client.cookies.clear()
    api = client.get("/api/v1/signals?ws=acme", headers={"Authorization": "Bearer pouls_zoe-token"})
    assert api.status_code == 200  # a token is not a browser: nothing to change there
    other = filled.users.add("val@acme.fr", hash_password("le mot de passe de val"))
    assert filled.users.by_id(other).must_change is False  # type: ignore[union-attr]


def test_the_flag_lives_in_the_database_and_survives_a_restart(
    client: TestClient, home: Path, filled: SQLiteStore
) -> None:
    _made(client, "yann@acme.fr")
    with sqlite3.connect(home / "pouls.db") as db:
        row = db.execute(
            "SELECT must_change_password FROM users WHERE login = 'yann@acme.fr'"
        ).fetchone()
    assert row == (1,)
