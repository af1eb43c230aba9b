"""Meta webhooks through the real app and store: handshake, signatures, the three channels."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pouls.config import load
from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.intake import drained

PAYLOADS = Path(__file__).parent.parent / "payloads" / "meta"
APP_SECRET = "meta-app-secret-for-tests"
VERIFY = "verify-token-for-tests"

CONFIG = """
[[workspaces]]
id = "acme"

[[sources]]
type = "meta"
name = "meta"
workspace = "acme"
app_secret_env = "POULS_TEST_META_SECRET"
verify_token_env = "POULS_TEST_META_VERIFY"
"""


@pytest.fixture
def app_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, SQLiteStore]]:
    monkeypatch.setenv("POULS_TEST_META_SECRET", APP_SECRET)
    monkeypatch.setenv("POULS_TEST_META_VERIFY", VERIFY)
    (tmp_path / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    store = SQLiteStore(tmp_path / "pouls.db")
    with TestClient(create_app(load(tmp_path, environ={}), store)) as client:
        yield client, store
    store.close()


def deliver(client: TestClient, name: str | bytes, secret: str = APP_SECRET):
    body = name if isinstance(name, bytes) else (PAYLOADS / name).read_bytes()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    answer = client.post(
        "/hooks/meta/meta",
        content=body,
        headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"},
    )
    drained(client)  # answered once journaled; stored by the drainer just after
    return answer


def test_verification_handshake_echoes_the_challenge(app_store) -> None:
    client, _ = app_store
    ok = client.get(
        "/hooks/meta/meta",
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"},
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = client.get(
        "/hooks/meta/meta",
        params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
    )
    assert wrong.status_code == 403
    assert VERIFY not in wrong.text


def test_whatsapp_message_is_stored_as_a_private_message(app_store) -> None:
    client, store = app_store
    response = deliver(client, "whatsapp_text.json")
    assert (response.status_code, response.text) == (200, "EVENT_RECEIVED")
    [signal] = store.search("acme", filters=Filters(channel="whatsapp")).signals
    assert signal.native_id.startswith("a_")  # a wamid holds the phone number in base64
    assert (signal.kind, signal.visibility) == ("message", "private")
    assert signal.text.startswith("Bonjour, ma commande 4521")
    assert signal.created_at == datetime.fromtimestamp(1791014400, UTC)
    assert signal.conversation_id.startswith("whatsapp:106540352242922:a_")
    # Pseudonymous workspace: no handle, name or phone number anywhere (tests/privacy).
    assert "33698765432" not in str(signal)
    assert signal.author is not None and signal.author.startswith("a_")
    assert signal.author_handle is None and signal.author_name is None
    assert signal.raw is not None and signal.raw["phone_number_id"] == "106540352242922"


def test_duplicate_delivery_is_stored_once(app_store) -> None:
    client, store = app_store
    deliver(client, "whatsapp_text.json")
    deliver(client, "whatsapp_text.json")
    assert store.count("acme") == 1


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"X-Hub-Signature-256": "sha256=" + "ab" * 32}, 403)],
)
def test_forged_or_missing_signature_stores_nothing(app_store, headers, status) -> None:
    client, store = app_store
    body = (PAYLOADS / "whatsapp_text.json").read_bytes()
    response = client.post("/hooks/meta/meta", content=body, headers=headers)
    assert response.status_code == status
    assert APP_SECRET not in response.text
    assert store.count("acme") == 0 and store.dead_letters("acme") == []


def test_signature_with_another_secret_is_refused(app_store) -> None:
    client, store = app_store
    assert deliver(client, "whatsapp_text.json", secret="other-app").status_code == 403
    assert store.count("acme") == 0


def test_reply_with_media_keeps_its_parent_and_dead_letters_the_unreadable(app_store) -> None:
    client, store = app_store
    assert deliver(client, "whatsapp_image_reply.json").status_code == 200
    [signal] = store.search("acme").signals
    assert signal.text == "Voici le carton reçu, il est écrasé"
    assert signal.parent_id is not None and signal.parent_id.startswith("a_")  # a hashed wamid
    [dead] = store.dead_letters("acme")
    assert "KeyError" in dead.reason and "'id'" in dead.reason
    assert "message sans id" in dead.raw
    assert APP_SECRET not in dead.raw + dead.reason


def test_statuses_are_not_signals_and_failures_show_as_the_sources_error(app_store) -> None:
    client, store = app_store
    assert deliver(client, "whatsapp_statuses.json").status_code == 200
    assert store.count("acme") == 0
    [state] = store.sources("acme")
    assert state.last_error is not None
    assert "131047 Re-engagement message" in state.last_error
    # The message id encodes the customer's number: a pseudonymous workspace never keeps it.
    assert "wamid." not in state.last_error


def test_messenger_message_is_stored_and_echoes_and_deliveries_skipped(app_store) -> None:
    client, store = app_store
    assert deliver(client, "messenger_message.json").status_code == 200
    [signal] = store.search("acme").signals
    assert (signal.channel, signal.kind, signal.native_id) == (
        "messenger",
        "message",
        "m_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
    )
    assert signal.text == "Hi! Is the Lyon store open on Sunday?"
    assert signal.conversation_id.startswith("messenger:112233445566778:a_")  # user id hashed


def test_instagram_comment_and_direct_message(app_store) -> None:
    client, store = app_store
    deliver(client, "instagram_comment.json")
    deliver(client, "instagram_message.json")
    got = {s.kind: s for s in store.search("acme", filters=Filters(channel="instagram")).signals}
    comment = got["comment"]
    assert (comment.visibility, comment.native_id) == ("public", "17865799348089039")
    assert comment.conversation_id == "instagram:17895695668004550"
    assert comment.text.startswith("Trop belle cette lampe")
    message = got["message"]
    assert message.visibility == "private"
    assert message.text == "Bonjour, livrez-vous en Belgique ?"


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"{not json", "not valid JSON"), (b'{"object": "tiktok", "entry": []}', "not a WhatsApp")],
)
def test_signed_but_unreadable_body_is_a_dead_letter_answered_200(app_store, body, reason) -> None:
    client, store = app_store
    assert deliver(client, body).status_code == 200
    [dead] = store.dead_letters("acme")
    assert reason in dead.reason
    assert store.count("acme") == 0
