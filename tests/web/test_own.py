"""The brand's own signals on the wall: a badge, an Accounts facet, an `own` filter that the
pages, the API and the live stream apply alike."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore
from pouls.web.params import Selection
from pouls.web.routes.stream import selected
from tests.conftest import make_signal

ANSWER = "Nous sommes désolés, écrivez-nous en privé"


def test_the_wall_marks_filters_and_counts_the_brands_own_signals(
    client: TestClient, filled: SQLiteStore
) -> None:
    assert 'data-facet="own"' not in client.get("/").text  # no own account: no facet
    answer = make_signal(900, ANSWER, author_handle="@acme", own=True)
    filled.put([answer])
    html = client.get("/").text
    assert 'data-facet="own" data-value="true"' in html and "Your accounts" in html
    assert 'class="badge own"' in html
    others = client.get("/", params={"own": "false"}).text
    assert ANSWER not in others and "message ordinaire" in others
    assert 'name="own" value="false"' in others  # a search keeps the filter
    mine = client.get("/", params={"own": "true"}).text
    assert ANSWER in mine and "message ordinaire" not in mine
    page = client.get(f"/signals/{answer.id}", params={"ws": "acme"}).text
    assert "your account" in page
    assert client.get("/", params={"own": "maybe"}).status_code == 422


def test_the_api_leaves_the_brand_out_on_request(client: TestClient, filled: SQLiteStore) -> None:
    filled.put([make_signal(900, ANSWER, own=True)])
    body = client.get("/api/v1/signals", params={"ws": "acme", "own": "false", "limit": 500})
    texts = [s["text"] for s in body.json()["signals"]]
    assert texts and ANSWER not in texts
    [mine] = client.get("/api/v1/signals", params={"ws": "acme", "own": "true"}).json()["signals"]
    assert mine["own"] is True and mine["text"] == ANSWER


def test_the_wall_in_french_names_the_brands_accounts(
    client: TestClient, filled: SQLiteStore
) -> None:
    filled.put([make_signal(900, ANSWER, own=True)])
    html = client.get("/", headers={"Accept-Language": "fr"}).text
    assert "<h2>Comptes</h2>" in html and "Vos comptes" in html and "votre compte" in html


def test_the_live_stream_keeps_to_the_own_filter() -> None:
    others = Selection(workspace="acme", filters=Filters(own=False))
    mine = Selection(workspace="acme", filters=Filters(own=True))
    answer, post = make_signal(1, ANSWER, own=True), make_signal(2, "un client")
    assert selected(post, others) and not selected(answer, others)
    assert selected(answer, mine) and not selected(post, mine)
