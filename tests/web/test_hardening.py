"""The web app's defences (issue 11, item 6): links, headers, body sizes, parameters, errors."""

from __future__ import annotations

import asyncio
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from pouls.config import load
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.conftest import make_signal
from tests.web.conftest import CONFIG

LIMIT = 65_536
HOOK_LIMIT = 200_000
HARDENED = (
    CONFIG
    + f"""
[[sources]]
type = "webhook"
name = "hook"
workspace = "acme"
secret = "a webhook secret"
max_bytes = {HOOK_LIMIT}

[[sources]]
type = "meta"
name = "meta"
workspace = "acme"
app_secret = "a meta secret"

[web]
max_body_bytes = {LIMIT}
"""
)
HUGE = "9" * 40


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The shared fixtures' home, with a small body limit and two webhook sources."""
    (tmp_path / "pouls.toml").write_text(HARDENED, encoding="utf-8")
    return tmp_path


@pytest.fixture
def served(home: Path, filled: SQLiteStore, account: int) -> Iterator[tuple[str, int]]:
    """The app behind a real uvicorn on loopback: (host, port)."""
    app = create_app(load(home, environ={}), filled)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        time.sleep(0.02)
    yield "127.0.0.1", port
    server.should_exit = True
    thread.join(10)
    loop.close()


# -- links -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\tjavascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "https:evil.example",
    ],
)
def test_a_signal_url_that_is_not_http_is_text_never_a_link(
    client: TestClient, filled: SQLiteStore, url: str
) -> None:
    signal = make_signal(700, "un lien piégé", url=url)
    filled.put([signal])
    page = client.get(f"/signals/{signal.id}")
    assert page.status_code == 200
    hrefs = re.findall(r'href="([^"]*)"', page.text)
    assert all(not h.lower().lstrip().startswith(("javascript", "data", "vbscript")) for h in hrefs)
    assert "Open on" not in page.text
    assert "not a web link" in page.text


def test_an_http_url_is_a_link(client: TestClient, filled: SQLiteStore) -> None:
    signal = make_signal(701, "un vrai lien", url="https://www.journal.fr/a?b=1&c=2")
    filled.put([signal])
    page = client.get(f"/signals/{signal.id}").text
    assert 'href="https://www.journal.fr/a?b=1&amp;c=2"' in page and "Open on" in page


# -- headers and inline script -----------------------------------------------------------------


def _directives(csp: str) -> dict[str, str]:
    return {p.split()[0]: p.partition(" ")[2] for p in (x.strip() for x in csp.split(";")) if p}


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    answers = [
        client.get("/"),
        client.get(f"/signals/{make_signal(3).id}"),
        client.get("/login"),
        client.get("/static/style.css"),
        client.get("/health"),
        client.get("/favicon.ico"),
        client.get("/api/docs"),
        client.get("/api/v1/signals"),
        client.get("/nowhere", headers={"Accept": "text/html"}),
        client.get("/api/v1/signals", headers={"Authorization": "Bearer wrong"}),
        client.post("/login", content=b"x" * (LIMIT + 1)),
    ]
    assert {a.status_code for a in answers} >= {200, 401, 404, 413}
    for answer in answers:
        csp = _directives(answer.headers["content-security-policy"])
        assert csp["script-src"] == "'self'" and csp["default-src"] == "'self'"
        assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
        assert csp["base-uri"] == "'self'" and csp["form-action"] == "'self'"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"


# A script element without src runs, except a data island (type="application/json"), which the
# browser never executes; its content must come through `tojson`, which escapes < > & '.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
DATA_ISLAND = re.compile(r"<script[^>]*type=\"application/json\"[^>]*>(.*?)</script>", re.I | re.S)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_no_template_carries_inline_script_or_event_handlers() -> None:
    folder = resources.files("pouls.web").joinpath("templates")
    names = [p.name for p in folder.iterdir() if p.name.endswith(".html")]
    assert len(names) > 10
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not INLINE_SCRIPT.search(text), path.name
        assert all(
            re.fullmatch(r"\{\{ [\w.]+ \| tojson \}\}", island.strip())
            for island in DATA_ISLAND.findall(text)
        ), path.name
        assert not HANDLER.search(text), path.name
        assert "javascript:" not in text.lower(), path.name


def test_the_pages_as_served_run_no_inline_script(client: TestClient) -> None:
    for path in ["/", f"/signals/{make_signal(3).id}", "/topics", "/alerts", "/api/docs"]:
        page = client.get(path).text
        assert "<script" in page, path
        assert not INLINE_SCRIPT.search(page) and not HANDLER.search(page), path


# -- body limits -------------------------------------------------------------------------------


def _answer(sock: socket.socket) -> int:
    head = b""
    while b"\r\n" not in head:
        got = sock.recv(4096)
        if not got:
            break
        head += got
    return int(head.split(b" ", 2)[1])


def _post_head(sock: socket.socket, path: str, headers: str) -> None:
    kind = "application/x-www-form-urlencoded" if path == "/login" else "application/json"
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {kind}\r\n{headers}\r\n".encode()
    )


