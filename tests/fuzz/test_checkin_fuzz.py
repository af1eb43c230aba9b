"""Check-ins fuzzed (issue 11, item 1): check-ins as a phone sends them, with poisoned values.
A check-in is answered at once, so each one is stored (201, found in the store under its id)
or refused with a clear 4xx saying why, and nothing stored; never a 5xx."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from pouls.store.sqlite import SQLiteStore
from tests.fuzz.poison import FUZZ, poisoned
from tests.fuzz.routes import WS, dumps, post_checkin

SENT = [
    {
        "mood": 4,
        "note": "Bien dormi",
        "tags": ["sommeil", "#repos"],
        "place": "Nantes",
        "lat": 47.2,
        "lon": -1.55,
        "created_at": "2026-10-02T08:00:00+02:00",
        "id": "phone-1",
        "source": "humeur",
    },
    {"value": 7.5, "unit": "hours", "note": "sleep", "tags": ["#sleep"], "id": "phone-2"},
    {"note": "Marché du samedi", "workspace": WS},
]


@FUZZ
@given(checkin=st.sampled_from(SENT).flatmap(poisoned))
def test_every_fuzzed_checkin_is_stored_or_refused_with_its_reason(
    pushed: tuple[TestClient, SQLiteStore], checkin: Any
) -> None:
    client, store = pushed
    before = store.count(WS)
    answer = post_checkin(client, dumps(checkin))  # a server error raises here, with its cause
    assert answer.status_code in (201, 404, 422), answer.text
    if answer.status_code == 201:
        assert store.get(WS, answer.json()["id"]) is not None
    else:
        assert isinstance(answer.json()["detail"], str) and answer.json()["detail"]
        assert store.count(WS) == before
