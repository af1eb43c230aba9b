"""Corrections through the API and the page forms: who may, what is refused and why, and
that a correction shows on the signal and wins in the wall's counts and the dataset."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pouls.access import digest
from pouls.access.passwords import hash_password
from pouls.store.sqlite import SQLiteStore
from tests.conftest import make_signal
from tests.web.conftest import TOKEN

BEARER = {"Authorization": f"Bearer {TOKEN}"}
FIRST = make_signal(1).id  # acme: "L'École Lumière ouvre à Lyon"
SECOND = make_signal(2).id  # acme: "Service client injoignable", negative
THEIRS = make_signal(1, workspace="globex").id


@pytest.fixture
def api(client: TestClient) -> TestClient:
    """A script: no cookie, its token."""
    client.cookies.clear()
    client.headers.update(BEARER)
    return client


def test_a_signal_corrected_through_the_api_shows_who_and_what_the_models_said(
    api: TestClient, filled: SQLiteStore
) -> None:
    done = api.post(
        f"/api/v1/signals/{SECOND}/corrections?ws=acme",
        json={"field": "sentiment", "value": "neutral"},
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["signal"]["sentiment"] == {"label": "neutral", "score": 1.0}
    (mark,) = body["corrections"]
    assert mark["by"] == "Ana" and mark["model"] == {"label": "negative", "score": 0.8}
    assert api.get("/api/v1/facets?ws=acme").json()["sentiment"] == {"neutral": 1}
    assert api.get("/api/v1/signals?ws=acme&q=sentiment:negative").json()["total"] == 0
    read = api.get(f"/api/v1/signals/{SECOND}/corrections?ws=acme").json()
    assert read["corrections"][0]["value"] == "neutral"
    assert api.delete(f"/api/v1/signals/{SECOND}/corrections/sentiment?ws=acme").status_code == 204
    assert api.get("/api/v1/facets?ws=acme").json()["sentiment"] == {"negative": 1}
    gone = api.delete(f"/api/v1/signals/{SECOND}/corrections/sentiment?ws=acme")
    assert gone.status_code == 404


def test_bulk_corrections_are_all_or_none(api: TestClient, filled: SQLiteStore) -> None:
    ids = [make_signal(100 + i).id for i in range(5)]
    done = api.post(
        "/api/v1/corrections?ws=acme", json={"ids": ids, "field": "lang", "value": "fr"}
    )
    assert done.status_code == 200 and done.json()["corrected"] == 5
    assert api.get("/api/v1/facets?ws=acme").json()["lang"] == {"fr": 5}
    refused = api.post(
        "/api/v1/corrections?ws=acme",
        json={"ids": [FIRST, THEIRS], "field": "sentiment", "value": "positive"},
    )
    assert refused.status_code == 404 and THEIRS in refused.json()["detail"]
    assert filled.get("acme", FIRST).sentiment is None  # type: ignore[union-attr]


def test_unknown_and_other_workspaces_signals_are_not_found(api: TestClient) -> None:
    for signal_id in ("nope", THEIRS):
        answer = api.post(
            f"/api/v1/signals/{signal_id}/corrections?ws=acme",
            json={"field": "sentiment", "value": "negative"},
        )
        assert answer.status_code == 404, answer.text
        assert api.get(f"/api/v1/signals/{signal_id}/corrections?ws=acme").status_code == 404


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"field": "sentiment", "value": "great"}, "great is not accepted for sentiment"),
        ({"field": "mood", "value": "happy"}, "field: mood is not accepted"),
        ({"field": "lang", "value": "français"}, "not a language code"),
        ({"field": "toxicity", "value": ["hate"]}, "a text is expected"),
        ({"field": "entities", "value": [{"type": "brand", "text": "X"}]}, "entity type brand"),
    ],
)
def test_a_bad_value_is_a_400_with_its_reason(
    api: TestClient, body: dict[str, object], said: str
) -> None:
    answer = api.post(f"/api/v1/signals/{FIRST}/corrections?ws=acme", json=body)
    assert answer.status_code == 400 and said in answer.json()["detail"]


def test_a_bad_value_is_refused_in_french_when_asked(api: TestClient) -> None:
    answer = api.post(
        f"/api/v1/signals/{FIRST}/corrections?ws=acme",
        json={"field": "sentiment", "value": "great"},
        headers={"Accept-Language": "fr"},
    )
    assert answer.status_code == 400
    assert "n'est pas accepté" in answer.json()["detail"]


def test_a_role_without_the_right_is_refused(client: TestClient, filled: SQLiteStore) -> None:
    cm = filled.users.add("cam@acme.fr", hash_password("le mot de passe de cam"))
    filled.users.grant(cm, "acme", "community_manager")
    filled.users.add_token(cm, "script", digest("pouls_cam"), None)
    client.cookies.clear()
    client.headers.update({"Authorization": "Bearer pouls_cam"})
    refused = client.post(
        f"/api/v1/signals/{FIRST}/corrections?ws=acme",
        json={"field": "sentiment", "value": "negative"},
    )
    assert refused.status_code == 403 and "does not allow corrections" in refused.text
    assert client.get(f"/api/v1/signals/{FIRST}/corrections?ws=acme").status_code == 200
    bulk = client.post(
        "/api/v1/corrections?ws=acme", json={"ids": [FIRST], "field": "lang", "value": "fr"}
    )
    assert bulk.status_code == 403
    assert (
        client.post(
            f"/api/v1/signals/{THEIRS}/corrections?ws=globex",
            json={"field": "lang", "value": "fr"},
        ).status_code
        == 403
    )  # no role there
    filled.users.set_role(cm, "acme", "analyst")
    allowed = client.post(
        f"/api/v1/signals/{FIRST}/corrections?ws=acme", json={"field": "lang", "value": "fr"}
    )
    assert allowed.status_code == 200


def test_the_dataset_keeps_the_text_and_leaves_authors_out(
    api: TestClient, filled: SQLiteStore
) -> None:
    api.post(
        f"/api/v1/signals/{SECOND}/corrections?ws=acme",
        json={"field": "sentiment", "value": "neutral"},
    )
    lines = api.get("/api/v1/corrections?ws=acme&format=jsonl")
    assert lines.status_code == 200
    (row,) = [json.loads(x) for x in lines.text.splitlines()]
    assert row["text"] == "Service client injoignable" and row["model"] == "negative"
    assert row["corrected_by"] == "Ana"  # acme is a named workspace
    assert "author" not in row
    table = api.get("/api/v1/corrections?ws=acme&format=csv")
    rows = list(csv.reader(io.StringIO(table.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["signal_id", "field", "value"] and rows[1][2] == "neutral"
    # globex is pseudonymous: who corrected is left out.
    api.post(
        f"/api/v1/signals/{THEIRS}/corrections?ws=globex", json={"field": "lang", "value": "fr"}
    )
    (theirs,) = [json.loads(x) for x in api.get("/api/v1/corrections?ws=globex").text.splitlines()]
    assert theirs["corrected_by"] is None and theirs["signal_id"] == THEIRS


def test_the_api_reference_documents_corrections(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert {
        "/api/v1/corrections",
        "/api/v1/signals/{signal_id}/corrections",
        "/api/v1/signals/{signal_id}/corrections/{field}",
    } <= set(spec["paths"])


def test_the_signal_page_corrects_and_marks(client: TestClient, filled: SQLiteStore) -> None:
    page = client.get(f"/signals/{SECOND}?ws=acme")
    assert 'id="correct-sentiment"' in page.text
    done = client.post(
        f"/signals/{SECOND}/correct?ws=acme", data={"field": "sentiment", "value": "positive"}
    )
    assert done.status_code == 200 and "corrected by Ana on" in done.text
    assert "The models said: negative 80%" in done.text
    entities = client.post(
        f"/signals/{SECOND}/correct?ws=acme",
        data={"field": "entities", "value": "org: Service client\nplace: Lyon"},
    )
    assert entities.status_code == 200
    assert [e.text for e in filled.get("acme", SECOND).entities] == ["Service client", "Lyon"]  # type: ignore[union-attr]
    bad = client.post(
        f"/signals/{SECOND}/correct?ws=acme", data={"field": "entities", "value": "Lyon"}
    )
    assert bad.status_code == 400 and "line 1 cannot be read" in bad.text


def test_the_wall_corrects_in_bulk_and_counts_it(client: TestClient, filled: SQLiteStore) -> None:
    wall = client.get("/?ws=acme")
    assert 'id="bulk"' in wall.text and 'name="ids"' in wall.text
    ids = [make_signal(157 + i).id for i in range(3)]  # the newest: on the first page
    done = client.post(
        "/corrections?ws=acme",
        data={"ids": ids, "change": "sentiment:negative", "back": "/?ws=acme"},
    )
    assert done.status_code == 200 and "3 signals corrected." in done.text
    assert filled.facets("acme")["sentiment"] == {"negative": 4}
    assert done.text.count("corrected-mark") >= 3
    nothing = client.post("/corrections?ws=acme", data={"change": "sentiment:negative"})
    assert nothing.status_code == 400


def test_a_viewer_sees_no_correction_forms(client: TestClient, filled: SQLiteStore) -> None:
    val = filled.users.add("val@acme.fr", hash_password("le mot de passe de val"))
    filled.users.grant(val, "acme", "viewer")
    client.cookies.clear()
    assert (
        client.post(
            "/login", data={"login": "val@acme.fr", "password": "le mot de passe de val"}
        ).status_code
        == 200
    )
    assert 'id="bulk"' not in client.get("/?ws=acme").text
    assert "correct-sentiment" not in client.get(f"/signals/{FIRST}?ws=acme").text
    refused = client.post(
        f"/signals/{FIRST}/correct?ws=acme", data={"field": "lang", "value": "fr"}
    )
    assert refused.status_code == 403


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.dictionaries(
        st.sampled_from(["field", "value", "ids", "other"]),
        st.none()
        | st.integers()
        | st.text(max_size=12)
        | st.lists(st.text(max_size=8), max_size=3),
        max_size=4,
    )
)
def test_any_body_gets_a_correction_or_a_4xx_never_a_5xx(
    api: TestClient, body: dict[str, object]
) -> None:
    for path in (f"/api/v1/signals/{FIRST}/corrections?ws=acme", "/api/v1/corrections?ws=acme"):
        answer = api.post(path, json=body)
        assert answer.status_code in (200, 400, 404, 422), (answer.status_code, answer.text)


def test_the_signals_export_carries_the_correction(api: TestClient) -> None:
    api.post(
        f"/api/v1/signals/{SECOND}/corrections?ws=acme",
        json={"field": "sentiment", "value": "positive"},
    )
    table = api.get("/api/v1/export?ws=acme&format=csv&q=injoignable")
    (row,) = list(csv.DictReader(io.StringIO(table.text.lstrip("\ufeff"))))
    assert (row["sentiment"], row["sentiment_score"]) == ("positive", "1.0")


def test_listeners_hear_each_corrected_signal_before_and_after(api: TestClient) -> None:
    heard: list[tuple[str, str, str]] = []
    api.app.state.corrected = [  # type: ignore[attr-defined]
        lambda pairs: heard.extend(
            (b.id, b.sentiment.label, a.sentiment.label)  # type: ignore[union-attr]
            for b, a in pairs
        )
    ]
    api.post(
        f"/api/v1/signals/{SECOND}/corrections?ws=acme",
        json={"field": "sentiment", "value": "neutral"},
    )
    api.delete(f"/api/v1/signals/{SECOND}/corrections/sentiment?ws=acme")
    assert heard == [(SECOND, "negative", "neutral"), (SECOND, "neutral", "negative")]
