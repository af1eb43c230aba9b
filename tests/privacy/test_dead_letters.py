"""Dead letters: their raw input only for admins (API and CLI), and gone, bytes included,
after `[privacy] dead_letter_days`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pouls.access import digest
from pouls.access.passwords import hash_password
from pouls.config import ConfigError, load
from pouls.privacy.retention import expire
from pouls.signals import DeadLetter, utcnow
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.cli.test_commands import pouls

MARKER = "zephyrine.qwertzou@exemple.org"


def letter(n: int, age_days: float, raw: str = "") -> DeadLetter:
    return DeadLetter(
        workspace="acme",
        source="forms",
        reason=f"entry {n}: text: expected `str`, got `int`",
        raw=raw or json.dumps({"id": n, "text": 42, "note": f"n°{n}"}),
        position=f"d:{n}",
        at=utcnow() - timedelta(days=age_days),
    )


def test_only_admins_read_the_raw_input_of_dead_letters_in_the_api(tmp_path: Path) -> None:
    (tmp_path / "pouls.toml").write_text('[[workspaces]]\nid = "acme"\n', encoding="utf-8")
    store = SQLiteStore(tmp_path / "pouls.db")
    store.put([], dead_letters=[letter(1, 0)])
    tokens = {}
    for login, role in (("ana@acme.fr", "admin"), ("vic@acme.fr", "viewer")):
        user = store.users.add(login, hash_password("un mot de passe de test"))
        store.users.grant(user, "acme", role)
        tokens[role] = f"pouls_token-of-{role}"
        store.users.add_token(user, "tests", digest(tokens[role]), None)
    with TestClient(create_app(load(tmp_path, environ={}), store)) as client:
        seen = {
            role: client.get(
                "/api/v1/dead-letters?ws=acme", headers={"Authorization": f"Bearer {token}"}
            )
            for role, token in tokens.items()
        }
        anonymous = client.get("/api/v1/dead-letters?ws=acme")
    store.close()
    assert anonymous.status_code in (302, 303, 307, 401)
    [admin] = seen["admin"].json()["dead_letters"]
    [viewer] = seen["viewer"].json()["dead_letters"]
    assert admin["raw"] == letter(1, 0).raw and "raw" not in viewer
    assert viewer["reason"] == admin["reason"] == "entry 1: text: expected `str`, got `int`"
    assert viewer["position"] == "d:1"


def test_dead_letters_expire_after_the_configured_days_and_leave_no_bytes(
    tmp_path: Path,
) -> None:
    (tmp_path / "pouls.toml").write_text("[privacy]\ndead_letter_days = 7\n", encoding="utf-8")
    settings = load(tmp_path, environ={})
    store = SQLiteStore(tmp_path / "pouls.db")
    old = letter(1, 8, raw=json.dumps({"text": 42, "padding": f"{MARKER} " * 50}))
    store.put([], dead_letters=[old, letter(2, 6), letter(3, 0)])
    assert expire(settings, store) == 1
    assert [d.position for d in store.dead_letters("acme")] == ["d:3", "d:2"]
    assert expire(settings, store) == 0
    files = b"".join(p.read_bytes() for p in tmp_path.glob("pouls.db*"))
    store.close()
    files += (tmp_path / "pouls.db").read_bytes()
    assert MARKER.encode() not in files


def test_the_expiry_setting_is_checked_and_read_from_the_environment(tmp_path: Path) -> None:
    assert load(tmp_path, environ={}).file.privacy.dead_letter_days == 30
    env = {"POULS_PRIVACY_DEAD_LETTER_DAYS": "3"}
    assert load(tmp_path, environ=env).file.privacy.dead_letter_days == 3
    (tmp_path / "pouls.toml").write_text("[privacy]\ndead_letter_days = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="dead_letter_days"):
        load(tmp_path, environ={})


def test_the_cli_lists_dead_letters_without_their_raw_input_unless_asked(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "pouls.toml").write_text('[[workspaces]]\nid = "acme"\n', encoding="utf-8")
    data = tmp_path / "rows.jsonl"
    data.write_text(
        json.dumps({"id": "1", "text": "bon"})
        + "\n"
        + json.dumps({"id": "2", "text": 42, "author_handle": "@zqwertz", "email": MARKER})
        + "\n",
        encoding="utf-8",
    )
    assert pouls(home, "import", str(data)).returncode == 0
    listed = pouls(home, "dead-letters")
    assert listed.returncode == 0, listed.stderr
    assert "expected `str`" in listed.stdout and "zqwertz" not in listed.stdout
    assert '"text": 42' not in listed.stdout
    shown = pouls(home, "dead-letters", "--raw")
    assert '"text": 42' in shown.stdout  # the raw input, redacted: a pseudonymous workspace
    assert MARKER not in shown.stdout and "zqwertz" not in shown.stdout


def test_signals_stored_before_are_concealed_once_and_leave_no_bytes(tmp_path: Path) -> None:
    from pouls.privacy.retention import conceal_stored
    from tests.conftest import make_signal

    (tmp_path / "pouls.toml").write_text(
        '[[workspaces]]\nid = "acme"\n\n[[workspaces]]\nid = "named"\nidentities = "named"\n',
        encoding="utf-8",
    )
    settings = load(tmp_path, environ={})
    store = SQLiteStore(tmp_path / "pouls.db")
    phone = "33698765432"

    def old(n: int, workspace: str) -> object:
        return make_signal(
            n,
            f"Écrivez-moi à {MARKER}",
            workspace=workspace,
            channel="whatsapp",
            conversation_id=f"whatsapp:1065:{phone}",
            raw={"message": {"from": phone}},
        )

    store.put([old(1, "acme"), old(2, "acme"), old(1, "named")])  # as an older pouls stored them
    assert conceal_stored(settings, store) == 2
    assert conceal_stored(settings, store) == 0  # once: the home remembers the pass
    first, second = sorted(store.search("acme").signals, key=lambda s: s.id)
    assert first.conversation_id == second.conversation_id
    assert first.conversation_id is not None and first.conversation_id.startswith(
        "whatsapp:1065:a_"
    )
    assert store.search("acme", "zephyrine").signals == []  # gone from the full-text index too
    [kept] = store.search("named").signals
    assert kept.raw == {"message": {"from": phone}}  # a named workspace keeps what it had
    store.close()
    data = (tmp_path / "pouls.db").read_bytes()
    # What is left is the named workspace's: its raw and its conversation id, its text (in the
    # text column and the document).
    assert data.count(phone.encode()) == 2 and data.count(MARKER.encode()) == 2
