"""The generic webhook fuzzed (issue 11, item 1): signed deliveries of recorded entries with
poisoned values, as a JSON object, a JSON array or JSON lines. Never a 5xx, and every entry is
answered as accepted (then found in the store, or kept as a dead letter once drained) or as a
dead letter (kept in the store)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from pouls.store.sqlite import SQLiteStore
from tests.fuzz.poison import FUZZ, poisoned
from tests.fuzz.routes import WS, dumps, post_hook

PAYLOADS = Path(__file__).parents[1] / "payloads" / "webhook"
RECORDED: list[Any] = [
    json.loads(line)
    for line in (PAYLOADS / "bulk.jsonl").read_text(encoding="utf-8").splitlines()
    if not line.startswith('{"id": "b-3"')  # the truncated line: not JSON to start with
]
FORM = json.loads((PAYLOADS / "form.json").read_text(encoding="utf-8"))


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[str, bytes, int]:
    """(source, body, how many entries it holds) for one signed delivery."""
    source = draw(st.sampled_from(["hook", "mapped"]))
    base = RECORDED if source == "hook" else [FORM, {"item": {"id": "i-1", "body": "salut"}}]
    entries = draw(st.lists(st.sampled_from(base).flatmap(poisoned), min_size=1, max_size=4))
    shape = draw(st.sampled_from(["object", "array", "lines"]))
    if shape == "object" or len(entries) == 1:
        whole = entries[0]
        return source, dumps(whole), len(whole) if isinstance(whole, list) else 1
    if shape == "array":
        return source, dumps(entries), len(entries)
    return source, b"\n".join(dumps(e) for e in entries), len(entries)


@FUZZ
@given(delivery=deliveries())
def test_every_entry_of_a_fuzzed_webhook_delivery_is_stored_or_a_dead_letter(
    pushed: tuple[TestClient, SQLiteStore], delivery: tuple[str, bytes, int]
) -> None:
    client, store = pushed
    source, body, entries = delivery
    answer = post_hook(client, body, source)  # a server error raises here, with its cause
    assert answer.status_code in (202, 400), answer.text
    found = answer.json()
    assert len(found["ids"]) + len(found["dead_letters"]) == entries, found
    kept = {d.position for d in store.dead_letters(WS, limit=100_000)}
    for signal_id in found["ids"]:  # accepted: stored, or refused by the drain with its reason
        assert store.get(WS, signal_id) is not None or f"id:{signal_id}" in kept, signal_id
    for dead in found["dead_letters"]:
        assert dead["reason"] and dead["position"] in kept, dead
