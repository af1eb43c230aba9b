"""Alert pages in a real browser (Debian's Chromium, headless): the chart, a signal link, and
the team's actions from the list and the page in French and English, wide and narrow."""

from __future__ import annotations

import asyncio

import pytest

from pouls.store.sqlite import SQLiteStore
from pouls.web.live import Live
from tests.web.conftest import sign_in
from tests.web.test_alerts import raise_alert

pytestmark = pytest.mark.browser


def test_alert_page_shows_its_chart_and_leads_to_a_representative_signal(
    page, server: tuple[str, Live, asyncio.AbstractEventLoop], filled: SQLiteStore
) -> None:
    from playwright.sync_api import expect

    base, _, _ = server
    alert_id = raise_alert(filled)
    sign_in(page, base, "/?ws=acme")
    page.get_by_role("link", name="Alerts").click()
    page.locator(f'a[href="/alerts/{alert_id}?ws=acme"]').click()
    chart = page.locator(".chart-svg svg")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 100
    expect(chart).to_contain_text("08:00")  # time ticks under the bars
    page.locator("a.example").first.click()
    expect(page.locator(".full-text")).to_contain_text("Service client injoignable")


WORDS = {
    "en": {"ack": "Acknowledge", "acked": "Acknowledged", "assign": "Assign", "comment": "Comment",
           "snooze": "Snooze", "snoozed": "Snoozed", "resolve": "Resolve", "resolved": "Resolved",
           "title": "Volume rising"},
    "fr": {"ack": "Prendre en compte", "acked": "Prise en compte", "assign": "Assigner",
           "comment": "Commenter", "snooze": "Mettre en pause", "snoozed": "En pause",
           "resolve": "Résoudre", "resolved": "Résolue", "title": "Volume en hausse"},
}  # fmt: skip


@pytest.mark.parametrize(("lang", "width"), [("en", 1280), ("fr", 390), ("fr", 1280), ("en", 390)])
def test_an_alert_is_acted_on_from_the_list_and_its_page(
    page, server: tuple[str, Live, asyncio.AbstractEventLoop], filled: SQLiteStore, lang: str,
    width: int,
) -> None:  # fmt: skip
    from playwright.sync_api import expect

    from pouls.store.watch import WatchStore

    base, _, _ = server
    alert_id = raise_alert(filled)
    w = WORDS[lang]
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "/?ws=acme")
    page.context.add_cookies([{"name": "pouls_lang", "value": lang, "url": base}])
    page.goto(f"{base}/alerts?ws=acme")
    row = page.locator(f'tr.alert-row[data-id="{alert_id}"]')
    expect(row).to_contain_text(w["title"])
    row.get_by_role("button", name=w["ack"], exact=True).click()
    expect(row.locator(".badge.state-acknowledged")).to_have_text(w["acked"])
    row.locator('select[name="assignee"]').select_option("ana@acme.fr")
    row.get_by_role("button", name=w["assign"], exact=True).click()
    expect(row.locator("td.assignee")).to_have_text("Ana")
    if width < 760:  # a card: the header row is hidden, each value says what it is
        label = "getComputedStyle(document.querySelector('tr.alert-row td.assignee'), '::before')"
        assert {"en": "Assignee", "fr": "Assignée à"}[lang] in page.evaluate(f"{label}.content")
    # A phone's page never scrolls sideways: the table scrolls in its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto(f"{base}/alerts/{alert_id}?ws=acme")
    expect(page.locator(".chart-svg svg")).to_be_visible()
    work = page.locator("#alert-work")
    work.locator('input[name="text"]').fill("Transporteur appelé")
    work.get_by_role("button", name=w["comment"], exact=True).click()
    expect(page.locator("#alert-work .comment-text")).to_have_text("Transporteur appelé")
    page.locator("#alert-work").get_by_role("button", name=w["snooze"], exact=True).click()
    expect(page.locator("#alert-work .badge.state-snoozed")).to_have_text(w["snoozed"])
    # The header's badge follows without a reload (hx-swap-oob), its end on the local clock.
    expect(page.locator("#alert-state-head .badge.state-snoozed")).to_have_text(w["snoozed"])
    expect(page.locator("#alert-state-head .snooze")).to_contain_text("CET")
    page.locator("#alert-work").get_by_role("button", name=w["resolve"], exact=True).click()
    expect(page.locator("#alert-work .badge.state-resolved")).to_have_text(w["resolved"])
    expect(page.locator("#alert-state-head .badge.state-resolved")).to_have_text(w["resolved"])
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    changes = [h.change for h in WatchStore(filled).history("acme", alert_id) if h.actor]
    assert changes == ["acknowledged", "assigned", "commented", "snoozed", "resolved"]
