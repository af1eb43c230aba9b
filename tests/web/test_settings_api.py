"""/api/v1/topics and /api/v1/rules: list, read, create, update, delete, with the roles of
the pages and a 4xx that names the reason."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pouls.access import digest
from pouls.access.passwords import hash_password
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from tests.web.conftest import TOKEN

BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def api(client: TestClient) -> TestClient:
    """A script: no cookie, its token."""
    client.cookies.clear()
    client.headers.update(BEARER)
    return client


def _matched(store: SQLiteStore, name: str) -> None:
    for _ in range(500):
        topic = store.topics.get("acme", name)
        if topic and topic.backfilled_seq == store.topics.history_end():
            return
        time.sleep(0.01)
    raise AssertionError("not backfilled")


def test_topics_through_the_api(api: TestClient, filled: SQLiteStore) -> None:
    made = api.post("/api/v1/topics?ws=acme", json={"name": "sav", "query": "injoignable"})
    assert made.status_code == 201, made.text
    assert made.json()["origin"] == "web" and made.json()["query"] == "injoignable"
    _matched(filled, "sav")
    listed = api.get("/api/v1/topics?ws=acme").json()["topics"]
    assert [(t["name"], t["signals"]) for t in listed] == [("sav", 1)]
    assert api.get("/api/v1/topics?ws=globex").json()["topics"] == []
    assert api.get("/api/v1/topics/sav?ws=acme").json()["name"] == "sav"
    taken = api.post("/api/v1/topics?ws=acme", json={"name": "sav", "query": "x"})
    assert taken.status_code == 409
    changed = api.put("/api/v1/topics/sav?ws=acme", json={"query": "lyon", "tags": ["ville"]})
    assert changed.status_code == 200 and changed.json()["tags"] == ["ville"]
    assert api.delete("/api/v1/topics/sav?ws=acme").status_code == 204
    assert api.get("/api/v1/topics/sav?ws=acme").status_code == 404
    assert api.delete("/api/v1/topics/sav?ws=acme").status_code == 404
    assert api.put("/api/v1/topics/sav?ws=acme", json={"query": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"name": "sav", "query": "a AND"}, 400, "column"),
        ({"name": "Pas Bien", "query": "x"}, 422, "name"),
        ({"name": "sav", "query": "x", "colour": "#ffffff"}, 422, "colour"),
        ({"name": "sav", "query": "x", "color": "red"}, 422, "color"),
        ({"name": "sav"}, 422, "query"),
    ],
)
def test_a_bad_topic_is_refused_with_its_reason(
    api: TestClient, filled: SQLiteStore, body: dict[str, object], status: int, reason: str
) -> None:
    response = api.post("/api/v1/topics?ws=acme", json=body)
    assert response.status_code == status and reason in response.text
    assert filled.topics.list("acme") == []


RULE = {"name": "vip", "kind": "match", "query": "injoignable"}


def test_rules_through_the_api(api: TestClient, filled: SQLiteStore) -> None:
    made = api.post("/api/v1/rules?ws=acme", json=RULE)
    assert made.status_code == 201, made.text
    assert made.json()["origin"] == "web" and "workspace" not in made.json()
    assert [r["name"] for r in api.get("/api/v1/rules?ws=acme").json()["rules"]] == ["vip"]
    assert api.get("/api/v1/rules?ws=globex").json()["rules"] == []
    assert api.get("/api/v1/rules/vip?ws=acme").json()["kind"] == "match"
    assert api.post("/api/v1/rules?ws=acme", json=RULE).status_code == 409
    changed = api.put("/api/v1/rules/vip?ws=acme", json={**RULE, "sensitivity": 0.8})
    assert changed.status_code == 200 and changed.json()["sensitivity"] == 0.8
    renamed = api.put("/api/v1/rules/vip?ws=acme", json={**RULE, "name": "autre"})
    assert renamed.status_code == 400 and "keeps its name" in renamed.text
    assert api.delete("/api/v1/rules/vip?ws=acme").status_code == 204
    assert WatchStore(filled).rules("acme") == []
    assert api.get("/api/v1/rules/vip?ws=acme").status_code == 404
    assert api.put("/api/v1/rules/vip?ws=acme", json=RULE).status_code == 404


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({**RULE, "sensitivty": 0.3}, "unknown field `sensitivty`"),
        ({**RULE, "window": "long"}, "Expected `int`, got `str` - at `$.window`"),
        ({**RULE, "workspace": "globex"}, "given by `ws`"),
        ({"name": "x", "kind": "threshold"}, "a threshold rule needs a threshold"),
        ({"name": "x", "topic": "nulle-part"}, "no topic 'nulle-part'"),
        ([1, 2], "JSON object"),
    ],
)
def test_a_bad_rule_is_refused_with_its_reason(
    api: TestClient, filled: SQLiteStore, body: object, reason: str
) -> None:
    response = api.post("/api/v1/rules?ws=acme", json=body)
    assert response.status_code == 400 and reason in response.text
    assert WatchStore(filled).rules("acme") == []


def test_unknown_parameters_and_workspaces_are_refused(api: TestClient) -> None:
    assert api.get("/api/v1/rules?ws=nowhere").status_code == 404
    assert api.get("/api/v1/rules?ws=acme&wz=1").status_code == 400


def test_only_admins_and_analysts_change_topics_and_rules_through_the_api(
    client: TestClient, filled: SQLiteStore
) -> None:
    val = filled.users.add("val@acme.fr", hash_password("le mot de passe de val"))
    filled.users.grant(val, "acme", "community_manager")
    filled.users.add_token(val, "script", digest("pouls_val"), None)
    client.cookies.clear()
    client.headers.update({"Authorization": "Bearer pouls_val"})
    assert client.get("/api/v1/rules?ws=acme").status_code == 200  # every role reads
    refused = client.post("/api/v1/rules?ws=acme", json=RULE)
    assert refused.status_code == 403 and "Only admins and analysts" in refused.text
    assert (
        client.post("/api/v1/topics?ws=acme", json={"name": "x", "query": "x"}).status_code == 403
    )
    assert client.get("/api/v1/rules?ws=globex").status_code == 403  # no role there
    filled.users.grant(val, "acme", "analyst")
    assert client.post("/api/v1/rules?ws=acme", json=RULE).status_code == 201


def test_the_api_reference_documents_topics_and_rules(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert {
        "/api/v1/topics",
        "/api/v1/topics/{name}",
        "/api/v1/rules",
        "/api/v1/rules/{name}",
    } <= set(spec["paths"])
    body = spec["paths"]["/api/v1/rules"]["post"]["requestBody"]["content"]["application/json"]
    assert "sensitivity" in body["schema"]["properties"]
    assert "workspace" not in body["schema"]["properties"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = st.dictionaries(
    st.sampled_from(
        ["name", "kind", "query", "topic", "window", "threshold", "sensitivity", "sinks", "x"]
    ),
    JSON,
    max_size=6,
)


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=st.one_of(FIELDS, JSON))
def test_any_json_body_gets_a_rule_or_a_4xx_never_a_5xx(api: TestClient, body: object) -> None:
    response = api.post("/api/v1/rules?ws=acme", json=body)
    assert response.status_code in (201, 400, 409), response.text
    if response.status_code == 400:
        assert response.json()["detail"]["error"]
