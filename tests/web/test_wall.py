from __future__ import annotations

import html as markup
import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_signal


def test_health_answers_without_anything_else(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"


def test_wall_shows_newest_first_with_facet_counts(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert html.index("message ordinaire 59") < html.index("message ordinaire 58")
    assert "63" in re.sub(r"<[^>]+>", "", html.split('id="total"')[1][:40])  # total of acme only
    assert "secret de globex" not in html
    assert 'data-facet="channel" data-value="whatsapp"' in html
    assert "Older signals" in html  # 63 signals, 50 a page


def test_wall_filters_by_channel_and_visibility(client: TestClient) -> None:
    html = client.get("/", params={"channel": "whatsapp"}).text
    assert "Service client injoignable" in html and "message ordinaire" not in html
    html = client.get("/", params={"visibility": "press"}).text
    assert "Maison Lumière dans la tourmente" in html and "Service client" not in html


def test_wall_search_ignores_accents_and_case(client: TestClient) -> None:
    html = client.get("/", params={"q": "ECOLE lumiere"}).text
    assert "L&#39;École Lumière ouvre à Lyon" in html
    assert "message ordinaire" not in html


def test_older_signals_come_as_an_htmx_fragment(client: TestClient) -> None:
    first = client.get("/").text
    after = re.search(r"after=([0-9]+%3A[0-9]+)", first)
    assert after
    more = client.get(f"/?after={after.group(1)}", headers={"HX-Request": "true"})
    assert "<html" not in more.text and "message ordinaire 9" in more.text


def test_bad_page_cursor_is_a_clear_400(client: TestClient) -> None:
    r = client.get("/api/v1/signals", params={"after": "yesterday"})
    assert r.status_code == 400 and "page cursor" in r.json()["detail"]


def test_unknown_workspace_is_404(client: TestClient) -> None:
    assert client.get("/", params={"ws": "initech"}).status_code == 404


def test_signal_detail_shows_everything_and_stays_in_its_workspace(client: TestClient) -> None:
    sid = make_signal(3).id
    html = client.get(f"/signals/{sid}").text
    assert "Maison Lumière dans la tourmente" in html and "journal.fr" in html and "Lille" in html
    assert client.get(f"/signals/{make_signal(1, workspace='globex').id}").status_code == 404


def test_api_lists_pages_and_gets_signals(client: TestClient) -> None:
    body = client.get("/api/v1/signals", params={"limit": 5, "channel": "mastodon"}).json()
    assert body["total"] == 61 and len(body["signals"]) == 5 and body["next"]
    again = client.get(
        "/api/v1/signals", params={"limit": 5, "channel": "mastodon", "after": body["next"]}
    ).json()
    assert not {s["id"] for s in body["signals"]} & {s["id"] for s in again["signals"]}
    one = client.get(f"/api/v1/signals/{make_signal(2).id}").json()
    assert one["visibility"] == "private" and one["sentiment"]["label"] == "negative"
    assert client.get("/api/v1/facets").json()["visibility"] == {
        "public": 61,
        "private": 1,
        "press": 1,
    }


def test_wall_speaks_the_query_language(client: TestClient) -> None:
    html = client.get("/", params={"q": '"service client" OR (lumiere AND lyon)'}).text
    assert "Service client injoignable" in html and "École Lumière" in html
    assert "message ordinaire" not in html
    html = client.get("/", params={"q": "visibility:press"}).text
    assert "tourmente" in html and "Service client" not in html


def test_a_wrong_query_is_explained_with_its_column(client: TestClient) -> None:
    r = client.get("/", params={"q": "lumiere AND (lyon"})
    assert r.status_code == 400
    assert "cannot be read" in r.text and "column" in r.text
    api = client.get("/api/v1/signals", params={"q": "a OR"})
    assert api.status_code == 400 and api.json()["detail"]["column"] >= 1


def test_topics_filter_the_wall_and_show_as_a_facet(client: TestClient, filled) -> None:  # type: ignore[no-untyped-def]
    from pouls.store.topics import Topic

    filled.topics.save(Topic(workspace="acme", name="lumiere", query="lumiere"))
    assert filled.topics.backfill("acme", "lumiere") == 2
    html = client.get("/").text
    assert 'data-facet="topic" data-value="lumiere"' in html
    only = client.get("/", params={"topic": "lumiere"}).text
    assert "École Lumière" in only and "tourmente" in only and "message ordinaire" not in only


def test_sentiment_is_a_facet_that_filters_the_wall(client: TestClient) -> None:
    html = client.get("/").text
    assert 'data-facet="sentiment" data-value="negative"' in html
    html = client.get("/", params={"sentiment": "negative"}).text
    assert "Service client injoignable" in html and "message ordinaire" not in html
    assert 'aria-current="true"' in html.split('data-value="negative"')[0].rsplit("<a ", 1)[-1]
    assert client.get("/", params={"sentiment": "furious"}).status_code == 422


def test_the_live_stream_keeps_to_the_sentiment_filter() -> None:
    from pouls.signals import Sentiment
    from pouls.store import Filters
    from pouls.web.params import Selection
    from pouls.web.routes.stream import selected

    sel = Selection(workspace="acme", filters=Filters(sentiment="negative"))
    angry = make_signal(1, "x", sentiment=Sentiment(label="negative", score=0.9))
    happy = make_signal(2, "y", sentiment=Sentiment(label="positive", score=0.9))
    assert selected(angry, sel)
    assert not selected(happy, sel) and not selected(make_signal(3, "z"), sel)


def test_the_live_stream_keeps_to_the_risk_filter() -> None:
    from pouls.store import Filters
    from pouls.web.params import Selection
    from pouls.web.routes.stream import selected

    toxic = Selection(workspace="acme", filters=Filters(flag="toxic"))
    scam = Selection(workspace="acme", filters=Filters(flag="scam"))
    rude = make_signal(1, "x", toxicity={"toxic": 0.3, "insult": 0.8})
    lure = make_signal(2, "y", scam=0.95, toxicity={"toxic": 0.1})
    plain = make_signal(3, "z")
    assert selected(rude, toxic) and not selected(lure, toxic) and not selected(plain, toxic)
    assert selected(lure, scam) and not selected(rude, scam) and not selected(plain, scam)


def test_risks_are_a_facet_that_filters_the_wall(client: TestClient, filled) -> None:  # type: ignore[no-untyped-def]
    filled.put([make_signal(900, "Gagnez un iPhone, écrivez-moi sur WhatsApp", scam=0.97)])
    html = client.get("/").text
    assert 'data-facet="flag" data-value="scam"' in html
    assert 'data-facet="flag" data-value="toxic"' not in html  # no toxic signal: no entry
    html = client.get("/", params={"flag": "scam"}).text
    assert "Gagnez un iPhone" in html and "message ordinaire" not in html
    assert client.get("/", params={"flag": "rude"}).status_code == 422


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_search_box_examples_find_signals_of_the_demo(client: TestClient, lang: str) -> None:
    from datetime import UTC, datetime

    from pouls import demo
    from pouls.query import Matcher

    client.cookies.set("pouls_lang", lang)
    page = client.get("/?ws=acme").text
    found = re.search(r'type="search" name="q"[^>]*placeholder="([^"]*)"', page)
    assert found is not None
    examples = markup.unescape(found.group(1)).split(": ", 1)[1].split(", ")
    history = list(demo.generate(datetime(2026, 10, 3, 18, 0, tzinfo=UTC)))
    for record in history:
        record["lang"] = record.get("demo_lang")
    for query in examples:
        assert any(Matcher({"q": query}).match_batch(history)), f"{query!r} finds nothing"
