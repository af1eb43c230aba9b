"""Reports in the web app and the API: list, page, downloads, summary, settings, roles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from fastapi.testclient import TestClient

from pouls import pipeline
from pouls.access import digest
from pouls.access.passwords import hash_password
from pouls.config import load
from pouls.store.reports import Reports
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.report.conftest import fill, pdf_text, write_home

LOGIN, PASSWORD, TOKEN = "ana@acme.fr", "le mot de passe d'ana", "pouls_ana-report-token"
API = {"Authorization": f"Bearer {TOKEN}"}
WEEK = "since=2026-10-01&until=2026-10-07"
EMPTY = "since=2026-11-01&until=2026-11-07"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    write_home(tmp_path)
    s = SQLiteStore(tmp_path / "pouls.db")
    fill(s)
    pipeline.sync_topics(load(tmp_path, environ={}), s)
    user = s.users.add(LOGIN, hash_password(PASSWORD), "Ana")
    s.users.grant(user, "acme", "admin")
    s.users.add_token(user, "tests", digest(TOKEN), None)
    yield s
    s.close()


@pytest.fixture
def client(tmp_path: Path, store: SQLiteStore) -> Iterator[TestClient]:
    app = create_app(load(tmp_path, environ={}), store)
    with TestClient(app, headers={"Accept-Language": "en", "Accept": "text/html"}) as c:
        assert c.post("/login", data={"login": LOGIN, "password": PASSWORD}).status_code == 200
        yield c


def test_the_list_shows_the_reports_of_pouls_toml(client: TestClient) -> None:
    page = client.get("/reports?ws=acme")
    assert page.status_code == 200
    assert "La semaine d&#39;ACME" in page.text and "pouls.toml" in page.text
    assert 'href="/reports/hebdo/download?ws=acme&amp;format=pdf"' in page.text
    assert "New report" in page.text  # an admin may make one
    french = client.get("/reports?ws=acme", headers={"Accept-Language": "fr"})
    assert "Rapports" in french.text and "Créer le rapport" in french.text


def test_the_report_page_previews_and_offers_the_files(client: TestClient) -> None:
    page = client.get(f"/reports/hebdo?ws=acme&{WEEK}&lang=en")
    assert page.status_code == 200
    assert "Download the PDF" in page.text and 'class="report-preview"' in page.text
    view = client.get(f"/reports/hebdo/view?ws=acme&{WEEK}&lang=en")
    assert view.status_code == 200 and "Key numbers" in view.text
    # Framed by pouls only, and runs nothing.
    assert "frame-ancestors 'self'" in view.headers["content-security-policy"]
    assert "script-src" not in view.headers["content-security-policy"]
    assert view.headers["x-frame-options"] == "SAMEORIGIN"


@pytest.mark.parametrize(("lang", "words"), [("fr", "Chiffres clés"), ("en", "Key numbers")])
def test_the_pdf_downloads_in_either_language(client: TestClient, lang: str, words: str) -> None:
    got = client.get(f"/reports/hebdo/download?ws=acme&format=pdf&lang={lang}&{WEEK}")
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == (
        'attachment; filename="hebdo-2026-10-01-2026-10-07.pdf"'
    )
    pages, text = pdf_text(got.content)
    assert pages >= 1 and words in text


def test_an_empty_period_is_explained_in_the_page_language_not_a_file(
    client: TestClient,
) -> None:
    page = client.get(f"/reports/hebdo?ws=acme&{EMPTY}", headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and "Aucun signal ne correspond" in page.text
    assert "report-preview" not in page.text and "Télécharger le PDF" not in page.text
    got = client.get(f"/reports/hebdo/download?ws=acme&format=pdf&{EMPTY}")
    assert got.status_code == 422 and "No signal matches" in got.text
    assert got.headers["content-type"].startswith("text/html")
    bad = client.get("/reports/hebdo/download?ws=acme&format=pdf&since=hier")
    assert bad.status_code == 400


def test_the_summary_is_saved_and_printed(client: TestClient, store: SQLiteStore) -> None:
    saved = client.post("/reports/hebdo/summary?ws=acme", data={"summary": "Pic mardi <b>!</b>"})
    assert saved.status_code == 200  # back on the report's page
    assert Reports(store).get("acme", "hebdo").summary == "Pic mardi <b>!</b>"  # type: ignore[union-attr]
    view = client.get(f"/reports/hebdo/view?ws=acme&{WEEK}")
    assert "Pic mardi &lt;b&gt;!&lt;/b&gt;" in view.text


def test_a_report_made_in_the_web_app_is_created_changed_and_removed(
    client: TestClient, store: SQLiteStore
) -> None:
    form = {
        "name": "livraisons",
        "title": "Livraisons",
        "topic": "livraison",
        "range": "30d",
        "lang": "en",
        "schedule": "off",
        "hour": "9",
        "weekday": "friday",
        "monthday": "1",
        "sections": ["key_numbers", "summary"],
    }
    made = client.post("/reports?ws=acme", data=form)
    assert made.status_code == 200 and "Livraisons" in made.text
    report = Reports(store).get("acme", "livraisons")
    assert report is not None and report.origin == "web"
    assert (report.report.topic, report.report.sections) == (
        "livraison",
        ["key_numbers", "summary"],
    )
    again = client.post("/reports?ws=acme", data=form)
    assert again.status_code == 400 and "exists already" in again.text
    changed = client.post("/reports/livraisons?ws=acme", data={**form, "title": "Suivi"})
    assert changed.status_code == 200
    assert Reports(store).get("acme", "livraisons").report.title == "Suivi"  # type: ignore[union-attr]
    assert client.post("/reports/livraisons/delete?ws=acme").status_code == 200
    assert Reports(store).get("acme", "livraisons") is None


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"name": "Pas Bien"}, "a report name uses lowercase letters"),
        ({"query": "(lyon"}, "This query cannot be read"),
        ({"topic": "inconnu"}, "no topic inconnu in this workspace"),
        ({"schedule": "weekly"}, "needs at least one e-mail sink"),
        ({"hour": "25"}, "Unexpected value for: hour."),
        ({"sinks": ["nulle-part"]}, "choose recipients among the e-mail sinks"),
    ],
)
def test_a_bad_report_form_is_refused_with_its_reason(
    client: TestClient, store: SQLiteStore, change: dict[str, object], says: str
) -> None:
    form: dict[str, object] = {"name": "essai", "range": "7d", "lang": "fr", "schedule": "off"}
    form.update(change)
    refused = client.post("/reports?ws=acme", data=form)
    assert refused.status_code == 400 and says in refused.text
    assert [r.name for r in Reports(store).list("acme")] == ["hebdo"]


def test_a_report_of_pouls_toml_changed_or_deleted_here_stays_so(
    tmp_path: Path, client: TestClient, store: SQLiteStore
) -> None:
    page = client.get("/reports/hebdo?ws=acme")
    assert "Seeded from pouls.toml" in page.text
    form = {"title": "Notre semaine", "range": "30d", "lang": "fr", "schedule": "off"}
    assert client.post("/reports/hebdo?ws=acme", data=form).status_code == 200
    changed = Reports(store).get("acme", "hebdo")
    assert changed is not None and (changed.origin, changed.title) == ("web", "Notre semaine")
    assert "pouls.toml, changed here" in client.get("/reports/hebdo?ws=acme").text
    # The next start seeds from the file again: the version changed here is kept.
    settings = load(tmp_path, environ={})
    assert Reports(store).sync(settings.file.reports, ["acme"]) == []
    assert Reports(store).get("acme", "hebdo").title == "Notre semaine"  # type: ignore[union-attr]
    # Deleted here, it is not seeded again; made again under its name, the file may seed it.
    assert client.post("/reports/hebdo/delete?ws=acme").status_code == 200
    assert Reports(store).sync(settings.file.reports, ["acme"]) == []
    assert Reports(store).get("acme", "hebdo") is None
    again = {**form, "name": "hebdo", "title": "Refait"}
    assert client.post("/reports?ws=acme", data=again).status_code == 200
    assert Reports(store).get("acme", "hebdo").origin == "web"  # type: ignore[union-attr]


def test_viewers_read_reports_but_do_not_change_them(
    client: TestClient, store: SQLiteStore
) -> None:
    viewer = store.users.add("val@acme.fr", hash_password("le mot de passe de val"))
    store.users.grant(viewer, "acme", "viewer")
    client.post("/logout")
    client.post("/login", data={"login": "val@acme.fr", "password": "le mot de passe de val"})
    assert "New report" not in client.get("/reports?ws=acme").text
    assert client.get(f"/reports/hebdo/download?ws=acme&{WEEK}").status_code == 200
    refused = client.post("/reports/hebdo/summary?ws=acme", data={"summary": "x"})
    assert refused.status_code == 403 and "ask an admin or an analyst" in refused.text
    assert Reports(store).get("acme", "hebdo").summary == ""  # type: ignore[union-attr]


def test_other_workspaces_and_strangers_see_nothing(client: TestClient, store: SQLiteStore) -> None:
    assert client.get("/reports/hebdo?ws=globex").status_code == 403  # no role there
    assert client.get("/reports/nothing?ws=acme").status_code == 404
    forged = client.post(
        "/reports/hebdo/summary?ws=acme",
        data={"summary": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    client.post("/logout")
    assert client.get("/api/v1/reports?ws=acme").status_code == 401
    assert "report-preview" not in client.get(f"/reports/hebdo?ws=acme&{WEEK}").text
    client.post("/reports/hebdo/summary?ws=acme", data={"summary": "x"})
    assert Reports(store).get("acme", "hebdo").summary == ""  # type: ignore[union-attr]


def test_the_api_lists_reads_and_renders(tmp_path: Path, store: SQLiteStore) -> None:
    app = create_app(load(tmp_path, environ={}), store)
    with TestClient(app) as api:
        listed = api.get("/api/v1/reports?ws=acme", headers=API).json()
        assert [r["name"] for r in listed["reports"]] == ["hebdo"]
        assert listed["reports"][0]["origin"] == "config"
        one = api.get("/api/v1/reports/hebdo?ws=acme", headers=API).json()
        assert one["title"] == "La semaine d'ACME" and one["sends"] == []
        html = api.get(f"/api/v1/reports/hebdo/render?ws=acme&format=html&{WEEK}", headers=API)
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        pdf = api.get(f"/api/v1/reports/hebdo/render?ws=acme&lang=en&{WEEK}", headers=API)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        empty = api.get(f"/api/v1/reports/hebdo/render?ws=acme&{EMPTY}", headers=API)
        assert empty.status_code == 422
        assert empty.json()["detail"].startswith("No signal matches")
        french = api.get(f"/api/v1/reports/hebdo/render?ws=acme&lang=fr&{EMPTY}", headers=API)
        assert french.json()["detail"].startswith("Aucun signal")
        missing = api.get("/api/v1/reports/nothing?ws=acme", headers=API)
        assert missing.status_code == 404
        odd = api.get("/api/v1/reports/hebdo/render?ws=acme&format=docx", headers=API)
        assert odd.status_code in (400, 422)


def test_the_page_says_when_the_next_issue_goes_out(client: TestClient, store: SQLiteStore) -> None:
    assert "Next issue" not in client.get("/reports/hebdo?ws=acme").text  # not scheduled
    book = Reports(store)
    hebdo = book.get("acme", "hebdo")
    assert hebdo is not None
    weekly = msgspec.structs.replace(hebdo.report, name="lundi", schedule="weekly", hour=7)
    book.save(weekly, origin="web")
    page = client.get("/reports/lundi?ws=acme")
    assert "Scheduled, but no e-mail sink is named: nothing is sent." in page.text
    book.save(msgspec.structs.replace(weekly, sinks=["equipe"]), origin="web")
    page = client.get("/reports/lundi?ws=acme", headers={"Accept-Language": "fr"})
    assert re.search(r"Prochain envoi par e-mail : \d{1,2} \w+ 20\d\d, 07:00", page.text)
