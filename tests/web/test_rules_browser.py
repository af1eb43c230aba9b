"""A new user makes an alert rule in the browser only: the replay on history shows before
saving, in French and English, on a desktop and on a phone (Debian's Chromium, headless)."""

from __future__ import annotations

import asyncio
import os
from urllib.parse import quote

import pytest

from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.web.live import Live
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "new": "New rule",
        "save": "Save rule",
        "saved": "saved",
        "found": "it would have raised",
    },
    "fr": {
        "new": "Nouvelle règle",
        "save": "Enregistrer la règle",
        "saved": "enregistrée",
        "found": "aurait levé",
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_a_rule_is_made_in_the_browser_with_its_replay_before_saving(
    page,  # type: ignore[no-untyped-def]
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    filled: SQLiteStore,
    lang: str,
    width: int,
) -> None:
    from playwright.sync_api import expect

    base, _, _ = server
    words = WORDS[lang]
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "/rules?ws=acme")
    page.goto(f"{base}/lang?to={lang}&next={quote('/settings?ws=acme', safe='')}")
    # From the settings area, as a new user finds it.
    page.locator("nav.settings-nav a[href='/rules?ws=acme']").click()
    page.get_by_role("link", name=words["new"]).click()
    page.wait_for_url(f"{base}/rules/new?ws=acme")
    name = f"vip-{lang}-{width}"
    page.fill("input[name=name]", name)
    page.select_option("select[name=kind]", "match")
    page.fill("input[name=query]", "injoignable")
    page.select_option("select[name=since]", "90d")  # a change: the replay comes
    replay = page.locator("#replay")
    expect(replay.locator(".trial-count")).to_have_text("1")
    expect(replay).to_contain_text(words["found"])
    expect(replay.locator(".trial-row")).to_contain_text("injoignable")
    assert WatchStore(filled).rule("acme", name) is None  # shown before saving, nothing saved
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if shots := os.environ.get("POULS_SHOTS"):
        page.screenshot(path=f"{shots}/rule-editor-{lang}-{width}.png", full_page=True)
    page.get_by_role("button", name=words["save"]).click()
    page.wait_for_url(f"{base}/rules?ws=acme&saved={name}")
    expect(page.locator("p.notice")).to_contain_text(words["saved"])
    expect(page.locator(f"tr.rule-row[data-name='{name}']")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    stored = WatchStore(filled).rule("acme", name)
    assert stored is not None and stored.origin == "web"


SETTINGS_PAGES = [
    "/settings",
    "/settings/sources",
    "/settings/members",
    "/settings/tokens",
    "/settings/password",
    "/rules/new",
]


def test_no_settings_page_scrolls_sideways_on_a_phone(
    page,  # type: ignore[no-untyped-def]
    server: tuple[str, Live, asyncio.AbstractEventLoop],
) -> None:
    base, _, _ = server
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "/settings?ws=acme")
    widths = {}
    for path in SETTINGS_PAGES:
        page.goto(f"{base}{path}?ws=acme")
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    assert {p: w for p, w in widths.items() if w > 390} == {}
