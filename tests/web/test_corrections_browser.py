"""Corrections in a real browser (Debian's Chromium, headless), on a laptop and a phone, in
French and in English: a signal corrected from its page (its mark, the models' value, then
withdrawn) and several signals corrected at once from the wall, the counts following."""

from __future__ import annotations

import asyncio
import os

import pytest

from pouls.store.sqlite import SQLiteStore
from pouls.web.live import Live
from tests.conftest import make_signal
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "correct": "Correct",
        "by": "corrected by Ana on",
        "said": "The models said: negative 80%",
        "again": "Use the models' value again",
        "apply": "Apply",
        "done": "2 signals corrected.",
    },
    "fr": {
        "correct": "Corriger",
        "by": "corrigé par Ana le",
        "said": "Les modèles disaient : négatif 80%",
        "again": "Revenir à la valeur des modèles",
        "apply": "Appliquer",
        "done": "2 signaux corrigés.",
    },
}
SECOND = make_signal(2).id  # "Service client injoignable", negative at 80 %


def _open(tab: object, base: str, lang: str, width: int, path: str) -> None:
    tab.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
    sign_in(tab, base, "/")
    tab.context.add_cookies([{"name": "pouls_lang", "value": lang, "url": base}])  # type: ignore[attr-defined]
    tab.goto(base + path)  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("width", [1280, 390])
def test_a_signal_is_corrected_from_its_page(
    page,
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    filled: SQLiteStore,
    width: int,
    lang: str,
) -> None:
    from playwright.sync_api import expect

    base, _, _ = server
    words = WORDS[lang]
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    _open(page, base, lang, width, f"/signals/{SECOND}?ws=acme")

    form = page.locator("#correct-sentiment")
    form.locator("select").select_option("positive")
    form.get_by_role("button", name=words["correct"]).click()
    fact = page.locator("#fact-sentiment")
    expect(fact.locator(".corrected")).to_contain_text(words["by"])
    expect(fact.locator(".model-said")).to_have_text(words["said"])
    expect(fact.locator(".tag")).to_have_class("tag sent-positive")
    assert filled.facets("acme")["sentiment"] == {"positive": 1}

    entities = page.locator("#correct-entities")
    entities.locator("textarea").fill("org: Maison Lumière")
    entities.get_by_role("button", name=words["correct"]).click()
    expect(page.locator("#fact-entities .entity")).to_have_text(["Maison Lumière"])
    shots = os.environ.get("POULS_SHOTS")  # a folder: where to save what the page looks like
    if shots:
        page.screenshot(path=f"{shots}/correct-signal-{width}-{lang}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    fact.get_by_role("button", name=words["again"]).click()
    expect(page.locator("#fact-sentiment .corrected")).to_have_count(0)
    assert filled.facets("acme")["sentiment"] == {"negative": 1}
    assert problems == []


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("width", [1280, 390])
def test_signals_are_corrected_in_bulk_from_the_wall(
    page,
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    filled: SQLiteStore,
    width: int,
    lang: str,
) -> None:
    from playwright.sync_api import expect

    base, _, _ = server
    words = WORDS[lang]
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    _open(page, base, lang, width, "/?ws=acme")

    cards = page.locator("#cards > li.card")
    cards.nth(0).locator("input.pick").check()
    cards.nth(1).locator("input.pick").check()
    page.locator("#bulk-change").select_option("sentiment:negative")
    page.locator("#bulk").get_by_role("button", name=words["apply"]).click()
    expect(page.locator("#corrected-notice")).to_have_text(words["done"])
    negative = page.locator('a[data-facet="sentiment"][data-value="negative"] .n')
    expect(negative).to_have_text("3")
    expect(cards.nth(0).locator(".corrected-mark")).to_be_visible()
    expect(cards.nth(2).locator(".corrected-mark")).to_have_count(0)
    shots = os.environ.get("POULS_SHOTS")
    if shots:
        page.screenshot(path=f"{shots}/correct-wall-{width}-{lang}.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems == []
