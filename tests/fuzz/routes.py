"""One app with a source for each push route (generic webhook, Meta, Telegram, check-ins), and
the signed requests a sender makes: what the poison and fuzz tests post through."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from pouls.config import load
from pouls.sources.webhook import sign
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.intake import drained

WS = "acme"
HOOK_SECRET = "hook-secret-for-fuzz"
META_SECRET = "meta-secret-for-fuzz"
TELEGRAM_SECRET = "telegram-secret-for-fuzz"
CHECKIN_TOKEN = "checkin-token-for-fuzz"

CONFIG = f"""
[[workspaces]]
id = "{WS}"
identities = "named"

[[sources]]
type = "webhook"
name = "hook"
workspace = "{WS}"
secret = "{HOOK_SECRET}"

[[sources]]
type = "webhook"
name = "mapped"
workspace = "{WS}"
secret = "{HOOK_SECRET}"
mapping = {{ native_id = "item.id", text = "item.body", edited_at = "item.updated_at" }}

[[sources]]
type = "meta"
name = "meta"
workspace = "{WS}"
app_secret = "{META_SECRET}"

[[sources]]
type = "telegram"
name = "bot"
workspace = "{WS}"
mode = "webhook"
secret_token = "{TELEGRAM_SECRET}"

[[sources]]
type = "checkin"
name = "humeur"
workspace = "{WS}"
token = "{CHECKIN_TOKEN}"
"""


@contextmanager
def serving(home: Path) -> Iterator[tuple[TestClient, SQLiteStore]]:
    """The app over a real SQLite store in `home`; a server error fails the test with its cause."""
    (home / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    store = SQLiteStore(home / "pouls.db")
    try:
        with TestClient(create_app(load(home, environ={}), store)) as client:
            yield client, store
    finally:
        store.close()


def dumps(payload: Any) -> bytes:
    """JSON as a sender writes it: lone surrogates escaped as `\\udXXX`, never as raw bytes."""
    return json.dumps(payload, ensure_ascii=True, allow_nan=True).encode()


def post_hook(client: TestClient, body: bytes, source: str = "hook") -> Response:
    """A signed delivery to `POST /ingest/{source}`, answered then drained into the store."""
    headers = {"X-Signature-256": sign(HOOK_SECRET, body), "Content-Type": "application/json"}
    answer = client.post(f"/ingest/{source}", content=body, headers=headers)
    drained(client)
    return answer


def post_meta(client: TestClient, body: bytes) -> Response:
    """A delivery signed with the Meta app secret to `/hooks/meta/meta`, then drained."""
    mac = hmac.new(META_SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-Hub-Signature-256": f"sha256={mac}", "Content-Type": "application/json"}
    answer = client.post("/hooks/meta/meta", content=body, headers=headers)
    drained(client)
    return answer


def post_telegram(client: TestClient, body: bytes) -> Response:
    """An update with the webhook's secret token to `/hooks/telegram/bot`, then drained."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    answer = client.post("/hooks/telegram/bot", content=body, headers=headers)
    drained(client)
    return answer


def post_checkin(client: TestClient, body: bytes) -> Response:
    """A check-in with the source's bearer token to `/api/v1/checkins`."""
    headers = {"Authorization": f"Bearer {CHECKIN_TOKEN}", "Content-Type": "application/json"}
    return client.post("/api/v1/checkins", content=body, headers=headers)


def dead_count(store: SQLiteStore, source: str) -> int:
    """How many dead letters the store holds for one source."""
    return next((s.dead_letters for s in store.sources(WS) if s.source == source), 0)
