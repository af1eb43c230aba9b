"""A rule cannot take a word of the rules pages' addresses as its name (`new`, `preview`), so
every saved rule's replay page can be reached: refused in the editor, the API, the CLI and
pouls.toml with the reason in the reader's language."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from pouls import web
from pouls.config import ConfigError, load
from pouls.config.watch import RESERVED_RULE_NAMES
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.web.live import Live
from tests.cli.process import pouls
from tests.web.conftest import CHROMIUM, CONFIG, FLAGS, TOKEN, sign_in


def test_every_fixed_word_under_rules_is_a_reserved_rule_name() -> None:
    # Read from the routes' declarations: FastAPI's included routers do not list their paths.
    declared = re.compile(r"""@router\.\w+\(\s*"/rules/([^{/"]+)""")
    words = {
        word
        for module in (Path(web.__file__).parent / "routes").glob("*.py")
        for word in declared.findall(module.read_text(encoding="utf-8"))
    }
    assert "new" in words and "preview" in words  # the reading finds them
    assert words <= RESERVED_RULE_NAMES, words - RESERVED_RULE_NAMES


@pytest.mark.parametrize("name", sorted(RESERVED_RULE_NAMES))
@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "is reserved by the rules pages"), ("fr", "est réservé aux pages des règles")],
)
def test_the_editor_refuses_a_reserved_name_in_the_page_language(
    client: TestClient, filled: SQLiteStore, name: str, lang: str, words: str
) -> None:
    form = {"name": name, "kind": "match", "query": "injoignable"}
    page = client.post("/rules?ws=acme", data=form, headers={"Accept-Language": lang})
    assert page.status_code == 400 and words in page.text
    assert WatchStore(filled).rule("acme", name) is None


def test_the_api_refuses_a_reserved_name_with_its_reason(
    client: TestClient, filled: SQLiteStore
) -> None:
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    body = {"name": "new", "kind": "match", "query": "injoignable"}
    made = client.post("/api/v1/rules?ws=acme", json=body, headers=bearer)
    assert made.status_code == 400
    assert "the name new is reserved by the rules pages" in str(made.json()["detail"])
    assert WatchStore(filled).rule("acme", "new") is None
    # a name that only begins like one is a name like any other, and its page opens
    body["name"] = "newsroom"
    assert client.post("/api/v1/rules?ws=acme", json=body, headers=bearer).status_code == 201
    replay = client.get("/rules/newsroom?ws=acme", headers=bearer)
    assert replay.status_code == 200 and "newsroom" in replay.text


def test_pouls_toml_and_the_cli_refuse_a_reserved_name(tmp_path: Path) -> None:
    rule = '\n[[rules]]\nname = "preview"\nworkspace = "acme"\nkind = "match"\nquery = "x"\n'
    (tmp_path / "pouls.toml").write_text(CONFIG + rule, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules\[0\]\.name.*'preview' is reserved"):
        load(tmp_path, environ={})
    home = tmp_path / "cli"
    home.mkdir()
    (home / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    done = pouls(home, "rule", "add", "new", "-w", "acme", "--kind", "match", "--query", "x")
    assert done.returncode == 1 and "reserved by the rules pages" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_in_the_browser_a_reserved_name_is_refused_and_another_saves(
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    filled: SQLiteStore,
    lang: str,
    width: int,
) -> None:
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is missing: `make test` installs it (make browser)")
    from playwright.sync_api import expect, sync_playwright

    words = {"en": "is reserved by the rules pages", "fr": "est réservé aux pages des règles"}
    base, _, _ = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        sign_in(page, base, "/rules?ws=acme")
        page.goto(f"{base}/lang?to={lang}&next={quote('/rules/new?ws=acme', safe='')}")
        page.fill("input[name=name]", "new")
        page.select_option("select[name=kind]", "match")
        page.fill("input[name=query]", "injoignable")
        page.locator("#save-rule").click()
        expect(page.locator("#rule-problems")).to_contain_text(words[lang])
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert WatchStore(filled).rule("acme", "new") is None
        page.fill("input[name=name]", f"nouveau-{width}")
        page.locator("#save-rule").click()
        page.wait_for_url(f"{base}/rules?ws=acme&saved=nouveau-{width}")
        page.goto(f"{base}/rules/nouveau-{width}?ws=acme")  # its replay page opens
        expect(page.locator("form.trial")).to_be_visible()
        browser.close()
