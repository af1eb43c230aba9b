"""The wall's range picker in a real browser (Debian's Chromium, headless), on a laptop and a
phone, in French and in English: presets, custom dates, links that keep the range."""

from __future__ import annotations

import asyncio
import os
import re

import pytest

from pouls.web.live import Live
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser

WORDS = {
    "en": {"7d": "Last 7 days", "all": "All time", "custom": "Custom dates", "apply": "Apply"},
    "fr": {
        "7d": "7 derniers jours",
        "all": "Depuis le début",
        "custom": "Dates précises",
        "apply": "Appliquer",
    },
}
UNREADABLE = {"en": "This range cannot be read", "fr": "Cette période est illisible"}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("width", [1280, 390])
def test_range_picker_presets_custom_dates_and_shared_links(
    page,
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    width: int,
    lang: str,
) -> None:
    from playwright.sync_api import expect

    base, _, _ = server
    words = WORDS[lang]
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "/")
    page.context.add_cookies([{"name": "pouls_lang", "value": lang, "url": base}])
    page.goto(base + "/")
    cards = page.locator("#cards > li.card")
    total = page.locator("#total")
    expect(cards).to_have_count(50)
    expect(page.get_by_role("link", name=words["all"])).to_have_attribute("aria-current", "true")

    # The test signals are from October 2026: none in the last 7 days.
    page.get_by_role("link", name=words["7d"]).click()
    expect(page).to_have_url(re.compile(r"[?&]range=7d"))
    expect(cards).to_have_count(0)
    expect(page.get_by_role("link", name=words["7d"])).to_have_attribute("aria-current", "true")

    # Custom dates: the day before has nothing, the day itself has all 63.
    page.get_by_text(words["custom"]).click()
    page.fill("input[type=date][name=since]", "2026-09-30")
    page.fill("input[type=date][name=until]", "2026-09-30")
    page.get_by_role("button", name=words["apply"]).click()
    expect(page).to_have_url(re.compile(r"since=2026-09-30&until=2026-09-30"))
    expect(cards).to_have_count(0)
    page.fill("input[type=date][name=since]", "2026-10-01")
    page.fill("input[type=date][name=until]", "2026-10-01")
    page.get_by_role("button", name=words["apply"]).click()
    expect(total).to_have_text("63")
    expect(page.locator("#range-words")).to_contain_text("2026")
    shots = os.environ.get("POULS_SHOTS")  # a folder: where to save what the picker looks like
    if shots:
        page.screenshot(path=f"{shots}/range-{width}-{lang}.png")

    # A facet keeps the range; so does the search box.
    page.locator('a[data-facet="channel"][data-value="whatsapp"]').click()
    expect(page).to_have_url(re.compile(r"since=2026-10-01&until=2026-10-01"))
    expect(cards).to_have_count(1)
    page.fill('input[name="q"]', "injoignable")
    page.press('input[name="q"]', "Enter")
    expect(page).to_have_url(re.compile(r"since=2026-10-01"))
    expect(cards).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # A range typed by hand that cannot be read is explained, and the picker still works.
    page.goto(base + "/?since=hier")
    expect(page.locator("#range-error")).to_contain_text(UNREADABLE[lang])
    page.get_by_role("link", name=words["all"]).click()
    expect(cards).to_have_count(50)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert [p for p in problems if "400" not in p] == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_on_a_phone_the_current_preset_is_in_view(
    page,
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    lang: str,
) -> None:
    base, _, _ = server
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, base, "/")
    page.context.add_cookies([{"name": "pouls_lang", "value": lang, "url": base}])
    for preset in ("7d", "last-month"):
        page.goto(f"{base}/?range={preset}")
        current = page.locator(f'.range-presets a[data-range="{preset}"]')
        box = current.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
