"""/api/v1/sources (health, pause, resume) and /api/v1/members (list, add, create, change role,
remove): the roles of the settings pages, scoped by workspace, a 4xx with its reason for bad
input, and the routes in the OpenAPI reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pouls.access import ROLES, digest
from pouls.access.passwords import hash_password, verify
from pouls.config import load
from pouls.store.pauses import Pauses
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.web.conftest import TOKEN
from tests.web.test_settings_pages import SOURCES

CHANGES = [
    ("post", "/api/v1/sources/presse/pause", None),
    ("post", "/api/v1/sources/presse/resume", None),
    ("post", "/api/v1/members", {"login": "ana@acme.fr", "role": "viewer"}),
    ("put", "/api/v1/members/{ana}", {"role": "viewer"}),
    ("delete", "/api/v1/members/{ana}", None),
]


@pytest.fixture
def app(home: Path, filled: SQLiteStore, account: int) -> TestClient:
    (home / "pouls.toml").write_text(SOURCES, encoding="utf-8")
    return TestClient(create_app(load(home, environ={}), filled))


def _token(store: SQLiteStore, role: str, workspace: str | None = "acme") -> dict[str, str]:
    login = f"{role}@acme.fr"
    user = store.users.add(login, hash_password("un mot de passe de test"))
    store.users.grant(user, "acme", role)
    store.users.add_token(user, "script", digest(f"pouls_{role}"), workspace)
    return {"Authorization": f"Bearer pouls_{role}"}


ANA = {"Authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_and_only_admins_change(
    app: TestClient, filled: SQLiteStore, account: int, role: str
) -> None:
    bearer = _token(filled, role)
    sources = app.get("/api/v1/sources?ws=acme", headers=bearer)
    assert sources.status_code == 200
    assert [s["name"] for s in sources.json()["sources"]] == ["formulaire", "presse", "src"]
    members = app.get("/api/v1/members?ws=acme", headers=bearer).json()["members"]
    assert {m["login"]: m["role"] for m in members}[f"{role}@acme.fr"] == role
    for method, path, body in CHANGES:
        url = path.format(ana=account) + "?ws=acme"
        answer = app.request(method, url, json=body, headers=bearer)
        if role != "admin":
            assert answer.status_code == 403, (method, path, answer.text)
            assert "Only admins" in answer.json()["detail"]
        else:
            assert answer.status_code < 300 or answer.status_code == 409, (path, answer.text)
    if role != "admin":
        assert Pauses(filled).list("acme") == {}
        assert filled.users.by_id(account).roles["acme"] == "admin"  # type: ignore[union-attr]


def test_an_admin_pauses_and_resumes_a_source_with_reasons_for_what_cannot_be(
    app: TestClient, filled: SQLiteStore
) -> None:
    paused = app.post("/api/v1/sources/presse/pause?ws=acme", headers=ANA)
    assert paused.status_code == 200 and paused.json()["paused_by"] == "ana@acme.fr"
    assert Pauses(filled).is_paused("acme", "presse")
    again = app.post("/api/v1/sources/presse/pause?ws=acme", headers=ANA)
    assert again.status_code == 409 and "paused already" in again.json()["detail"]
    hook = app.post("/api/v1/sources/formulaire/pause?ws=acme", headers=ANA)
    assert hook.status_code == 400 and "cannot be paused" in hook.json()["detail"]
    missing = app.post("/api/v1/sources/nothing/pause?ws=acme", headers=ANA)
    assert missing.status_code == 404
    other = app.post("/api/v1/sources/presse/resume?ws=globex", headers=ANA)
    assert other.status_code == 404  # presse is acme's: globex has no such source
    resumed = app.post("/api/v1/sources/presse/resume?ws=acme", headers=ANA)
    assert resumed.status_code == 200 and resumed.json()["paused_by"] is None
    twice = app.post("/api/v1/sources/presse/resume?ws=acme", headers=ANA)
    assert twice.status_code == 409 and "not paused" in twice.json()["detail"]
    french = app.post(
        "/api/v1/sources/presse/resume?ws=acme", headers={**ANA, "Accept-Language": "fr"}
    )
    assert french.status_code == 409 and "pas en pause" in french.json()["detail"]


def test_an_admin_manages_members_and_the_last_admin_stays(
    app: TestClient, filled: SQLiteStore, account: int
) -> None:
    val = filled.users.add("val@acme.fr", hash_password("le mot de passe de val"))
    added = app.post(
        "/api/v1/members?ws=acme", json={"login": "VAL@acme.fr", "role": "analyst"}, headers=ANA
    )
    assert added.status_code == 201 and added.json() == {
        "id": val, "login": "val@acme.fr", "name": None, "role": "analyst"
    }  # fmt: skip
    twice = app.post(
        "/api/v1/members?ws=acme", json={"login": "val@acme.fr", "role": "viewer"}, headers=ANA
    )
    assert twice.status_code == 409
    changed = app.put(f"/api/v1/members/{val}?ws=acme", json={"role": "viewer"}, headers=ANA)
    assert changed.status_code == 200 and changed.json()["role"] == "viewer"
    last = app.put(f"/api/v1/members/{account}?ws=acme", json={"role": "viewer"}, headers=ANA)
    assert last.status_code == 409 and "at least one admin" in last.json()["detail"]
    gone = app.delete(f"/api/v1/members/{account}?ws=acme", headers=ANA)
    assert gone.status_code == 409
    assert app.delete(f"/api/v1/members/{val}?ws=acme", headers=ANA).status_code == 204
    assert app.delete(f"/api/v1/members/{val}?ws=acme", headers=ANA).status_code == 404
    assert filled.users.get("val@acme.fr") is not None  # the account stays
    stranger = filled.users.add("zed@globex.fr", hash_password("le mot de passe de zed"))
    filled.users.grant(stranger, "globex", "viewer")
    assert (
        app.put(
            f"/api/v1/members/{stranger}?ws=acme", json={"role": "admin"}, headers=ANA
        ).status_code
        == 404
    )


def test_an_admin_creates_an_account_whose_password_comes_once(
    app: TestClient, filled: SQLiteStore
) -> None:
    body = {"login": " Zoé@Acme.fr ", "role": "analyst", "create": True, "name": "Zoé"}
    made = app.post("/api/v1/members?ws=acme", json=body, headers=ANA)
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    zoe = filled.users.get("zoé@acme.fr")
    assert zoe is not None and zoe.must_change and zoe.roles == {"acme": "analyst"}
    assert verify(made.json()["password"], zoe.password)
    listed = app.get("/api/v1/members?ws=acme", headers=ANA).text
    assert "zoé@acme.fr" in listed and made.json()["password"] not in listed
    taken = app.post("/api/v1/members?ws=acme", json=body, headers=ANA)
    assert taken.status_code == 409


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"login": "nobody@acme.fr", "role": "viewer"}, 400, "No account with that login"),
        ({"login": "ana@acme.fr", "role": "boss"}, 400, "Unknown role"),
        ({"login": "  ", "role": "viewer", "create": True}, 400, "A login is needed"),
        ({"login": "x@acme.fr"}, 422, "role"),
        ({"login": "x@acme.fr", "role": "viewer", "colour": 1}, 422, "colour"),
    ],
)
def test_bad_member_input_is_refused_with_its_reason(
    app: TestClient, filled: SQLiteStore, body: dict[str, object], status: int, reason: str
) -> None:
    before = len(filled.users.members())
    answer = app.post("/api/v1/members?ws=acme", json=body, headers=ANA)
    assert answer.status_code == status and reason in answer.text
    assert len(filled.users.members()) == before


def test_a_token_of_one_workspace_and_unknown_parameters_are_refused(
    app: TestClient, filled: SQLiteStore
) -> None:
    scoped = _token(filled, "admin", workspace="acme")
    assert app.get("/api/v1/members?ws=globex", headers=scoped).status_code == 403
    assert app.post("/api/v1/sources/presse/pause?ws=globex", headers=scoped).status_code == 403
    typo = app.get("/api/v1/sources?ws=acme&wss=acme", headers=ANA)
    assert typo.status_code == 400 and "wss" in typo.json()["detail"]
    assert app.get("/api/v1/members?ws=acme").status_code == 401


def test_the_routes_are_in_the_openapi_reference(app: TestClient) -> None:
    paths = app.get("/api/openapi.json", headers=ANA).json()["paths"]
    assert set(paths["/api/v1/sources"]) == {"get"}
    assert set(paths["/api/v1/sources/{name}/pause"]) == {"post"}
    assert set(paths["/api/v1/sources/{name}/resume"]) == {"post"}
    assert set(paths["/api/v1/members"]) == {"get", "post"}
    assert set(paths["/api/v1/members/{user_id}"]) == {"put", "delete"}
