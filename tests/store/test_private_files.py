"""The database holds private messages: its files are the owner's only (issue 11, item 6)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pouls.store.sqlite import SQLiteStore
from tests.cli.test_commands import pouls
from tests.conftest import make_signal


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_database_and_its_wal_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, which leaves new files readable by all
    try:
        store = SQLiteStore(tmp_path / "pouls.db")
        store.put([make_signal(1, "un message privé", visibility="private")])
        files = sorted(p.name for p in tmp_path.iterdir())
        assert files == ["pouls.db", "pouls.db-shm", "pouls.db-wal"]
        assert {name: _mode(tmp_path / name) for name in files} == dict.fromkeys(files, 0o600)
        store.close()
    finally:
        os.umask(old)


def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "pouls.db"
    SQLiteStore(path).close()
    os.chmod(path, 0o640)
    SQLiteStore(path).close()
    assert _mode(path) == 0o640


def test_the_folder_pouls_makes_for_its_database_is_the_owners_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "pouls.toml").write_text('[store]\npath = "data/pouls.db"\n', encoding="utf-8")
    done = pouls(home, "user", "list")
    assert done.returncode == 0, done.stderr
    assert _mode(home / "data") == 0o700
    assert _mode(home / "data" / "pouls.db") == 0o600
