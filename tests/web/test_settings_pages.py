"""Settings pages: sources with their health and pause/resume, members and roles (never the
last admin), one's API tokens and password; every change refused to the roles that may not."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pouls.access import digest
from pouls.access.passwords import hash_password, verify
from pouls.config import load
from pouls.signals import DeadLetter
from pouls.store.pauses import Pauses
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.conftest import make_signal
from tests.web.conftest import LOGIN, PASSWORD

SOURCES = """
[[workspaces]]
id = "acme"

[[workspaces]]
id = "globex"

[[sources]]
type = "rss"
name = "presse"
workspace = "acme"
url = "https://example.org/feed.xml"

[[sources]]
type = "webhook"
name = "formulaire"
workspace = "acme"
secret = "un secret de test assez long"
"""


@pytest.fixture
def admin(home: Path, filled: SQLiteStore, account: int) -> TestClient:
    (home / "pouls.toml").write_text(SOURCES, encoding="utf-8")
    app = create_app(load(home, environ={}), filled)
    c = TestClient(app, headers={"Accept-Language": "en"})
    assert c.post("/login", data={"login": LOGIN, "password": PASSWORD}).status_code == 200
    return c


def _as(client: TestClient, store: SQLiteStore, role: str, login: str = "val@acme.fr") -> int:
    user = store.users.add(login, hash_password("le mot de passe de val"))
    store.users.grant(user, "acme", role)
    client.post("/logout")
    client.post("/login", data={"login": login, "password": "le mot de passe de val"})
    return user


def test_the_settings_area_is_in_the_nav(client: TestClient) -> None:
    wall = client.get("/?ws=acme").text
    assert 'href="/settings?ws=acme"' in wall
    page = client.get("/settings?ws=acme").text
    for path in ("/rules", "/topics", "/settings/sources", "/settings/members", "/settings/tokens"):
        assert f'href="{path}?ws=acme"' in page


def test_sources_show_their_health(admin: TestClient, filled: SQLiteStore) -> None:
    filled.put(
        [make_signal(500, "dépêche", source="presse")],
        dead_letters=[DeadLetter(workspace="acme", source="presse", reason="bad", raw="{")],
        cursors={("acme", "presse"): "7"},
    )
    filled.record_error("acme", "presse", "HTTP 503 from example.org")
    page = admin.get("/settings/sources?ws=acme").text
    row = page[page.index('data-name="presse"') :]
    row = row[: row.index("</tr>")]
    assert "rss" in row and "reading" in row and "HTTP 503 from example.org" in row
    assert '<td class="num">1</td>' in row and '<td class="num bad">1</td>' in row
    assert "/settings/sources/presse/pause" in row
    form = page[page.index('data-name="formulaire"') :]
    assert "received by the web app" in form[: form.index("</tr>")]
    assert "/settings/sources/formulaire/pause" not in page
    assert "presse" not in admin.get("/settings/sources?ws=globex").text


def test_an_admin_pauses_and_resumes_a_source(admin: TestClient, filled: SQLiteStore) -> None:
    done = admin.post("/settings/sources/presse/pause?ws=acme", follow_redirects=False)
    assert done.status_code == 303 and Pauses(filled).is_paused("acme", "presse")
    page = admin.get("/settings/sources?ws=acme").text
    assert "paused" in page and f"by {LOGIN}" in page and "/presse/resume" in page
    assert admin.post("/settings/sources/formulaire/pause?ws=acme").status_code == 400
    assert admin.post("/settings/sources/nowhere/pause?ws=acme").status_code == 404
    assert admin.post("/settings/sources/presse/resume?ws=acme").status_code == 200
    assert not Pauses(filled).is_paused("acme", "presse")
    assert admin.post("/settings/sources/presse/resume?ws=acme").status_code == 404


def test_only_admins_pause_sources(admin: TestClient, filled: SQLiteStore) -> None:
    _as(admin, filled, "analyst")
    page = admin.get("/settings/sources?ws=acme").text
    assert "presse" in page and "/pause" not in page
    refused = admin.post("/settings/sources/presse/pause?ws=acme")
    assert refused.status_code == 403 and "Only admins" in refused.text
    assert not Pauses(filled).is_paused("acme", "presse")


def test_members_are_added_changed_and_removed(client: TestClient, filled: SQLiteStore) -> None:
    zoe = filled.users.add("zoe@acme.fr", hash_password("le mot de passe de zoé"))
    unknown = client.post("/settings/members?ws=acme", data={"login": "x@y", "role": "viewer"})
    assert unknown.status_code == 400 and "No account has this login" in unknown.text
    added = client.post(
        "/settings/members?ws=acme", data={"login": "Zoe@acme.fr ", "role": "viewer"}
    )
    assert added.status_code == 200 and filled.users.by_id(zoe).roles == {"acme": "viewer"}  # type: ignore[union-attr]
    again = client.post("/settings/members?ws=acme", data={"login": "zoe@acme.fr", "role": "admin"})
    assert again.status_code == 400 and "member already" in again.text
    bad = client.post(f"/settings/members/{zoe}/role?ws=acme", data={"role": "boss"})
    assert bad.status_code == 400
    client.post(f"/settings/members/{zoe}/role?ws=acme", data={"role": "analyst"})
    assert filled.users.by_id(zoe).roles == {"acme": "analyst"}  # type: ignore[union-attr]
    assert "zoe@acme.fr" in client.get("/settings/members?ws=acme").text
    client.post(f"/settings/members/{zoe}/remove?ws=acme")
    assert filled.users.by_id(zoe).roles == {}  # type: ignore[union-attr]
    assert client.post(f"/settings/members/{zoe}/remove?ws=acme").status_code == 404


def test_the_last_admin_is_never_demoted_or_removed(
    client: TestClient, filled: SQLiteStore, account: int
) -> None:
    demoted = client.post(f"/settings/members/{account}/role?ws=acme", data={"role": "viewer"})
    assert demoted.status_code == 400 and "at least one admin" in demoted.text
    removed = client.post(f"/settings/members/{account}/remove?ws=acme")
    assert removed.status_code == 400 and filled.users.by_id(account).roles["acme"] == "admin"  # type: ignore[union-attr]
    other = filled.users.add("zoe@acme.fr", hash_password("le mot de passe de zoé"))
    filled.users.grant(other, "acme", "admin")
    assert (
        client.post(
            f"/settings/members/{account}/role?ws=acme", data={"role": "viewer"}
        ).status_code
        == 200
    )
    assert filled.users.by_id(account).roles["acme"] == "viewer"  # type: ignore[union-attr]


def test_only_admins_change_members(client: TestClient, filled: SQLiteStore, account: int) -> None:
    _as(client, filled, "analyst")
    page = client.get("/settings/members?ws=acme").text
    assert LOGIN in page and "Only admins change members" in page
    refused = client.post(f"/settings/members/{account}/role?ws=acme", data={"role": "viewer"})
    assert refused.status_code == 403
    assert client.post(f"/settings/members/{account}/remove?ws=acme").status_code == 403
    assert filled.users.by_id(account).roles["acme"] == "admin"  # type: ignore[union-attr]


def _shown_password(page: str) -> str:
    return page.split('<pre class="secret">')[1].split("</pre>")[0]


def test_an_admin_creates_an_account_that_signs_in_with_the_shown_password(
    client: TestClient, home: Path, filled: SQLiteStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    made = client.post(
        "/settings/members/new?ws=acme",
        data={"login": " Zoé@Acme.FR ", "name": "Zoé", "role": "analyst"},
    )
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    password = _shown_password(made.text)
    assert len(password) >= 40 and "Settings → Password" in made.text
    assert "Account zoé@acme.fr created, analyst in this workspace" in made.text
    account = filled.users.get("zoé@acme.fr")
    assert account is not None and account.login == "zoé@acme.fr" and account.name == "Zoé"
    assert account.roles == {"acme": "analyst"}
    assert (
        "zoé@acme.fr" in made.text and password not in client.get("/settings/members?ws=acme").text
    )
    assert password not in caplog.text and hash_password(password) not in caplog.text
    with TestClient(create_app(load(home, environ={}), filled)) as zoe:
        wrong = zoe.post("/login", data={"login": "zoé@acme.fr", "password": "pas le bon mot"})
        assert wrong.status_code == 401
        signed = zoe.post("/login", data={"login": "Zoé@acme.fr", "password": password})
        assert signed.status_code == 200 and signed.url.path == "/settings/password"
        new = "un mot de passe à Zoé"  # her own first (tests/web/test_first_password.py)
        changed = {"current": password, "new": new, "again": new}
        assert zoe.post("/settings/password", data=changed).status_code == 200
        page = zoe.get("/settings/members?ws=acme", headers={"Accept-Language": "en"})
        assert page.status_code == 200 and "Only admins change members" in page.text
        row = page.text[page.text.index('data-login="zoé@acme.fr"') :]
        assert "<td>analyst</td>" in row[: row.index("</tr>")]
        assert zoe.get("/settings/members?ws=globex").status_code == 403
    assert password not in caplog.text


def test_creating_an_account_refuses_a_taken_login_or_an_empty_one(
    client: TestClient, filled: SQLiteStore
) -> None:
    before = len(filled.users.members())
    taken = client.post(
        "/settings/members/new?ws=acme", data={"login": LOGIN.upper(), "role": "viewer"}
    )
    assert taken.status_code == 400 and "An account has this login already" in taken.text
    assert '<pre class="secret">' not in taken.text
    empty = client.post("/settings/members/new?ws=acme", data={"login": "  ", "role": "viewer"})
    assert empty.status_code == 400 and "Type a login" in empty.text
    role = client.post("/settings/members/new?ws=acme", data={"login": "new@x.fr", "role": "boss"})
    assert role.status_code == 400
    assert len(filled.users.members()) == before and filled.users.get("new@x.fr") is None
    french = client.post(
        "/settings/members/new?ws=acme",
        data={"login": LOGIN, "role": "viewer"},
        headers={"Accept-Language": "fr"},
    )
    assert "Un compte a déjà cet identifiant" in french.text


def test_only_admins_from_pouls_itself_create_accounts(
    client: TestClient, filled: SQLiteStore
) -> None:
    hostile = client.post(
        "/settings/members/new?ws=acme",
        data={"login": "mallory@x.fr", "role": "admin"},
        headers={"Origin": "https://evil.example"},
    )
    assert hostile.status_code == 403 and filled.users.get("mallory@x.fr") is None
    _as(client, filled, "analyst")
    assert "Create an account" not in client.get("/settings/members?ws=acme").text
    refused = client.post(
        "/settings/members/new?ws=acme", data={"login": "mallory@x.fr", "role": "admin"}
    )
    assert refused.status_code == 403 and filled.users.get("mallory@x.fr") is None


def test_a_token_is_shown_once_listed_and_revoked(client: TestClient, filled: SQLiteStore) -> None:
    made = client.post("/settings/tokens?ws=acme", data={"name": "n8n", "scope": "this"})
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    secret = made.text.split('<pre class="secret">')[1].split("</pre>")[0]
    assert secret.startswith("pouls_")
    (token,) = [t for t in filled.users.tokens(LOGIN) if t.name == "n8n"]
    assert token.workspace == "acme"
    listed = client.get("/settings/tokens?ws=acme").text
    assert "n8n" in listed and secret not in listed and "never" in listed
    script = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/rules?ws=acme", headers=script).status_code == 200
    taken = client.post("/settings/tokens?ws=acme", data={"name": "n8n"})
    assert taken.status_code == 400 and "name already" in taken.text
    assert client.post("/settings/tokens?ws=acme", data={"name": "<script>"}).status_code == 400
    client.post(f"/settings/tokens/{token.id}/revoke?ws=acme")
    assert [t.name for t in filled.users.tokens(LOGIN)] == ["tests"]
    client.cookies.clear()
    assert client.get("/api/v1/rules?ws=acme", headers=script).status_code == 401


def test_nobody_revokes_another_accounts_token(client: TestClient, filled: SQLiteStore) -> None:
    zoe = filled.users.add("zoe@acme.fr", hash_password("le mot de passe de zoé"))
    filled.users.add_token(zoe, "sien", digest("pouls_zoe"), None)
    (theirs,) = filled.users.tokens("zoe@acme.fr")
    assert client.post(f"/settings/tokens/{theirs.id}/revoke?ws=acme").status_code == 404
    assert "sien" not in client.get("/settings/tokens?ws=acme").text


def test_changing_ones_password_signs_out_the_other_sessions(
    home: Path, filled: SQLiteStore, client: TestClient, account: int
) -> None:
    other = TestClient(client.app)
    other.post("/login", data={"login": LOGIN, "password": PASSWORD})
    assert other.get("/settings?ws=acme").status_code == 200
    form = {"current": "faux", "new": "un nouveau mot de passe", "again": "un nouveau mot de passe"}
    wrong = client.post("/settings/password?ws=acme", data=form)
    assert wrong.status_code == 400 and "current password is wrong" in wrong.text
    differ = client.post(
        "/settings/password?ws=acme", data={**form, "current": PASSWORD, "again": "x"}
    )
    assert differ.status_code == 400 and "differ" in differ.text
    weak = {"current": PASSWORD, "new": "court", "again": "court"}
    assert "at least 10 characters" in client.post("/settings/password?ws=acme", data=weak).text
    done = client.post("/settings/password?ws=acme", data={**form, "current": PASSWORD})
    assert done.status_code == 200 and "Password changed" in done.text
    assert verify("un nouveau mot de passe", filled.users.by_id(account).password)  # type: ignore[union-attr]
    assert client.get("/settings?ws=acme").status_code == 200  # this session stays
    assert other.get("/settings?ws=acme", follow_redirects=False).status_code == 303  # signed out


def test_settings_forms_from_another_site_are_refused(
    client: TestClient, filled: SQLiteStore
) -> None:
    hostile = {"Origin": "https://evil.example"}
    form = {
        "current": PASSWORD,
        "new": "un nouveau mot de passe",
        "again": "un nouveau mot de passe",
    }
    assert client.post("/settings/password?ws=acme", data=form, headers=hostile).status_code == 403
    assert (
        client.post("/settings/tokens?ws=acme", data={"name": "x"}, headers=hostile).status_code
        == 403
    )
    assert (
        client.post(
            "/settings/members?ws=acme", data={"login": LOGIN, "role": "viewer"}, headers=hostile
        ).status_code
        == 403
    )
    assert [t.name for t in filled.users.tokens(LOGIN)] == ["tests"]
