"""Poison deliveries (issue 11, item 1): each cause seen in the fuzzing, through the real routes
with valid signatures. Every entry is stored or becomes a dead letter with its reason, its
neighbours are stored, and nothing answers 5xx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pouls.signals import signal_id
from pouls.store.sqlite import SQLiteStore
from tests.fuzz.routes import (
    WS,
    dumps,
    post_checkin,
    post_hook,
    post_meta,
    post_telegram,
    serving,
)

PAYLOADS = Path(__file__).parents[1] / "payloads"
LONE = "\ud800"  # an unpaired surrogate: valid as a JSON escape, not as Unicode text


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, SQLiteStore]]:
    with serving(tmp_path) as found:
        yield found


def recorded(path: str) -> Any:
    return json.loads((PAYLOADS / path).read_text(encoding="utf-8"))


DEEP = [b"[" * 900 + b"]" * 900, b'{"a":' * 900 + b"1" + b"}" * 900, b"[" * 10**5 + b"]" * 10**5]


@pytest.mark.parametrize("body", DEEP, ids=["list", "object", "past-the-parser"])
def test_json_nested_too_deeply_is_refused_or_a_dead_letter_on_every_route(app, body) -> None:
    client, store = app
    assert post_hook(client, body).status_code == 400
    assert post_meta(client, body).status_code == 200
    assert post_telegram(client, body).status_code == 200
    assert post_checkin(client, body).status_code == 422
    assert {d.source for d in store.dead_letters(WS)} == {"hook", "meta", "bot"}
    assert store.count(WS) == 0


# -- generic webhook --------------------------------------------------------------------------


def test_webhook_lone_surrogate_is_stored_as_a_replacement_character(app) -> None:
    client, store = app
    body = dumps([{"id": "a", "text": "ok"}, {"id": "b", "text": f"x{LONE}y", "author_name": LONE}])
    response = post_hook(client, body)
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 2
    stored = store.get(WS, signal_id(WS, "hook", "b"))
    assert stored is not None and stored.text == "x\ufffdy" and stored.author_name == "\ufffd"
    assert store.search(WS, "x").signals  # the full-text index took it too


def test_webhook_dead_letter_with_a_lone_surrogate_is_written(app) -> None:
    client, store = app
    body = dumps([{"id": "a", "text": "ok"}, {"id": "b", "text": {"nested": LONE}}])
    response = post_hook(client, body)
    assert response.status_code == 202, response.text
    assert store.get(WS, signal_id(WS, "hook", "a")) is not None
    [dead] = store.dead_letters(WS)
    assert dead.reason.startswith("entry 1: text:")
    assert "\\ud800" in dead.raw  # kept, escaped, so the input can be read back exactly


def test_webhook_huge_metrics_are_dropped_and_the_entry_stored(app) -> None:
    client, store = app
    entry = {"id": "m", "text": "viral", "metrics": {"likes": 10**30, "shares": 3}}
    response = post_hook(client, dumps([entry, {"id": "n", "text": "calme"}]))
    assert response.status_code == 202, response.text
    stored = store.get(WS, signal_id(WS, "hook", "m"))
    assert stored is not None and stored.metrics is not None
    assert (stored.metrics.likes, stored.metrics.shares) == (None, 3)


@pytest.mark.parametrize(
    "created_at",
    [1e30, 99999999999999999999, "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00"],
)
def test_webhook_out_of_range_date_is_a_dead_letter_beside_stored_neighbours(
    app, created_at: object
) -> None:
    client, store = app
    body = dumps([{"id": "a", "text": "ok"}, {"id": "b", "text": "x", "created_at": created_at}])
    response = post_hook(client, body)
    assert response.status_code == 202, response.text
    assert response.json()["ids"] == [signal_id(WS, "hook", "a")]
    [dead] = store.dead_letters(WS)
    assert dead.reason.startswith("entry 1: created_at")


def test_webhook_non_finite_numbers_do_not_reach_the_store(app) -> None:
    client, store = app
    body = b'[{"id": "v", "text": "reading", "value": NaN, "lat": Infinity, "lon": 2}]'
    response = post_hook(client, body)
    assert response.status_code == 202, response.text
    stored = store.get(WS, signal_id(WS, "hook", "v"))
    assert stored is not None and stored.value is None and stored.geo is None


# -- Meta -------------------------------------------------------------------------------------


def whatsapp(*messages: dict[str, Any]) -> dict[str, Any]:
    payload = recorded("meta/whatsapp_text.json")
    payload["entry"][0]["changes"][0]["value"]["messages"] = list(messages)
    return payload


def wa_message(mid: str, **fields: Any) -> dict[str, Any]:
    message = {
        "from": "33698765432",
        "id": mid,
        "timestamp": "1791014700",
        "type": "text",
        "text": {"body": "bonjour"},
    }
    return {**message, **fields}


def wa_id(mid: str) -> str:
    return signal_id(WS, "meta", mid)


def test_meta_out_of_range_timestamp_is_a_dead_letter_and_its_neighbour_stored(app) -> None:
    client, store = app
    body = dumps(whatsapp(wa_message("wamid.ok"), wa_message("wamid.bad", timestamp=10**20)))
    response = post_meta(client, body)
    assert response.status_code == 200, response.text
    assert store.get(WS, wa_id("wamid.ok")) is not None
    assert store.get(WS, wa_id("wamid.bad")) is None
    [dead] = store.dead_letters(WS)
    assert "timestamp" in dead.reason and "messages[1]" in dead.reason


def test_meta_text_that_is_not_text_is_a_dead_letter(app) -> None:
    client, store = app
    odd = wa_message("wamid.odd", text={"body": {"a": 1}})
    body = dumps(whatsapp(wa_message("wamid.ok"), odd))
    response = post_meta(client, body)
    assert response.status_code == 200, response.text
    assert store.get(WS, wa_id("wamid.ok")) is not None
    [dead] = store.dead_letters(WS)
    assert "body" in dead.reason


def test_meta_lone_surrogate_is_stored(app) -> None:
    client, store = app
    body = dumps(whatsapp(wa_message("wamid.s", text={"body": f"a{LONE}"}, **{"from": LONE})))
    assert post_meta(client, body).status_code == 200
    stored = store.get(WS, wa_id("wamid.s"))
    assert stored is not None and stored.text == "a\ufffd"


def test_meta_messenger_text_dict_and_huge_timestamp_are_dead_letters(app) -> None:
    client, store = app
    payload = recorded("meta/messenger_message.json")
    [good, echo, delivery] = payload["entry"][0]["messaging"]
    odd = json.loads(json.dumps(good))
    odd["message"] = {"mid": "m_odd", "text": {"a": 1}}
    late = json.loads(json.dumps(good))
    late["message"]["mid"], late["timestamp"] = "m_late", 1e30
    payload["entry"][0]["messaging"] = [good, odd, late, echo, delivery]
    assert post_meta(client, dumps(payload)).status_code == 200
    assert store.count(WS) == 1
    assert len(store.dead_letters(WS)) == 2


def test_meta_entry_that_is_not_an_object_is_a_dead_letter(app) -> None:
    client, store = app
    payload = recorded("meta/whatsapp_text.json")
    payload["entry"].append("not an entry")
    assert post_meta(client, dumps(payload)).status_code == 200
    assert store.count(WS) == 1
    [dead] = store.dead_letters(WS)
    assert "entry[1]" in dead.reason


# -- Telegram ---------------------------------------------------------------------------------


def update(**message: Any) -> dict[str, Any]:
    first = recorded("telegram/getUpdates.json")["result"][0]
    first["message"].update(message)
    return first


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"caption": {"a": 1}, "text": None}, "caption"),
        ({"text": ["liste"]}, "text"),
        ({"date": 1e30}, "date"),
        ({"date": 99999999999999999999}, "date"),
        ({"message_id": {"a": 1}}, "message_id"),
    ],
)
def test_telegram_unreadable_message_is_a_dead_letter_with_its_reason(
    app, change: dict[str, Any], reason: str
) -> None:
    client, store = app
    response = post_telegram(client, dumps(update(**change)))
    assert response.status_code == 200, response.text
    assert store.count(WS) == 0
    [dead] = store.dead_letters(WS)
    assert reason in dead.reason


def test_telegram_lone_surrogates_are_stored(app) -> None:
    client, store = app
    body = dumps(update(text=f"salut{LONE}", **{"from": {"id": 7, "first_name": LONE}}))
    assert post_telegram(client, body).status_code == 200
    stored = store.get(WS, signal_id(WS, "bot", "51234567:311"))
    assert stored is not None and stored.text == "salut\ufffd"
    assert stored.author_name == "\ufffd"


def test_telegram_two_unreadable_updates_without_ids_are_two_dead_letters(app) -> None:
    client, store = app
    for text in ({"a": 1}, {"b": 2}):
        body = dumps({"update_id": None, "message": {"text": text}})
        assert post_telegram(client, body).status_code == 200
    assert len(store.dead_letters(WS)) == 2


# -- check-ins --------------------------------------------------------------------------------


def test_checkin_lone_surrogate_note_is_stored(app) -> None:
    client, store = app
    response = post_checkin(client, dumps({"mood": 3, "note": f"bof{LONE}", "tags": [LONE]}))
    assert response.status_code == 201, response.text
    stored = store.get(WS, response.json()["id"])
    assert stored is not None and stored.text.startswith("bof\ufffd")


@pytest.mark.parametrize(
    "body",
    [
        {"mood": 3, "created_at": "9999-12-31T23:59:59-05:00"},
        {"value": 1e308 * 10, "unit": "h"},
        {"mood": 10**30},
        {"note": {"a": 1}},
    ],
)
def test_checkin_out_of_range_is_a_clear_client_error(app, body: dict[str, Any]) -> None:
    client, store = app
    response = post_checkin(client, dumps(body))
    assert response.status_code == 422, response.text
    assert store.count(WS) == 0
