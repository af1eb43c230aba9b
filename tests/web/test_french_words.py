"""Words a new user reported raw or wrong in French: roles, a button, a source's state, the
replay's span, a sensitivity's decimal comma, `tous`/`toutes`."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pouls.config import load
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.web.conftest import LOGIN, PASSWORD
from tests.web.test_settings_pages import SOURCES

FR = {"Accept-Language": "fr"}


@pytest.fixture
def french(home: Path, filled: SQLiteStore, account: int) -> TestClient:
    (home / "pouls.toml").write_text(SOURCES, encoding="utf-8")
    c = TestClient(create_app(load(home, environ={}), filled), headers=FR)
    assert c.post("/login", data={"login": LOGIN, "password": PASSWORD}).status_code == 200
    return c


def test_roles_are_words_and_the_button_a_verb(french: TestClient) -> None:
    page = french.get("/settings/members?ws=acme").text
    assert "gestionnaire de communauté" in page and "administrateur" in page
    assert ">community_manager<" not in page and ">viewer<" not in page
    assert ">Changer</button>" in page and "Changement</button>" not in page
    english = french.get("/settings/members?ws=acme", headers={"Accept-Language": "en"}).text
    assert ">community manager<" in english and ">Change</button>" in english


def test_a_source_being_read_is_en_lecture(french: TestClient) -> None:
    page = french.get("/settings/sources?ws=acme").text
    assert '<span class="state on">en lecture</span>' in page
    assert '<span class="state on">mesure</span>' not in page


def test_the_replay_span_and_sensitivity_in_the_page_language(french: TestClient) -> None:
    page = french.get("/rules/new?ws=acme").text
    assert ">30\u00a0jours</option>" in page and ">30d</option>" not in page
    assert '<output id="rule-sens">0,5</output>' in page
    english = french.get("/rules/new?ws=acme", headers={"Accept-Language": "en"}).text
    assert ">30 days</option>" in english and '<output id="rule-sens">0.5</output>' in english


def test_any_agrees_with_its_noun(french: TestClient) -> None:
    alerts = french.get("/alerts?ws=acme").text
    assert '<select name="state"><option value="">tous</option>' in alerts
    assert '<select name="rule"><option value="">toutes</option>' in alerts


def test_the_report_form_says_sentiment_tous(french: TestClient) -> None:
    page = french.get("/reports?ws=acme").text
    assert '<select name="sentiment"><option value="">tous</option>' in page
    assert '<select name="visibility"><option value="">toutes</option>' in page
