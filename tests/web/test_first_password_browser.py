"""In the browser: an admin creates an account on the members page, and that account's first
sign-in leads to the password page until it has chosen its own, in French and English, on a
laptop and on a phone (Debian's Chromium, headless)."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import pytest

from pouls.store.sqlite import SQLiteStore
from pouls.web.live import Live
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser

WORDS = {
    "en": {"first": "Choose your own password before going on", "done": "Password changed"},
    "fr": {
        "first": "Choisissez votre propre mot de passe avant de continuer",
        "done": "Mot de passe changé",
    },
}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_an_account_made_in_the_browser_chooses_its_password_at_first_sign_in(
    browser,  # type: ignore[no-untyped-def]
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    filled: SQLiteStore,
    lang: str,
    width: int,
) -> None:
    from playwright.sync_api import expect

    base, _, _ = server
    words = WORDS[lang]
    admin = browser.new_page()
    admin.set_viewport_size({"width": width, "height": 900})
    sign_in(admin, base, "/settings/members?ws=acme")
    admin.goto(f"{base}/lang?to={lang}&next={quote('/settings/members?ws=acme', safe='')}")
    login = f"zoe-{lang}-{width}@acme.fr"
    made = admin.locator("form[action='/settings/members/new?ws=acme']")
    made.locator("input[name=login]").fill(login)
    made.locator("select[name=role]").select_option("analyst")
    made.locator("button[type=submit]").click()
    password = admin.locator("pre.secret").inner_text().strip()
    assert len(password) >= 40

    zoe = browser.new_page()  # another browser: no cookie of Ana's
    zoe.set_viewport_size({"width": width, "height": 900})
    zoe.goto(f"{base}/lang?to={lang}&next={quote('/alerts?ws=acme', safe='')}")
    zoe.wait_for_url(f"{base}/login**")
    zoe.fill("#login", login)
    zoe.fill("#password", password)
    zoe.locator("form button[type=submit]").click()
    zoe.wait_for_url(f"{base}/settings/password")
    expect(zoe.locator("p.notice")).to_contain_text(words["first"])
    assert zoe.evaluate("document.documentElement.scrollWidth") <= width
    zoe.goto(f"{base}/dashboard?ws=acme")  # anywhere else leads back
    zoe.wait_for_url(f"{base}/settings/password")
    zoe.fill("input[name=current]", password)
    zoe.fill("input[name=new]", "mon propre mot de passe")
    zoe.fill("input[name=again]", "mon propre mot de passe")
    zoe.locator("form.topic-editor button[type=submit]").click()
    expect(zoe.locator("p.notice")).to_contain_text(words["done"])
    expect(zoe.locator("p.notice")).not_to_contain_text(words["first"])
    zoe.goto(f"{base}/alerts?ws=acme")
    zoe.wait_for_url(f"{base}/alerts?ws=acme")
    account = filled.users.get(login)
    assert account is not None and not account.must_change
