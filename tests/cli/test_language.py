"""The command line speaks French or English: `--lang`, else the terminal's locale, else English;
its messages, errors and help all come from the gettext catalogue, never a trace."""

from __future__ import annotations

from pathlib import Path

import pytest
from scripts.translations import read

from pouls.cli.help import chosen_lang, help_texts
from pouls.cli.main import command
from tests.cli.process import pouls

FR, C = "fr_FR.UTF-8", "C"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "pouls.toml").write_text('[[workspaces]]\nid = "acme"\n', encoding="utf-8")
    return tmp_path


def test_every_help_text_of_the_command_has_its_french() -> None:
    texts = {text for text, _ in help_texts(command())}
    assert len(texts) > 100  # guards the walk: docstrings and `help=` of every group
    french = read("fr")
    missing = sorted(t for t in texts if (e := french.get(t)) is None or e.fuzzy or not e.string)
    assert missing == [], "run `make translations`, then translate:\n" + "\n".join(missing)


def test_the_language_option_is_read_before_the_command_and_only_there() -> None:
    assert chosen_lang(["--home", "h", "--lang", "fr", "search", "x"]) == "fr"
    assert chosen_lang(["--lang=en", "status"]) == "en"
    assert chosen_lang(["classify", "--lang", "fr"]) is None  # the texts' language, not ours
    assert chosen_lang(["--lang", "de", "status"]) is None


def test_help_follows_the_terminal_and_the_option(home: Path) -> None:
    french = pouls(home, "search", "--help", lang=FR)
    english = pouls(home, "search", "--help", lang=C)
    chosen = pouls(home, "--lang", "en", "search", "--help", lang=FR)
    assert french.returncode == english.returncode == chosen.returncode == 0
    assert "Chercher dans les signaux enregistrés" in french.stdout
    assert "Seulement ce canal." in french.stdout
    assert "Search stored signals, newest first." in english.stdout
    assert "Chercher" not in english.stdout
    assert "Search stored signals" in chosen.stdout


def test_a_bad_since_is_refused_in_the_terminal_language(home: Path) -> None:
    french = pouls(home, "search", "--since", "45x", "", lang=FR)
    english = pouls(home, "search", "--since", "45x", "", lang=C)
    assert french.returncode == english.returncode == 1
    assert french.stderr.startswith("Erreur :") and english.stderr.startswith("Error:")
    assert "45x" in french.stderr and "45x" in english.stderr
    assert french.stderr != english.stderr.replace("Error:", "Erreur :")
    assert "Traceback" not in french.stderr + english.stderr


def test_an_unknown_workspace_says_which_exist_in_either_language(home: Path) -> None:
    french = pouls(home, "topic", "list", "-w", "initech", lang=FR)
    english = pouls(home, "topic", "list", "-w", "initech", lang=C)
    assert french.returncode == english.returncode == 1
    assert (
        "aucun espace de travail 'initech'" in french.stderr and "déclarés : acme" in french.stderr
    )
    assert "no workspace 'initech'" in english.stderr and "declared: acme" in english.stderr


def test_a_missing_file_is_said_with_what_to_do(home: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.jsonl")
    french = pouls(home, "import", missing, lang=FR)
    english = pouls(home, "--lang", "en", "import", missing, lang=FR)
    assert french.returncode == english.returncode == 1
    assert f"{missing} : fichier introuvable" in french.stderr
    assert f"{missing}: no such file" in english.stderr
    report = pouls(home, "report", "hebdo", lang=FR)
    assert report.returncode == 1 and "aucun rapport 'hebdo'" in report.stderr


def test_a_command_that_works_reports_in_french(home: Path) -> None:
    made = pouls(home, "topic", "add", "buzz", "tarte", lang=FR)
    assert made.returncode == 0, made.stderr
    assert "Sujet buzz = tarte : 0 signal enregistré correspond." in made.stdout
    listed = pouls(home, "topic", "list", lang=FR)
    assert "Sujets de acme" in listed.stdout and "requête" in listed.stdout
    again = pouls(home, "topic", "add", "buzz", "tarte", lang=C)
    assert again.returncode == 1
    assert "topic 'buzz' exists; change it with `pouls topic edit buzz QUERY`" in again.stderr


def test_an_unknown_language_is_a_usage_error_in_the_terminal_language(home: Path) -> None:
    wrong = pouls(home, "--lang", "de", "status", lang=FR)
    assert wrong.returncode == 2 and "fr ou en" in wrong.stderr
    assert wrong.stderr.startswith("Erreur :") and "Usage : voir `pouls --help`." in wrong.stderr
    typo = pouls(home, "search", "--limt", "3", "x", lang=C)
    assert typo.returncode == 2 and "Usage: see `pouls search --help`." in typo.stderr
    french = pouls(home, "search", "--limt", "3", "x", lang=FR)
    assert french.returncode == 2 and "Usage : voir `pouls search --help`." in french.stderr


def test_a_bad_duration_and_a_weak_password_are_refused_in_french(home: Path) -> None:
    late = pouls(home, "crisis", "--since", "45x", lang=FR)
    assert late.returncode == 2 and "'45x' n'est pas une durée comme 90m" in late.stderr
    weak = pouls(home, "user", "add", "ana", "--password-stdin", stdin="court\n", lang=FR)
    assert weak.returncode == 1
    assert "un mot de passe demande au moins 10 caractères" in weak.stderr
