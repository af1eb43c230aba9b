"""`pouls query check` and `pouls query test` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

POULS = str(Path(sys.executable).with_name("pouls"))


def pouls(
    *args: str, stdin: str | None = None, lang: str = "C.UTF-8"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POULS, *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TERM": "dumb", "LANG": lang},
    )


def test_check_prints_the_normalised_query() -> None:
    done = pouls("query", "check", "Nike  (air OR max*) -job lang:FR")
    assert done.returncode == 0
    assert done.stdout == "nike AND (air OR max*) AND NOT job AND lang:fr\n"


def test_check_points_at_the_error() -> None:
    done = pouls("query", "check", "nike adidas OR puma")
    assert done.returncode == 2  # a query that does not parse is a bad value: a usage error
    query_line, caret_line = done.stderr.splitlines()[:2]
    assert query_line.strip() == "nike adidas OR puma"
    assert caret_line.index("^") == query_line.index("OR")
    assert "column 13" in done.stderr and "mixed_and_or" in done.stderr


def test_check_explains_the_error_in_the_terminals_language() -> None:
    """LANG=fr_FR.UTF-8 (or LANGUAGE, LC_ALL, LC_MESSAGES) gets the French, values included."""
    done = pouls("query", "check", "lang:(fr AND en)", lang="fr_FR.UTF-8")
    assert done.returncode == 2
    assert "Les valeurs d'un groupe lang:( ) sont séparées par OR" in done.stderr
    assert "colonne 10" in done.stderr and "bad_value" in done.stderr


def test_test_writes_one_answer_per_line_in_order() -> None:
    lines = [
        {"id": 1, "text": "Nike Air"},
        {"id": "b", "text": "nike job", "lang": "fr"},
        {"id": 3, "text": "NIKE maxi", "lang": "fr", "url": "https://www.nike.com/x"},
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines)
    done = pouls("query", "test", "nike (air OR max*) -job lang:fr site:nike.com", stdin=stdin)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        {"id": 1, "match": False},
        {"id": "b", "match": False},
        {"id": 3, "match": True},
    ]


def test_test_refuses_a_line_that_is_not_json() -> None:
    done = pouls("query", "test", "nike", stdin='{"id": 1, "text": "nike"}\nnope\n')
    assert done.returncode == 1
    assert "line 2" in done.stderr
