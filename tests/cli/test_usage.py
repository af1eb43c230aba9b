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


def installed(home: Path) -> Path:
    """A home with a pouls.toml (defaults): commands reading an installation refuse a bare one."""
    (home / "pouls.toml").touch()
    return home


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
        (["rule", "test", "r", "--since", "45x"], "Invalid value for '--since'", "30d"),
        (["crisis", "--since", "3q"], "Invalid value for '--since'", "12h"),
        (["detect", "-i", "a", "-o", "b", "--sensitivity", "1"], "'--sensitivity'", "between"),
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
        "rule-since",
        "crisis-since",
        "sensitivity",
    ],
)
def test_a_usage_error_is_one_line_with_a_hint_and_exit_code_2(
    tmp_path: Path, args: list[str], says: str, hint: str
) -> None:
    done = pouls_run(installed(tmp_path), *args)
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
    done = pouls_run(installed(tmp_path), "digest", "--send")
    assert done.returncode == 1
    assert done.stderr == "Error: no [alerts] digest_sinks to send the digest to\n"


def test_a_value_already_quoted_is_not_repeated(tmp_path: Path) -> None:
    done = pouls_run(tmp_path, "search", "x", "--format", "xml")
    [line] = done.stderr.splitlines()
    assert "(given" not in line and line.count("'xml'") == 1
    assert "'xlsx'. Usage:" in line  # one full stop, where the sentence ends
    limit = pouls_run(tmp_path, "search", "x", "--limit", "-1").stderr
    assert "0 (given: '-1'). Usage:" in limit


@pytest.mark.parametrize(
    "args",
    [
        ["search", "croissant NEAR/x pain"],
        ["query", "check", "croissant NEAR/x pain"],
        ["topic", "add", "oops", "croissant NEAR/x pain"],
    ],
    ids=["search", "query-check", "topic-add"],
)
def test_a_query_that_does_not_parse_is_a_usage_error_with_its_caret(
    tmp_path: Path, args: list[str]
) -> None:
    done = pouls_run(installed(tmp_path), *args)
    assert done.returncode == 2, done.stderr
    shown, caret, line = done.stderr.splitlines()
    assert shown == "  croissant NEAR/x pain" and caret == " " * 17 + "^"
    assert line.startswith("Error: Invalid value for 'QUERY': NEAR needs a distance")
    assert "(column 16, bad_near)" in line and "--help" in line


def test_import_help_names_its_argument_file(tmp_path: Path) -> None:
    done = pouls_run(tmp_path, "import", "--help")
    assert done.returncode == 0
    assert "{FILE}" in done.stdout.splitlines()[0] and "{file}" not in done.stdout


def test_a_csv_without_a_text_column_is_said_once(tmp_path: Path) -> None:
    data = tmp_path / "x.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")
    done = pouls_run(tmp_path / "home", "import", str(data))
    assert done.returncode == 1
    [line] = done.stderr.splitlines()  # no log line, no progress bar
    assert line.startswith("Error: x.csv: no text column; its columns are a, b.")
    assert "--map text=COLUMN" in line and "ValueError" not in line


@pytest.mark.parametrize("args", [["status"], ["search", "x"], ["dead-letters"], ["user", "list"]])
def test_a_home_with_no_installation_is_refused_and_left_alone(
    tmp_path: Path, args: list[str]
) -> None:
    home = tmp_path / "nonexistent"
    done = pouls_run(home, *args)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (
        f"Error: no pouls installation in {home} (no pouls.toml or pouls.db): "
        f"run `pouls --home {home} init` or check --home.\n"
    )
    assert not home.exists()
    home.mkdir()  # an empty folder is no installation either
    assert pouls_run(home, *args).returncode == 1 and list(home.iterdir()) == []
