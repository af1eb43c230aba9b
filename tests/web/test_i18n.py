"""Pages in French by default, in English for browsers that ask for it, and a switch."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from scripts.translations import read

from pouls.config import load
from pouls.locale import translate
from pouls.signals import utcnow
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from pouls.web.templating import templates
from tests.web.conftest import LOGIN, PASSWORD

FRENCH = read("fr")


def _has_french(msgid: str) -> bool:
    entry = FRENCH.get(msgid)
    return entry is not None and bool(entry.string) and not entry.fuzzy


# The values the pages show as words: every one needs its French.
LABELS = {
    "visibility": ["public", "private", "press"],
    "kind": ["post", "comment", "reply", "message", "article", "review", "reading", "checkin"],
    "sentiment": ["negative", "neutral", "positive"],
    "flag": ["toxic", "scam"],
    "alert status": ["open", "closed"],
    "alert change": ["opened", "updated", "closed"],
    "alert kind": [
        "spike",
        "threshold",
        "match",
        "toxicity",
        "scam",
        "campaign",
        "new_terms",
        "escalation",
    ],
    "alert note": ["rule removed", "replaced by a newer alert"],
    "toxicity": ["toxic", "hate", "offensive", "insult", "threat"],
}


def _client(home: Path, store: SQLiteStore, **headers: str) -> TestClient:
    client = TestClient(create_app(load(home, environ={}), store), headers=headers)
    client.post("/login", data={"login": LOGIN, "password": PASSWORD})
    return client


def test_pages_are_french_by_default(home: Path, filled: SQLiteStore, account: int) -> None:
    with _client(home, filled) as c:
        wall = c.get("/?ws=acme").text
        assert '<html lang="fr">' in wall
        assert ">Rechercher</button>" in wall and "<h2>Canaux</h2>" in wall
        assert "<span>privé</span>" in wall  # the visibility facet
        assert "Se déconnecter" in wall and "signaux" in wall
        assert "Aucune alerte dans cet espace" in c.get("/alerts?ws=acme").text
        assert "Histoires qui s" in c.get("/crisis?ws=acme").text


def test_a_browser_asking_for_english_gets_english(
    home: Path, filled: SQLiteStore, account: int
) -> None:
    with _client(home, filled, **{"Accept-Language": "en-US,en;q=0.9,fr;q=0.5"}) as c:
        wall = c.get("/?ws=acme").text
        assert '<html lang="en">' in wall and ">Search</button>" in wall
        assert "<span>private</span>" in wall


def test_the_switch_keeps_a_choice_over_the_browsers(
    home: Path, filled: SQLiteStore, account: int
) -> None:
    with _client(home, filled, **{"Accept-Language": "fr-FR"}) as c:
        switched = c.get("/lang?to=en&next=/alerts%3Fws%3Dacme", follow_redirects=False)
        assert switched.status_code == 303 and switched.headers["location"] == "/alerts?ws=acme"
        assert "<h1>Alerts</h1>" in c.get("/alerts?ws=acme").text
        c.get("/lang?to=fr&next=/")
        assert "<h1>Alertes</h1>" in c.get("/alerts?ws=acme").text
        away = c.get("/lang?to=en&next=https://evil.example/", follow_redirects=False)
        assert away.headers["location"] == "/"


def test_the_login_page_and_its_messages_follow_the_language(
    home: Path, filled: SQLiteStore, account: int
) -> None:
    app = create_app(load(home, environ={}), filled)
    with TestClient(app) as fr, TestClient(app, headers={"Accept-Language": "en"}) as en:
        assert "Connexion à pouls" in fr.get("/login").text
        assert "Sign in to pouls" in en.get("/login").text
        assert (
            "Wrong login or password."
            in en.post("/login", data={"login": "x", "password": "y"}).text
        )


def _template_strings() -> set[str]:
    found: set[str] = set()
    folder = resources.files("pouls.web").joinpath("templates")
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        for quote in ('"', "'"):
            pattern = rf"_\({quote}((?:[^{quote}\\]|\\.)+){quote}"
            found.update(m.replace('\\"', '"') for m in re.findall(pattern, text))
    return found


def test_every_string_of_the_pages_has_its_french() -> None:
    strings = _template_strings()
    assert len(strings) > 100
    missing = sorted(s for s in strings if not _has_french(s))
    assert missing == []


@pytest.mark.parametrize("group", sorted(LABELS))
def test_every_value_shown_as_a_word_has_its_french(group: str) -> None:
    assert [v for v in LABELS[group] if not _has_french(v)] == []


def test_times_are_written_the_french_way() -> None:
    env = templates().env
    now = utcnow()
    fr = env.from_string("{{ t | ago }} / {{ d | long_date }}")
    monday = datetime(2026, 9, 21, 14, 5, tzinfo=UTC)
    assert fr.render(lang="fr", t=now - timedelta(days=2), d=monday) == (
        "2\u202fj / lundi 21 septembre 2026, 14:05 UTC"
    )
    assert fr.render(lang="en", t=now - timedelta(days=2), d=monday) == (
        "2 days / Monday 21 September 2026, 14:05 UTC"
    )
    assert env.from_string("{{ t | ago }}").render(lang="fr", t=now) == "à l&#39;instant"


def test_numbers_are_grouped_the_way_each_language_writes_them() -> None:
    template = templates().env.from_string("{{ n | number }}")
    assert template.render(lang="fr", n=1234567) == "1\u202f234\u202f567"
    assert template.render(lang="en", n=1234567) == "1,234,567"


def test_a_browser_gets_an_error_page_in_its_language_and_a_script_gets_json(
    home: Path, filled: SQLiteStore, account: int
) -> None:
    page = {"Accept": "text/html,application/xhtml+xml"}
    with _client(home, filled) as c:
        missing = c.get("/signals/nope?ws=acme", headers=page)
        assert missing.status_code == 404
        assert "<h1>Introuvable</h1>" in missing.text
        assert "Ce signal n&#39;existe pas dans cet espace." in missing.text
        unknown = c.get("/?ws=initech", headers=page)
        assert unknown.status_code == 404
        assert "aucun espace de travail &#39;initech&#39;" in unknown.text
        api = c.get("/api/v1/signals/nope?ws=acme", headers=page)
        assert api.status_code == 404
        assert api.json() == {"detail": "no such signal in this workspace"}
        assert c.get("/signals/nope?ws=acme").json()["detail"]  # no text/html: JSON


def test_query_errors_are_all_in_french() -> None:
    """Every message of pouls.query has its French, those naming a value included."""
    fixed = set()
    for path in resources.files("pouls.query").iterdir():
        if not path.name.endswith(".py"):
            continue
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r'QueryError\(\s*((?:"[^"]*"\s*)+),', text):
            fixed.add("".join(re.findall(r'"([^"]*)"', m.group(1))))
    assert len(fixed) > 15
    assert sorted(m for m in fixed if not _has_french(m)) == []


def test_one_signal_is_singular_in_french_and_english() -> None:
    """ngettext: `1 signal`, never `1 signaux`; French counts 0 in the singular too."""
    template = templates().env.from_string('{{ ngettext("%(num)s signal", "%(num)s signals", n) }}')
    said = {(lang, n): template.render(lang=lang, n=n) for lang in ("fr", "en") for n in (0, 1, 3)}
    assert said[("fr", 0)] == "0 signal" and said[("fr", 1)] == "1 signal"
    assert said[("fr", 3)] == "3 signaux" and said[("en", 1)] == "1 signal"
    assert said[("en", 0)] == "0 signals" and said[("en", 3)] == "3 signals"


def test_a_translation_with_a_quote_cannot_break_out_of_an_attribute() -> None:
    """Translations are text: escaped before the values are filled in, values escaped too."""
    template = templates().env.from_string('<input placeholder="{{ _("Search: %(x)s", x=x) }}">')
    html = template.render(lang="fr", x='"><script>')
    assert "<script>" not in html and '"><' not in html
    assert translate("fr", "Search") == "Rechercher"


def test_the_wall_explains_a_bad_query_in_french(
    home: Path, filled: SQLiteStore, account: int
) -> None:
    with _client(home, filled) as c:
        page = c.get("/?ws=acme&q=croissant AND (")
        assert page.status_code == 400
        assert "il manque un terme à chercher" in page.text and "(colonne 16)" in page.text
