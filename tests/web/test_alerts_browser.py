"""An alert page in a real browser (Debian's Chromium, headless): the chart and a signal link."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from pouls.store.sqlite import SQLiteStore
from pouls.web.live import Live
from tests.web.conftest import sign_in
from tests.web.test_alerts import raise_alert
from tests.web.test_browser import CHROMIUM, FLAGS

pytestmark = pytest.mark.browser


@pytest.fixture
def page() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is missing: `make test` installs it (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        yield pg
        browser.close()


def test_alert_page_shows_its_chart_and_leads_to_a_representative_signal(
    page, server: tuple[str, Live, asyncio.AbstractEventLoop], filled: SQLiteStore
) -> None:
    from playwright.sync_api import expect

    base, _, _ = server
    alert_id = raise_alert(filled)
    sign_in(page, base, "/?ws=acme")
    page.get_by_role("link", name="Alerts").click()
    page.locator(f'a[href="/alerts/{alert_id}?ws=acme"]').click()
    chart = page.locator(".chart img")
    expect(chart).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth", chart.element_handle()) == 480
    page.locator("a.example").first.click()
    expect(page.locator(".full-text")).to_contain_text("Service client injoignable")
