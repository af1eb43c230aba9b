"""The wall in a real browser: Debian's Chromium driven by Playwright, headless."""

from __future__ import annotations

import asyncio
import os

import msgspec
import pytest

from pouls.config import Rule
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.web.live import Live
from tests.conftest import make_signal
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser


def test_wall_filters_searches_pages_and_goes_live(
    page, server: tuple[str, Live, asyncio.AbstractEventLoop], filled: SQLiteStore
) -> None:
    from playwright.sync_api import expect

    base, live, loop = server
    sign_in(page, base, "/")
    cards = page.locator("#cards > li.card")
    expect(cards).to_have_count(50)
    expect(page.locator("#live-state")).to_have_text("live")

    page.locator('a[data-facet="channel"][data-value="whatsapp"]').click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Service client injoignable")

    page.goto(base + "/")
    page.fill('input[name="q"]', "ECOLE lumiere")
    page.press('input[name="q"]', "Enter")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("École Lumière")

    page.goto(base + "/")
    page.get_by_role("button", name="Older signals").click()
    expect(cards).to_have_count(63)

    expect(page.locator("#live-state")).to_have_text("live")
    fresh = [make_signal(900, "Tout juste arrivé en direct 🥐")]
    filled.put(fresh)  # as the pipeline does: store, then tell the listeners
    loop.call_soon_threadsafe(live.publish, fresh)
    expect(cards.first).to_contain_text("Tout juste arrivé en direct")
    expect(page.locator("#fresh-count")).to_contain_text("1 new")

    cards.first.locator("a.body").click()
    expect(page.locator("h1, .full-text").first).to_contain_text("Tout juste arrivé")


def test_wall_is_readable_on_a_phone(
    page, server: tuple[str, Live, asyncio.AbstractEventLoop]
) -> None:
    base, _, _ = server
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no horizontal scrolling on a phone"
    assert page.locator("#cards > li.card").first.is_visible()


PHONE_PAGES = ["/", "/alerts", "/rules", "/help/query", "/topics", "/crisis"]


def test_no_page_scrolls_sideways_on_a_phone(
    page, server: tuple[str, Live, asyncio.AbstractEventLoop], filled: SQLiteStore
) -> None:
    """Tables scroll inside their box or wrap: the page itself stays 390 px wide."""
    from tests.web.test_alerts import raise_alert

    base, _, _ = server
    raise_alert(filled)  # a row in /alerts (its longest cells)
    query = 'channel:whatsapp AND ("service client injoignable" OR "remboursement refusé")'
    rule = Rule(name="service-client-en-panne", workspace="acme", query=query, sinks=["ops"])
    WatchStore(filled).add_rule("acme", rule.name, msgspec.json.encode(rule))  # a row in /rules
    shots = os.environ.get("POULS_SHOTS")  # a folder: where to save what the phone shows
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "/")
    widths = {}
    for path in PHONE_PAGES:
        page.goto(base + path + ("&" if "?" in path else "?") + "ws=acme")
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
        if shots:
            name = path.strip("/").replace("/", "-") or "wall"
            page.screenshot(path=f"{shots}/{name}.png", full_page=path != "/")
    assert {p: w for p, w in widths.items() if w > 390} == {}


def test_the_api_reference_renders_with_no_network_beyond_pouls(
    page, server: tuple[str, Live, asyncio.AbstractEventLoop]
) -> None:
    from playwright.sync_api import expect

    base, _, _ = server
    outside: list[str] = []

    def only_pouls(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_pouls)
    sign_in(page, base, "/")  # /api/ paths answer 401 rather than show the login page
    page.goto(base + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("pouls")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert outside == []


@pytest.mark.parametrize("width", [1280, 390])
def test_the_pages_work_under_the_content_security_policy(
    page,
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    filled: SQLiteStore,
    width: int,
) -> None:
    """No inline script is left for the CSP to block: no console error, the live wall works."""
    from playwright.sync_api import expect

    base, live, loop = server
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "/")
    expect(page.locator("#live-state")).to_have_text("live")  # pouls.js ran and streams
    fresh = [make_signal(901, "Arrivé sous la politique de sécurité")]
    filled.put(fresh)
    loop.call_soon_threadsafe(live.publish, fresh)
    cards = page.locator("#cards > li.card")
    expect(cards.first).to_contain_text("Arrivé sous la politique")
    page.get_by_role("button", name="Older signals").click()  # htmx under the CSP
    expect(cards).to_have_count(64)
    page.goto(base + "/signals/" + make_signal(3).id)
    expect(page.locator("h1")).to_contain_text("Maison Lumière")
    page.goto(base + "/help/query")
    expect(page.locator("h1")).to_contain_text("query language")
    page.goto(base + "/topics")
    page.goto(base + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("pouls")
    assert problems == []
