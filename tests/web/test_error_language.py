"""Every error the web app says (a page or an API `{"detail"}`) has its French and follows the
page's language or Accept-Language; none is an f-string that no catalogue can hold."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from fastapi.testclient import TestClient
from scripts.translations import read

from pouls.config import load
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.web.conftest import LOGIN, PASSWORD

FRENCH = read("fr")
RAISERS = {"HTTPException", "Refusal", "_refused", "NoTarget"}
PAGE = {"Accept": "text/html,application/xhtml+xml"}


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else str(getattr(func, "attr", ""))


def _details() -> Iterator[tuple[str, ast.expr]]:
    """Each error's message in src/pouls/web: `file:line` and the expression of its text."""
    root = Path(str(resources.files("pouls.web")))
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or (name := _called(node)) not in RAISERS:
                continue
            place = 0 if name in ("_refused", "NoTarget") else 1
            given = [k.value for k in node.keywords if k.arg == "detail"]
            message = node.args[place] if len(node.args) > place else (given or [None])[0]
            if message is not None:
                yield f"{path.relative_to(root)}:{node.lineno}", message


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and _called(node) == "N_" and node.args:
        return _literal(node.args[0])
    return None


def test_every_web_error_message_is_a_literal_with_its_french() -> None:
    found = list(_details())
    assert len(found) > 40  # guards the walk: the web app raises many errors
    untranslatable = [
        where
        for where, node in found
        if isinstance(node, ast.JoinedStr)
        or (isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant | ast.JoinedStr))
        or (isinstance(node, ast.Call) and _called(node) in ("str", "format"))
    ]
    assert untranslatable == [], "keep the message a literal and its values apart (Refusal)"
    missing = []
    for where, node in found:
        text = _literal(node)
        entry = FRENCH.get(text) if text is not None else None
        if text is not None and (entry is None or entry.fuzzy or not entry.string):
            missing.append(f"{where}: {text!r}")
    assert missing == [], "run `make translations`, then translate:\n" + "\n".join(missing)


def _client(home: Path, store: SQLiteStore, **headers: str) -> TestClient:
    client = TestClient(create_app(load(home, environ={}), store), headers=headers)
    client.post("/login", data={"login": LOGIN, "password": PASSWORD})
    return client


def test_an_unknown_workspace_is_said_in_the_page_language(
    home: Path, filled: SQLiteStore, account: int
) -> None:
    with _client(home, filled) as c:
        french = c.get("/?ws=initech", headers=PAGE)
        english = c.get("/?ws=initech", headers={**PAGE, "Accept-Language": "en-GB,en"})
    assert french.status_code == english.status_code == 404
    assert "aucun espace de travail &#39;initech&#39;" in french.text
    assert "no workspace &#39;initech&#39;" in english.text
    assert "aucun espace" not in english.text


def test_api_errors_follow_accept_language_and_stay_english_without_it(
    home: Path, filled: SQLiteStore, account: int
) -> None:
    with _client(home, filled) as c:
        plain = c.get("/api/v1/signals", params={"ws": "initech"}).json()["detail"]
        french = c.get(
            "/api/v1/signals", params={"ws": "initech"}, headers={"Accept-Language": "fr-FR"}
        ).json()["detail"]
        typo = c.get(
            "/api/v1/signals", params={"sinse": "7d"}, headers={"Accept-Language": "fr"}
        ).json()["detail"]
        typos = c.get("/api/v1/signals", params={"sinse": "7d", "untill": "1d"}).json()["detail"]
    assert plain == "no workspace 'initech'"
    assert french == "aucun espace de travail 'initech'"
    assert typo.startswith("paramètre inconnu : sinse ; /api/v1/signals accepte :")
    assert typos.startswith("unknown parameters: sinse, untill;")


def test_an_api_query_error_keeps_its_shape_and_speaks_french_when_asked(
    home: Path, filled: SQLiteStore, account: int
) -> None:
    with _client(home, filled) as c:
        english = c.get("/api/v1/signals", params={"q": "lang:(fr AND en)"})
        french = c.get(
            "/api/v1/signals", params={"q": "lang:(fr AND en)"}, headers={"Accept-Language": "fr"}
        )
    assert english.status_code == french.status_code == 400
    en, fr = english.json()["detail"], french.json()["detail"]
    assert set(en) == set(fr) == {"error", "column", "code"}
    assert (en["column"], en["code"]) == (fr["column"], fr["code"])
    assert en["error"].startswith("The values of a lang:( ) group are separated by OR")
    assert fr["error"] != en["error"] and "lang:(fr OR en)" in fr["error"]


def test_a_bad_check_in_is_refused_in_french_and_nothing_is_stored(
    home: Path, filled: SQLiteStore, account: int
) -> None:
    before = filled.search("acme", None, limit=1, count=True).total
    with _client(home, filled) as c:
        both = c.post(
            "/api/v1/checkins",
            json={"mood": 3, "value": 2, "unit": "h"},
            headers={"Accept-Language": "fr"},
        )
        unknown = c.post("/api/v1/checkins", json={"mood": 3, "workspace": "initech"})
    assert both.status_code == 422
    assert both.json()["detail"] == "donnez une humeur ou une valeur, pas les deux"
    assert unknown.status_code == 404 and unknown.json()["detail"] == "no workspace 'initech'"
    assert filled.search("acme", None, limit=1, count=True).total == before
