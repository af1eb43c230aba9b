"""`pouls user` and `pouls token`: accounts, roles per workspace and API tokens from the shell."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from pouls.access.passwords import verify
from pouls.config import load
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.cli.test_commands import pouls

CONFIG = '[[workspaces]]\nid = "acme"\n\n[[workspaces]]\nid = "globex"\n'


def _home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    return home


def test_an_admin_is_made_with_a_generated_password_that_signs_in(tmp_path: Path) -> None:
    home = _home(tmp_path)
    done = pouls(home, "user", "add", "ana@acme.fr", "--role", "admin", "--all-workspaces")
    assert done.returncode == 0, done.stderr
    assert "admin in acme, globex" in done.stdout
    password = done.stdout.strip().splitlines()[-1]
    assert len(password) >= 16
    store = SQLiteStore(home / "pouls.db")
    with TestClient(create_app(load(home, environ={}), store), follow_redirects=False) as c:
        signed = c.post("/login", data={"login": "ana@acme.fr", "password": password})
        assert signed.status_code == 303
        assert c.get("/?ws=globex").status_code == 200
    store.close()
    listed = pouls(home, "user", "list")
    assert "ana@acme.fr" in listed.stdout and "acme: admin, globex: admin" in listed.stdout


def test_roles_are_granted_and_revoked_per_workspace(tmp_path: Path) -> None:
    home = _home(tmp_path)
    assert pouls(home, "user", "add", "bob", "--name", "Bob").returncode == 0
    assert pouls(home, "user", "grant", "bob", "-r", "analyst", "-w", "globex").returncode == 0
    store = SQLiteStore(home / "pouls.db")
    user = store.users.get("BOB")
    assert user is not None and user.roles == {"acme": "viewer", "globex": "analyst"}
    assert pouls(home, "user", "revoke", "bob", "-w", "acme").returncode == 0
    user = store.users.get("bob")
    assert user is not None and user.roles == {"globex": "analyst"}
    store.close()
    wrong = pouls(home, "user", "grant", "bob", "--role", "boss")
    assert wrong.returncode == 2 and "admin, analyst, community_manager" in wrong.stderr
    nobody = pouls(home, "user", "grant", "eve")
    assert nobody.returncode == 1 and "pouls user add eve" in nobody.stderr
    unknown = pouls(home, "user", "add", "carl", "-w", "initech")
    assert unknown.returncode == 1 and "no workspace 'initech'" in unknown.stderr


def test_a_password_from_stdin_is_checked_and_kept_hashed(tmp_path: Path) -> None:
    home = _home(tmp_path)
    short = pouls(home, "user", "add", "ana", "--password-stdin", stdin="court\n")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    ok = pouls(home, "user", "add", "ana", "--password-stdin", stdin="des mots bien longs\n")
    assert ok.returncode == 0 and "des mots bien longs" not in ok.stdout
    again = pouls(home, "user", "passwd", "ana", "--password-stdin", stdin="une autre phrase\n")
    assert again.returncode == 0
    store = SQLiteStore(home / "pouls.db")
    user = store.users.get("ana")
    assert user is not None and verify("une autre phrase", user.password)
    assert not verify("des mots bien longs", user.password)
    store.close()
    assert pouls(home, "user", "rm", "ana").returncode == 0
    assert pouls(home, "user", "rm", "ana").returncode == 1


def test_a_token_is_shown_once_and_works_until_revoked(tmp_path: Path) -> None:
    home = _home(tmp_path)
    pouls(home, "user", "add", "ana", "--all-workspaces")
    made = pouls(home, "token", "add", "ana", "n8n", "-w", "acme")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("pouls_")
    listed = pouls(home, "token", "list")
    assert "n8n" in listed.stdout and "acme" in listed.stdout and token not in listed.stdout
    store = SQLiteStore(home / "pouls.db")
    app = create_app(load(home, environ={}), store)
    bearer = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as c:
        assert c.get("/api/v1/signals?ws=acme", headers=bearer).status_code == 200
        assert c.get("/api/v1/signals?ws=globex", headers=bearer).status_code == 403
        assert pouls(home, "token", "rm", "ana", "n8n").returncode == 0
        assert c.get("/api/v1/signals?ws=acme", headers=bearer).status_code == 401
    store.close()
    elsewhere = pouls(home, "token", "add", "ana", "ci", "-w", "initech")
    assert elsewhere.returncode == 1 and "initech" in elsewhere.stderr


def test_the_demo_makes_an_admin_account_once(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    assert pouls(home, "demo", "--weeks", "1").returncode == 0
    login, password = (home / "demo-login.txt").read_text(encoding="utf-8").split()
    assert login == "demo" and (home / "demo-login.txt").stat().st_mode & 0o077 == 0
    store = SQLiteStore(home / "pouls.db")
    user = store.users.get("demo")
    assert user is not None and verify(password, user.password)
    assert set(user.roles.values()) == {"admin"} and user.roles
    store.close()
    again = pouls(home, "demo", "--if-missing")  # a second run keeps the same account
    assert again.returncode == 0 and "Made the account" not in again.stdout
