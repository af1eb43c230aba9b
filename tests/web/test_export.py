"""Exports from the wall and the API: the selection and range kept, files as documented,
refused to roles without the right, an empty selection told, pseudonyms only."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from pouls.access import digest
from pouls.access.passwords import hash_password
from pouls.config import load
from pouls.export import NAMES
from pouls.privacy.pseudonyms import Pseudonymiser
from pouls.signals import Sentiment
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.conftest import make_signal
from tests.web.conftest import TOKEN

PAGE = {"Accept": "text/html,application/xhtml+xml"}
API = {"Authorization": f"Bearer {TOKEN}"}
# The three signals of the fixture are created at 08:01, 08:02 and 08:03 UTC on 1 October;
# the sixty "message ordinaire" from 09:40 on.
MORNING = {"since": "2026-10-01T08:00Z", "until": "2026-10-01T09:00Z"}


def rows(body: bytes, sep: str = ",") -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    text = io.StringIO(body.decode("utf-8-sig"), newline="")
    return list(csv.DictReader(text, delimiter=sep))


def test_the_wall_selection_and_range_export_as_csv(client: TestClient) -> None:
    r = client.get("/export", params={"format": "csv", "sep": ";", **MORNING})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == (
        'attachment; filename="pouls-acme-2026-10-01_2026-10-01.csv"'
    )
    assert r.headers["cache-control"] == "no-store"
    found = rows(r.content, ";")
    assert [x["text"] for x in found] == [
        "Enquête sur la chaîne",
        "Service client injoignable",
        "L'École Lumière ouvre à Lyon",
    ]
    assert found[1]["sentiment"] == "negative" and found[1]["sentiment_score"] == "0,8"
    assert found[0]["place"] == "Lille" and found[2]["author_handle"] == "'@zoe@piaille.fr"
    negative = rows(client.get("/export", params={"sentiment": "negative"}).content)
    assert [x["text"] for x in negative] == ["Service client injoignable"]


def test_the_api_exports_every_signal_as_xlsx_and_jsonl(client: TestClient) -> None:
    plain = TestClient(client.app)
    r = plain.get("/api/v1/export", params={"format": "xlsx"}, headers=API)
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == NAMES and len(table) == 1 + 63  # every signal of acme, none of globex
    assert "secret de globex" not in {row[NAMES.index("text")] for row in table}
    lines = plain.get("/api/v1/export", params={"format": "jsonl", "q": "lumiere"}, headers=API)
    assert lines.headers["content-type"].startswith("application/jsonl")
    assert len(lines.text.splitlines()) == 2


def test_the_export_route_is_in_the_api_reference(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    route = spec["paths"]["/api/v1/export"]["get"]
    names = {p["name"] for p in route["parameters"]}
    assert {"format", "sep", "q", "since", "until", "range", "sentiment", "topic"} <= names
    assert "/export" not in spec["paths"]


def test_an_empty_selection_is_a_message_not_an_empty_file(client: TestClient) -> None:
    en = client.get("/export", params={"q": "introuvable", "format": "xlsx"}, headers=PAGE)
    assert en.status_code == 404 and "content-disposition" not in en.headers
    assert "Nothing to export: no signal matches this selection." in en.text
    fr = client.get(
        "/export", params={"q": "introuvable"}, headers=PAGE | {"Accept-Language": "fr"}
    )
    assert fr.status_code == 404 and "Rien à exporter" in fr.text
    api = TestClient(client.app).get("/api/v1/export", params={"q": "introuvable"}, headers=API)
    assert api.status_code == 404 and api.json()["detail"].startswith("Nothing to export")


def test_bad_queries_ranges_and_formats_are_4xx(client: TestClient) -> None:
    bad_query = client.get("/export", params={"q": "offre AND ("}, headers=PAGE)
    assert bad_query.status_code == 400 and "This query cannot be read" in bad_query.text
    fr = client.get(
        "/export", params={"q": "offre AND ("}, headers=PAGE | {"Accept-Language": "fr"}
    )
    assert fr.status_code == 400 and "Cette requête est illisible" in fr.text
    api = TestClient(client.app).get("/api/v1/export", params={"q": "offre AND ("}, headers=API)
    assert api.status_code == 400 and set(api.json()["detail"]) == {"error", "column", "code"}
    bad_range = client.get("/export", params={"since": "hier"}, headers=PAGE)
    assert bad_range.status_code == 400
    assert client.get("/export", params={"format": "pdf"}, headers=PAGE).status_code == 422
    assert client.get("/export", params={"sep": "|"}, headers=PAGE).status_code == 422


def _member(store: SQLiteStore, role: str) -> str:
    login = f"{role}@acme.fr"
    user = store.users.add(login, hash_password("un mot de passe de test"))
    store.users.grant(user, "acme", role)
    store.users.add_token(user, "tests", digest(f"pouls_{role}-token"), None)
    return login


@pytest.fixture
def app_for(home: Path, filled: SQLiteStore, account: int) -> Iterator[TestClient]:
    with TestClient(create_app(load(home, environ={}), filled)) as c:
        yield c


@pytest.mark.parametrize("role", ["viewer", "moderator"])
def test_roles_without_the_right_are_refused_and_see_no_menu(
    app_for: TestClient, filled: SQLiteStore, role: str
) -> None:
    login = _member(filled, role)
    signed = app_for.post("/login", data={"login": login, "password": "un mot de passe de test"})
    assert signed.status_code == 200
    assert 'class="export"' not in app_for.get("/", headers=PAGE).text
    page = app_for.get("/export", headers=PAGE | {"Accept-Language": "fr"})
    assert page.status_code == 403
    assert "Votre rôle dans cet espace ne permet pas d&#39;exporter" in page.text
    api = TestClient(app_for.app).get(
        "/api/v1/export", headers={"Authorization": f"Bearer pouls_{role}-token"}
    )
    assert api.status_code == 403 and "does not allow exports" in api.json()["detail"]


def test_a_community_manager_may_export(app_for: TestClient, filled: SQLiteStore) -> None:
    _member(filled, "community_manager")
    token = {"Authorization": "Bearer pouls_community_manager-token"}
    r = app_for.get("/api/v1/export", headers=token)
    assert r.status_code == 200 and len(rows(r.content)) == 63


def test_the_wall_menu_keeps_the_selection_and_the_range(client: TestClient) -> None:
    html = client.get("/", params={"sentiment": "negative", **MORNING}, headers=PAGE).text
    links = re.findall(r'href="/export\?([^"]*)"', html)
    assert len(links) == 4
    for link in links:
        assert "sentiment=negative" in link and "since=2026-10-01T08%3A00Z" in link
    assert {re.search(r"format=(\w+)", x).group(1) for x in links} == {"csv", "xlsx", "jsonl"}  # type: ignore[union-attr]
    assert any("sep=%3B" in x for x in links)
    empty = client.get("/", params={"q": "introuvable"}, headers=PAGE).text
    assert 'class="export"' not in empty


def test_a_pseudonymous_workspace_exports_no_name_nor_handle(
    client: TestClient, filled: SQLiteStore
) -> None:
    privacy = Pseudonymiser(b"k" * 32, named_workspaces=["acme"])
    stored = privacy.enrich(
        [
            make_signal(
                500 + n,
                f"Colis perdu, écrivez à @camille.dupont ou camille@exemple.fr ({n})",
                workspace="globex",
                channel="mastodon",
                author_handle="@camille.dupont@piaille.fr",
                author_name="Camille Dupont",
                url="https://piaille.fr/@camille.dupont",
                sentiment=Sentiment(label="negative", score=0.9),
            )
            for n in range(3)
        ]
    )
    filled.put(stored)
    plain = TestClient(client.app)
    for format in ("csv", "jsonl", "xlsx"):
        r = plain.get(
            "/api/v1/export", params={"ws": "globex", "format": format, "q": "colis"}, headers=API
        )
        assert r.status_code == 200
        body = r.content
        if format == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(body)).active
            body = repr(list(sheet.iter_rows(values_only=True))).encode()
        text = body.decode("utf-8-sig").lower()
        assert "camille" not in text and "dupont" not in text, format
        assert re.search(r"a_[0-9a-f]{16}", text), format
