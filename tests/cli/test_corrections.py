"""`pouls corrections export`: the dataset from the shell, as the web app gives it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pouls.signals import Sentiment
from pouls.store.sqlite import SQLiteStore
from tests.cli.test_commands import pouls
from tests.conftest import make_signal

CONFIG = '[[workspaces]]\nid = "acme"\nidentities = "named"\n\n[[workspaces]]\nid = "globex"\n'


def _home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    store = SQLiteStore(home / "pouls.db")
    store.put(
        [
            make_signal(1, "=Une tuerie ce flan", sentiment=Sentiment("negative", 0.6)),
            make_signal(1, "Bien dormi", workspace="globex", lang="es"),
        ]
    )
    store.corrections.correct(
        "acme", [make_signal(1).id], "sentiment", "positive", user_id=None, by="Ana"
    )
    store.corrections.correct(
        "globex", [make_signal(1, workspace="globex").id], "lang", "fr", user_id=None, by="Ana"
    )
    store.close()
    return home


def test_the_dataset_is_written_as_json_lines_and_csv(tmp_path: Path) -> None:
    home = _home(tmp_path)
    done = pouls(home, "corrections", "export", "-w", "acme")
    assert done.returncode == 0, done.stderr
    (row,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert (row["value"], row["model"], row["corrected_by"]) == ("positive", "negative", "Ana")
    target = tmp_path / "corrections.csv"
    assert (
        pouls(
            home, "corrections", "export", "-w", "acme", "-f", "csv", "-o", str(target)
        ).returncode
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0]["text"] == "'=Une tuerie ce flan"  # a formula defused
    theirs = pouls(home, "corrections", "export", "-w", "globex")
    assert json.loads(theirs.stdout)["corrected_by"] is None  # pseudonymous: nobody named


def test_a_bad_format_or_field_is_a_usage_error(tmp_path: Path) -> None:
    home = _home(tmp_path)
    assert pouls(home, "corrections", "export", "-f", "xml").returncode == 2
    assert pouls(home, "corrections", "export", "--field", "mood").returncode == 2
    assert pouls(home, "corrections", "export", "-w", "nowhere").returncode == 1
