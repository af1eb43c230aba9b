"""The `pouls` command misused, as a user does: one clear line with a hint, exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import pouls

POULS = str(Path(sys.executable).with_name("pouls"))


def pouls_run(home: Path, *args: str, columns: int = 200) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POULS, "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": str(columns), "TERM": "dumb"},
    )


@pytest.mark.parametrize(
    ("args", "says", "hint"),
    [
        (["serch", "x"], "No such command 'serch'", "Did you mean 'search'"),
        (["search", "x", "--limt", "3"], "No such option: --limt", "--limit"),
        (["search", "x", "--limit", "beaucoup"], "Invalid value for '--limit'", "integer"),
        (["search", "x", "--limit", "-1"], "Invalid value for '--limit'", "greater than"),
        (["search", "x", "--format", "xml"], "'xml' is not one of", "'csv'"),
        (["import", "x.csv", "--format", "xls"], "'xls' is not one of", "'jsonl'"),
        (["up", "--port", "70000"], "Invalid value for '--port'", "65535"),
        (["classify", "--task", "sentiment", "--lang", "french"], "'--lang'", "two-letter"),
        (["digest", "--period", "month"], "Invalid value for '--period'", "day or week"),
        (["digest", "--end", "2026-10-03T08:00"], "Invalid value for '--end'", "time zone"),
    ],
    ids=[
        "command",
        "option",
        "int",
        "negative",
        "choice",
        "import-choice",
        "port-range",
        "lang",
        "period",
        "end",
    ],
)
def test_a_usage_error_is_one_line_with_a_hint_and_exit_code_2(
    tmp_path: Path, args: list[str], says: str, hint: str
) -> None:
    done = pouls_run(tmp_path, *args)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("Error: ") and says in line and hint in line
    assert "--help" in line  # where to read how it is used
    assert "Traceback" not in done.stderr and "bug" not in done.stderr
    assert done.stdout == ""


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    done = pouls_run(tmp_path, "--version")
    assert done.returncode == 0
    assert done.stdout == f"pouls {pouls.__version__}\n"


def test_help_shows_the_real_defaults(tmp_path: Path) -> None:
    done = pouls_run(tmp_path, "up", "--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "web.host of pouls.toml, else 127.0.0.1" in text and "else 8000" in text
    assert "from )" not in text and "--no-no-sources" not in text


def test_messages_are_not_wrapped_mid_phrase_whatever_the_width(tmp_path: Path) -> None:
    """The same words on each line in a 20-column terminal and a 500-column one."""
    for args in (["search", "x", "--workspace", "nowhere"], ["search", "x", "--limit", "z"]):
        narrow = pouls_run(tmp_path, *args, columns=20)
        wide = pouls_run(tmp_path, *args, columns=500)
        assert narrow.returncode == wide.returncode != 0
        assert narrow.stderr.splitlines() == wide.stderr.splitlines()
        assert len(narrow.stderr.splitlines()) == 1


def test_a_bad_map_is_a_usage_error_naming_the_expected_form(tmp_path: Path) -> None:
    data = tmp_path / "a.csv"
    data.write_text("id,body\n1,bonjour\n", encoding="utf-8")
    done = pouls_run(tmp_path / "home", "import", str(data), "--map", "text")
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "Invalid value for '--map'" in line and "FIELD=COLUMN" in line


def test_a_user_error_is_shown_as_written_brackets_included(tmp_path: Path) -> None:
    done = pouls_run(tmp_path, "digest", "--send")
    assert done.returncode == 1
    assert done.stderr == "Error: no [alerts] digest_sinks to send the digest to\n"
