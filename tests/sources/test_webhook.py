"""`POST /ingest/{source}` through the real app and a real SQLite store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pouls.config import load
from pouls.sources.webhook import sign
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.intake import drained

PAYLOADS = Path(__file__).parent.parent / "payloads" / "webhook"
SECRET = "s3cr3t-hmac-key-for-tests"
TOKEN = "tok-bearer-for-tests"

CONFIG = """
[[workspaces]]
id = "acme"
identities = "named"

[[sources]]
type = "webhook"
name = "forms"
workspace = "acme"
secret_env = "POULS_TEST_FORMS_SECRET"
kind = "message"
visibility = "private"
mapping = { native_id = "submission.id", created_at = "submission.submitted_at", text = "fields.message", author_handle = "fields.email", author_name = "fields.name" }

[[sources]]
type = "webhook"
name = "bulk"
workspace = "acme"
auth = "bearer"
secret_env = "POULS_TEST_BULK_TOKEN"

[[sources]]
type = "webhook"
name = "unset"
workspace = "acme"
"""


@pytest.fixture
def app_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, SQLiteStore]]:
    monkeypatch.setenv("POULS_TEST_FORMS_SECRET", SECRET)
    monkeypatch.setenv("POULS_TEST_BULK_TOKEN", TOKEN)
    (tmp_path / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    store = SQLiteStore(tmp_path / "pouls.db")
    with TestClient(create_app(load(tmp_path, environ={}), store)) as client:
        yield client, store
    store.close()


def post_signed(client: TestClient, body: bytes, secret: str = SECRET) -> object:
    return client.post(
        "/ingest/forms",
        content=body,
        headers={"X-Signature-256": sign(secret, body), "Content-Type": "application/json"},
    )


def test_signed_object_is_mapped_stored_and_answered_with_its_id(app_store) -> None:
    client, store = app_store
    body = (PAYLOADS / "form.json").read_bytes()
    response = post_signed(client, body)
    assert response.status_code == 202, response.text
    [sid] = response.json()["ids"]
    drained(client)
    signal = store.get("acme", sid)
    assert signal is not None
    assert signal.native_id == "f-1042"
    assert signal.text.startswith("Livraison reçue")
    assert (signal.kind, signal.visibility, signal.channel) == ("message", "private", "webhook")
    assert signal.author_name == "Claire"
    assert signal.created_at == datetime(2026, 10, 2, 7, 15, tzinfo=UTC)
    assert signal.author and signal.author.startswith("a_")  # the privacy stage ran


def test_duplicate_delivery_is_stored_once(app_store) -> None:
    client, store = app_store
    body = (PAYLOADS / "form.json").read_bytes()
    first = post_signed(client, body).json()
    again = post_signed(client, body).json()
    assert first["ids"] == again["ids"]
    assert (first["accepted"], again["accepted"]) == (1, 1)
    drained(client)
    assert store.count("acme") == 1


def test_entries_without_id_are_identified_by_content(app_store) -> None:
    client, store = app_store
    body = json.dumps(
        [{"fields": {"message": "Bonjour"}}, {"fields": {"message": "Hello"}}]
    ).encode()
    ids = post_signed(client, body).json()["ids"]
    assert post_signed(client, body).json()["ids"] == ids
    drained(client)
    assert store.count("acme") == 2


@pytest.mark.parametrize("forged", ["", "sha256=" + "0" * 64, "other-key"])
def test_forged_signature_is_refused_and_nothing_stored(app_store, forged: str) -> None:
    client, store = app_store
    body = (PAYLOADS / "form.json").read_bytes()
    signature = sign("not-the-secret", body) if forged == "other-key" else forged
    headers = {"X-Signature-256": signature} if signature else {}
    response = client.post("/ingest/forms", content=body, headers=headers)
    assert response.status_code == 401
    assert SECRET not in response.text
    drained(client)
    assert store.count("acme") == 0
    assert store.dead_letters("acme") == []


def test_json_lines_store_valid_entries_and_dead_letter_the_rest(app_store) -> None:
    client, store = app_store
    body = (PAYLOADS / "bulk.jsonl").read_bytes()
    response = client.post(
        "/ingest/bulk", content=body, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 202, response.text
    answer = response.json()
    assert len(answer["ids"]) == 3
    reasons = [d["reason"] for d in answer["dead_letters"]]
    assert len(reasons) == 2
    assert "not valid JSON" in reasons[0]
    assert "text" in reasons[1]
    drained(client)
    stored = {s.native_id: s for s in store.search("acme", limit=10).signals}
    assert set(stored) == {"b-1", "b-2", "b-5"}
    assert stored["b-2"].kind == "review"
    dead = store.dead_letters("acme")
    assert sorted(d.reason for d in dead) == sorted(reasons)
    assert TOKEN not in json.dumps([d.raw + d.reason for d in dead])
    # The sender retries the same delivery: nothing new, dead letters recorded once.
    client.post("/ingest/bulk", content=body, headers={"Authorization": f"Bearer {TOKEN}"})
    drained(client)
    assert store.count("acme") == 3
    assert len(store.dead_letters("acme")) == 2


def test_a_json_array_is_stored_in_bulk(app_store) -> None:
    client, store = app_store
    entries = [{"id": f"n{i}", "text": f"avis numéro {i}"} for i in range(300)]
    response = client.post(
        "/ingest/bulk", json=entries, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 202
    assert response.json()["accepted"] == 300
    drained(client)
    assert store.count("acme") == 300


def test_wrong_bearer_token_is_refused(app_store) -> None:
    client, store = app_store
    response = client.post(
        "/ingest/bulk", json={"id": "x", "text": "t"}, headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401
    assert store.count("acme") == 0


def test_body_that_is_not_json_is_a_400_with_a_dead_letter(app_store) -> None:
    client, store = app_store
    body = b"<html>not json</html>"
    response = post_signed(client, body)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["dead_letters"][0]["reason"]
    drained(client)
    assert len(store.dead_letters("acme")) == 1


def test_source_without_secret_refuses_everything(app_store) -> None:
    client, store = app_store
    response = client.post("/ingest/unset", json={"text": "x"})
    assert response.status_code == 503
    assert client.post("/ingest/nope", json={"text": "x"}).status_code == 404
    assert store.count("acme") == 0


def test_under_pouls_up_a_webhook_copy_joins_the_cluster_of_a_polled_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pouls up` gives the pipeline and the webhooks the same stages (one duplicate index)."""
    import asyncio

    from pouls import pipeline
    from pouls.cli.serve import build_app
    from pouls.sources.files import FileSource
    from pouls.web.live import Live

    monkeypatch.setenv("POULS_TEST_BULK_TOKEN", TOKEN)
    (tmp_path / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    text = "GAGNEZ un iPhone 17 : cliquez sur le lien et envoyez vos coordonnées avant ce soir !"
    feed = tmp_path / "polled.jsonl"
    feed.write_text(json.dumps({"id": "p1", "text": text, "author": "a"}) + "\n")
    store = SQLiteStore(tmp_path / "pouls.db")
    settings = load(tmp_path, environ={})
    app = build_app(settings, store, Live())
    source = FileSource(name="polled", workspace="acme", path=feed)
    asyncio.run(pipeline.run([source], store, stages=app.state.stages))
    polled = store.search("acme", "iphone").signals[0]
    assert polled.dup_cluster
    with TestClient(app) as client:
        copy = {"id": "w1", "text": text + " 🎁", "author": "b"}
        answer = client.post(
            "/ingest/bulk", json=copy, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert answer.status_code == 202, answer.text
    found = {s.native_id: s.dup_cluster for s in store.search("acme", "iphone").signals}
    assert found == {"p1": polled.dup_cluster, "w1": polled.dup_cluster}
    store.close()
