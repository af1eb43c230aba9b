"""Meta webhooks fuzzed (issue 11, item 1): recorded WhatsApp, Messenger and Instagram
deliveries with poisoned values, signed with the app secret. Never a 5xx, and every message the
delivery carries is stored under its id or kept as a dead letter at its place (or above it:
an entry or a body that cannot be read at all)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from pouls.signals import inputs, signal_id
from pouls.sources.webhook import delivery_id
from pouls.store.sqlite import SQLiteStore
from tests.fuzz.poison import FUZZ, poisoned
from tests.fuzz.routes import WS, dumps, post_meta

PAYLOADS = Path(__file__).parents[1] / "payloads" / "meta"
RECORDED = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(PAYLOADS.glob("*.json"))]


def messages(payload: Any) -> Iterator[tuple[str, Any]]:
    """(place, native id or None) of every message or comment the delivery says it carries."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        return
    for i, entry in enumerate(payload["entry"]):
        if not isinstance(entry, dict):
            continue
        for j, change in enumerate(_list(entry.get("changes"))):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            if change.get("field") in ("comments", "live_comments"):
                yield f"entry[{i}].changes[{j}]", value.get("id")
            elif change.get("field") == "messages":
                for k, message in enumerate(_list(value.get("messages"))):
                    mid = message.get("id") if isinstance(message, dict) else None
                    yield f"entry[{i}].changes[{j}].value.messages[{k}]", mid
        for j, event in enumerate(_list(entry.get("messaging"))):
            message = event.get("message") if isinstance(event, dict) else None
            if (
                isinstance(message, dict)
                and "mid" in message  # without one, its id is made of sender and time
                and not set(event) & {"delivery", "read"}
                and not message.get("is_echo")
                and not message.get("is_deleted")
            ):
                yield f"entry[{i}].messaging[{j}]", message["mid"]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _native(mid: Any) -> str | None:
    try:
        return inputs.identifier(mid, "id")
    except ValueError:
        return None


@FUZZ
@given(payload=st.sampled_from(RECORDED).flatmap(poisoned))
def test_every_message_of_a_fuzzed_meta_delivery_is_stored_or_a_dead_letter(
    pushed: tuple[TestClient, SQLiteStore], payload: Any
) -> None:
    client, store = pushed
    body = dumps(payload)
    answer = post_meta(client, body)  # a server error raises here, with its cause
    assert answer.status_code == 200, answer.text
    delivery = delivery_id(body)
    places = [
        d.position.split(":", 1)[1]
        for d in store.dead_letters(WS, limit=100_000)
        if d.source == "meta" and d.position and d.position.startswith(delivery + ":")
    ]
    for place, mid in messages(payload):
        covered = any(p == "body" or place == p or place.startswith(p + ".") for p in places)
        native = _native(mid)
        stored = native is not None and store.get(WS, signal_id(WS, "meta", native)) is not None
        assert covered or stored, (place, mid, places)
