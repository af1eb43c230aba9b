"""A web app over a real store filled with a few signals of two workspaces."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from pouls.access import digest
from pouls.access.passwords import hash_password
from pouls.config import load
from pouls.signals import Geo, Sentiment
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from pouls.web.live import Live
from tests.conftest import make_signal

CONFIG = """
[[workspaces]]
id = "acme"
name = "ACME"
identities = "named"

[[workspaces]]
id = "globex"
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


@pytest.fixture
def filled(home: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(home / "pouls.db")
    store.put(
        [
            make_signal(
                1,
                "L'École Lumière ouvre à Lyon",
                channel="mastodon",
                author_handle="@zoe@piaille.fr",
                author_name="Zoé",
            ),
            make_signal(
                2,
                "Service client injoignable",
                channel="whatsapp",
                kind="message",
                visibility="private",
                sentiment=Sentiment(label="negative", score=0.8),
            ),
            make_signal(
                3,
                "Enquête sur la chaîne",
                channel="rss",
                kind="article",
                visibility="press",
                title="Maison Lumière dans la tourmente",
                url="https://www.journal.fr/a",
                geo=Geo(place="Lille", country="FR"),
            ),
            make_signal(1, "secret de globex", workspace="globex"),
        ]
        + [make_signal(100 + i, f"message ordinaire {i}") for i in range(60)]
    )
    yield store
    store.close()


LOGIN, PASSWORD = "ana@acme.fr", "un mot de passe de test"
TOKEN = "pouls_test-token-of-ana"


@pytest.fixture
def account(filled: SQLiteStore) -> int:
    """Ana, admin of both workspaces, with a password and an API token."""
    user_id = filled.users.add(LOGIN, hash_password(PASSWORD), "Ana")
    for ws in ("acme", "globex"):
        filled.users.grant(user_id, ws, "admin")
    filled.users.add_token(user_id, "tests", digest(TOKEN), None)
    return user_id


@pytest.fixture
def client(home: Path, filled: SQLiteStore, account: int) -> Iterator[TestClient]:
    """A browser-like client asking for English, signed in as Ana through the login form."""
    app = create_app(load(home, environ={}), filled)
    with TestClient(app, headers={"Accept-Language": "en-GB,en;q=0.8"}) as c:
        sign_in = c.post("/login", data={"login": LOGIN, "password": PASSWORD})
        assert sign_in.status_code == 200, sign_in.text
        yield c


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, through Playwright: one launch per test, for every browser
    test of the web app."""
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is missing: `make test` installs it (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> object:
    """A page of `browser` at laptop width."""
    return browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]


def sign_in(page: object, base: str, path: str = "/") -> None:
    """Open `path` in a real browser: the login page comes first, then `path` itself."""
    page.goto(base + path)  # type: ignore[attr-defined]
    page.fill("#login", LOGIN)  # type: ignore[attr-defined]
    page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    # Headless Chromium asks for English first: the form follows Accept-Language.
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.wait_for_url(base + path)  # type: ignore[attr-defined]


@pytest.fixture
def server(
    home: Path, filled: SQLiteStore, account: int
) -> Iterator[tuple[str, Live, asyncio.AbstractEventLoop]]:
    live = Live()
    app = create_app(load(home, environ={}), filled, live)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    srv = uvicorn.Server(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(srv.serve(),), daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", live, loop
    srv.should_exit = True
    thread.join(10)
    loop.close()