@pytest.mark.parametrize("path", ["/hooks/meta/meta", "/api/v1/checkins", "/login", "/"])
def test_a_declared_oversize_body_is_refused_before_any_byte_is_sent(
    served: tuple[str, int], path: str
) -> None:
    """150 MB announced, none sent: the answer comes at once, so nothing waited for the body."""
    with socket.create_connection(served, timeout=10) as sock:
        _post_head(sock, path, "Content-Length: 150000000\r\n")
        assert _answer(sock) == 413


def _stream(served: tuple[str, int], path: str, megabytes: int) -> tuple[int, int]:
    """POST a chunked body of up to `megabytes` until the server answers: (status, bytes sent)."""
    chunk = b"x=" + b"0" * 65_534
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    with socket.create_connection(served, timeout=5) as sock:
        _post_head(sock, path, "Transfer-Encoding: chunked\r\n")
        while sent < megabytes * 1_000_000:
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break  # the server stopped reading
            sent += len(chunk)
        return _answer(sock), sent


@pytest.mark.parametrize("path", ["/hooks/meta/meta", "/login"])
def test_a_streamed_oversize_body_is_cut_off_near_the_limit(
    served: tuple[str, int], path: str
) -> None:
    status, sent = _stream(served, path, megabytes=150)
    assert status == 413
    # What was sent before the answer is the limit plus what the sockets' buffers hold: far from
    # the 150 MB offered, so the server stopped reading instead of holding them.
    assert sent < 40_000_000


def test_a_webhook_source_keeps_its_own_larger_limit(served: tuple[str, int]) -> None:
    """Over [web] max_body_bytes but under the source's `max_bytes`: read, then judged."""
    with socket.create_connection(served, timeout=10) as sock:
        body = b'{"text": "' + b"a" * (LIMIT * 2) + b'"}'
        _post_head(sock, "/ingest/hook", f"Content-Length: {len(body)}\r\n")
        sock.sendall(body)
        assert _answer(sock) == 401  # its signature is missing: the body was read and checked
    with socket.create_connection(served, timeout=10) as sock:
        _post_head(sock, "/ingest/hook", f"Content-Length: {HOOK_LIMIT + 1}\r\n")
        assert _answer(sock) == 413


# -- parameters and errors ---------------------------------------------------------------------


def test_numbers_too_large_for_the_store_are_refused_not_a_server_error(
    client: TestClient,
) -> None:
    page = {"Accept": "text/html"}
    for path in [f"/?after={HUGE}:1", f"/?after=1:{HUGE}", f"/stream?after={HUGE}:1"]:
        assert client.get(path, headers=page).status_code == 400, path
    api = client.get("/api/v1/signals", params={"after": f"{HUGE}:{HUGE}"})
    assert api.status_code == 400 and "page cursor" in api.json()["detail"]
    assert client.get(f"/alerts/{HUGE}", headers=page).status_code == 422
    for since in (f"{HUGE}d", "99999999999w"):
        assert client.get(f"/crisis?since={since}", headers=page).status_code == 400


def test_a_wrong_value_on_a_page_gets_the_error_page_in_its_language(client: TestClient) -> None:
    fr = {"Accept": "text/html", "Accept-Language": "fr"}
    for query, name in [("flag=rude", "flag"), ("sentiment=furious", "sentiment")]:
        page = client.get(f"/?{query}", headers=fr)
        assert page.status_code == 422
        assert page.headers["content-type"].startswith("text/html")
        assert "Cette demande est illisible" in page.text
        assert f"Valeur inattendue pour : {name}." in page.text
    en = client.get("/?flag=rude", headers={"Accept": "text/html"})
    assert "Unexpected value for: flag." in en.text
    api = client.get("/api/v1/signals?flag=rude", headers={"Accept": "text/html"})
    assert api.status_code == 422 and api.json()["detail"].startswith("flag: rude is not accepted")


# -- the small things ----------------------------------------------------------------------------


def test_the_favicon_is_served_and_linked(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client.get("/").text
    assert client.get("/static/favicon.svg").status_code == 200


def test_the_query_language_reference_is_a_page_linked_from_the_wall(client: TestClient) -> None:
    broken = client.get("/", params={"q": "nike adidas OR puma"}, headers={"Accept-Language": "fr"})
    assert '<a href="/help/query?ws=acme">Voir la référence du langage de requête.</a>' in (
        broken.text
    )
    fr = client.get("/help/query", headers={"Accept-Language": "fr"})
    assert fr.status_code == 200 and "Le langage de requête" in fr.text
    assert "NEAR/5" in fr.text and "lang:" in fr.text
    en = client.get("/help/query", headers={"Accept-Language": "en"})
    assert "The query language" in en.text and "both words" in en.text


def test_a_bad_page_cursor_is_explained_in_french(client: TestClient) -> None:
    fr = {"Accept": "text/html", "Accept-Language": "fr"}
    page = client.get(f"/?after={HUGE}:1", headers=fr)
    assert page.status_code == 400
    assert "repère de page" in page.text and "not a page cursor" not in page.text
