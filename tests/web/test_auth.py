"""Signing in: every page and API route needs an account with a role in the workspace."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pouls.access import digest
from pouls.access.passwords import hash_password
from pouls.config import load
from pouls.store.sqlite import SQLiteStore
from pouls.web import auth
from pouls.web.app import create_app
from pouls.web.throttle import PAIR_FREE_TRIES
from tests.web.conftest import LOGIN, PASSWORD, TOKEN

PROTECTED = [
    "/",
    "/?ws=globex",
    "/signals/whatever",
    "/alerts",
    "/crisis",
    "/stream",
    "/api/v1/signals",
    "/api/v1/facets",
    "/api/docs",
    "/api/openapi.json",
]


@pytest.fixture
def anonymous(home: Path, filled: SQLiteStore, account: int) -> Iterator[TestClient]:
    with TestClient(create_app(load(home, environ={}), filled), follow_redirects=False) as c:
        yield c


@pytest.mark.parametrize("path", PROTECTED)
def test_nothing_is_served_without_signing_in(anonymous: TestClient, path: str) -> None:
    response = anonymous.get(path)
    if path.startswith(("/api/", "/stream")):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    else:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=%2F")
    assert "secret de globex" not in response.text
    assert "Service client" not in response.text


def test_health_static_and_login_page_are_open(anonymous: TestClient) -> None:
    assert anonymous.get("/health").json()["status"] == "ok"
    assert anonymous.get("/static/style.css").status_code == 200
    page = anonymous.get("/login?next=/alerts")
    assert page.status_code == 200
    assert 'name="password"' in page.text and 'value="/alerts"' in page.text


def test_signing_in_goes_back_where_one_was_heading(anonymous: TestClient) -> None:
    target = anonymous.get("/alerts?ws=acme").headers["location"]
    form = {"login": LOGIN.upper(), "password": PASSWORD, "next": "/alerts?ws=acme"}
    signed = anonymous.post("/login", data=form)
    assert signed.status_code == 303 and signed.headers["location"] == "/alerts?ws=acme"
    assert target == "/login?next=%2Falerts%3Fws%3Dacme"
    cookie = signed.cookies[auth.COOKIE]
    assert len(cookie) >= 40
    header = signed.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header
    page = anonymous.get("/alerts?ws=acme")
    assert page.status_code == 200 and "Ana" in page.text


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    anonymous: TestClient,
) -> None:
    wrong = anonymous.post("/login", data={"login": LOGIN, "password": "pas le bon"})
    unknown = anonymous.post("/login", data={"login": "eve@x.fr", "password": PASSWORD})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Identifiant ou mot de passe incorrect." in response.text
        assert auth.COOKIE not in response.cookies
    assert anonymous.get("/").status_code == 303


def test_repeated_wrong_passwords_pause_the_login(anonymous: TestClient) -> None:
    for _ in range(PAIR_FREE_TRIES):
        assert anonymous.post("/login", data={"login": LOGIN, "password": "x"}).status_code == 401
    paused = anonymous.post("/login", data={"login": LOGIN, "password": PASSWORD})
    assert paused.status_code == 429 and "Trop d'essais" in html.unescape(paused.text)
    assert int(paused.headers["retry-after"]) >= 1
    assert auth.COOKIE not in paused.cookies


def test_next_never_leads_to_another_site(anonymous: TestClient) -> None:
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = anonymous.post(
            "/login", data={"login": LOGIN, "password": PASSWORD, "next": evil}
        )
        assert response.headers["location"] == "/"


def test_a_form_posted_from_another_site_is_refused(anonymous: TestClient) -> None:
    response = anonymous.post(
        "/login",
        data={"login": LOGIN, "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert auth.COOKIE not in response.cookies


def test_signing_out_ends_the_session(anonymous: TestClient, filled: SQLiteStore) -> None:
    anonymous.post("/login", data={"login": LOGIN, "password": PASSWORD})
    cookie = anonymous.cookies[auth.COOKIE]
    assert anonymous.get("/").status_code == 200
    out = anonymous.post("/logout")
    assert out.status_code == 303 and out.headers["location"] == "/login?out=1"
    assert filled.users.session_user(digest(cookie)) is None
    anonymous.cookies.set(auth.COOKIE, cookie)  # replaying the old cookie does not work
    assert anonymous.get("/").status_code == 303


def test_a_new_password_signs_the_account_out(anonymous: TestClient, filled: SQLiteStore) -> None:
    anonymous.post("/login", data={"login": LOGIN, "password": PASSWORD})
    assert anonymous.get("/").status_code == 200
    user = filled.users.get(LOGIN)
    assert user is not None
    filled.users.set_password(user.id, hash_password("un tout autre mot de passe"))
    assert anonymous.get("/").status_code == 303


def test_a_member_sees_only_the_workspaces_of_their_roles(
    anonymous: TestClient, filled: SQLiteStore
) -> None:
    user_id = filled.users.add("bob@acme.fr", hash_password("le mot de passe de bob"))
    filled.users.grant(user_id, "globex", "viewer")
    anonymous.post("/login", data={"login": "bob@acme.fr", "password": "le mot de passe de bob"})
    home = anonymous.get("/")  # his default is his only workspace, not the first declared
    assert home.status_code == 200 and "secret de globex" in home.text
    assert "Service client" not in home.text
    assert 'href="/?ws=acme"' not in home.text  # no switcher to a workspace he cannot open
    for path in ("/?ws=acme", "/alerts?ws=acme", "/crisis?ws=acme", "/api/v1/signals?ws=acme"):
        response = anonymous.get(path)
        assert response.status_code == 403, path
        assert "Service client" not in response.text
    filled.users.revoke(user_id, "globex")
    lost = anonymous.get("/")
    assert lost.status_code == 403 and "pouls user grant bob@acme.fr" in lost.text


def test_api_tokens_act_for_their_account(
    anonymous: TestClient, filled: SQLiteStore, account: int
) -> None:
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    found = anonymous.get("/api/v1/signals?ws=acme&q=injoignable", headers=bearer)
    assert found.status_code == 200 and found.json()["total"] == 1
    assert filled.users.tokens(LOGIN)[0].last_used_at is not None
    wrong = anonymous.get("/api/v1/signals", headers={"Authorization": "Bearer pouls_guess"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "unknown API token"


def test_a_token_limited_to_one_workspace_opens_no_other(
    anonymous: TestClient, filled: SQLiteStore, account: int
) -> None:
    filled.users.add_token(account, "acme only", digest("pouls_acme-only"), "acme")
    bearer = {"Authorization": "Bearer pouls_acme-only"}
    assert anonymous.get("/api/v1/signals?ws=acme", headers=bearer).status_code == 200
    assert anonymous.get("/api/v1/signals?ws=globex", headers=bearer).status_code == 403
    assert filled.users.remove_token(account, "acme only")
    assert anonymous.get("/api/v1/signals?ws=acme", headers=bearer).status_code == 401


def test_checkins_without_a_source_token_need_an_account_of_the_workspace(
    anonymous: TestClient, filled: SQLiteStore, account: int
) -> None:
    body = {"mood": 4, "note": "bonne journée", "workspace": "acme"}
    assert anonymous.post("/api/v1/checkins", json=body).status_code == 401
    before = filled.count("acme")
    filled.users.add_token(account, "globex only", digest("pouls_globex-only"), "globex")
    other = {"Authorization": "Bearer pouls_globex-only"}
    assert anonymous.post("/api/v1/checkins", json=body, headers=other).status_code == 403
    assert filled.count("acme") == before
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert anonymous.post("/api/v1/checkins", json=body, headers=bearer).status_code == 201
    assert filled.count("acme") == before + 1


def test_the_database_holds_no_usable_secret(filled: SQLiteStore, account: int) -> None:
    dump = "\n".join(filled._reader().iterdump())
    assert PASSWORD not in dump and TOKEN not in dump
    assert digest(TOKEN) in dump  # only its SHA-256


def test_the_api_reference_is_served_to_an_account(client: TestClient) -> None:
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200 and "/api/v1/signals" in spec.json()["paths"]
    page = client.get("/api/docs").text
    assert "swagger" in page.lower()
    # Served by pouls itself, not from a CDN: it works offline.
    assert "http://" not in page and "https://" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static/swagger/{asset}" in page
        served = client.get(f"/static/swagger/{asset}")
        assert served.status_code == 200 and len(served.content) > 100_000


def test_a_token_used_often_records_its_use_once_a_minute(
    filled: SQLiteStore, account: int
) -> None:
    first = filled.users.token_user(digest(TOKEN))
    assert first is not None
    used = filled.users.tokens(LOGIN)[0].last_used_at
    assert used is not None
    filled.users.token_user(digest(TOKEN))
    assert filled.users.tokens(LOGIN)[0].last_used_at == used  # no write a second later
