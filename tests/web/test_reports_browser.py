"""A new user downloads the weekly PDF report in a real browser, in French and English, on a
desktop and on a phone: Debian's Chromium driven by Playwright, headless."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from pouls import pipeline
from pouls.access.passwords import hash_password
from pouls.config import load
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.report.conftest import fill, pdf_text, write_home
from tests.web.conftest import CHROMIUM, FLAGS

pytestmark = pytest.mark.browser

LOGIN, PASSWORD = "nouvelle@acme.fr", "un mot de passe tout neuf"
# The report's own range is 7d back from now; the demo week is chosen in the address.
WEEK = "since=2026-10-01&until=2026-10-07"


@pytest.fixture
def base(tmp_path: Path) -> Iterator[str]:
    write_home(tmp_path)
    store = SQLiteStore(tmp_path / "pouls.db")
    fill(store)
    pipeline.sync_topics(load(tmp_path, environ={}), store)
    user = store.users.add(LOGIN, hash_password(PASSWORD), "Nouvelle")
    store.users.grant(user, "acme", "viewer")
    app = create_app(load(tmp_path, environ={}), store)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    loop.close()
    store.close()


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize(
    ("lang", "button", "words"),
    [("fr", "Télécharger le PDF", "Chiffres clés"), ("en", "Download the PDF", "Key numbers")],
)
def test_a_new_user_downloads_the_weekly_pdf(
    base: str, tmp_path: Path, width: int, lang: str, button: str, words: str
) -> None:
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is missing: `make test` installs it (make browser)")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale=lang, accept_downloads=True
        )
        page = context.new_page()
        page.goto(base + "/reports?ws=acme")
        page.fill("#login", LOGIN)
        page.fill("#password", PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(base + "/reports?ws=acme")
        page.get_by_role("link", name="La semaine d'ACME").click()
        page.wait_for_url(f"{base}/reports/hebdo?ws=acme")
        # The week of the signals, in the page's language (the report's own follows it).
        page.goto(f"{base}/reports/hebdo?ws=acme&{WEEK}&lang={lang}")
        frame = page.frame_locator("iframe.report-preview")
        expect(frame.locator("h2").first).to_have_text(words)
        # Nothing sticks out sideways, even on a phone.
        overflow = page.evaluate(
            "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
        )
        assert overflow <= 1
        with page.expect_download() as waiting:
            page.get_by_role("link", name=button).click()
        download = waiting.value
        assert download.suggested_filename == "hebdo-2026-10-01-2026-10-07.pdf"
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        browser.close()
    pages, text = pdf_text(target.read_bytes())
    assert pages >= 1 and words in text and "La semaine d'ACME" in text
