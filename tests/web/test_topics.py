"""Topics in the web app: the list, the query editor's live check, create, edit, delete, roles."""

from __future__ import annotations

import asyncio
import html
import time

import pytest
from fastapi.testclient import TestClient

from pouls.access.passwords import hash_password
from pouls.store.sqlite import SQLiteStore
from pouls.store.topics import Topic
from pouls.web.live import Live
from tests.web.conftest import CHROMIUM, FLAGS, sign_in


def _backfilled(store: SQLiteStore, ws: str, name: str) -> None:
    for _ in range(500):
        topic = store.topics.get(ws, name)
        if topic and topic.backfilled_seq == store.topics.history_end():
            return
        time.sleep(0.01)
    raise AssertionError(f"topic {name} was not backfilled")


def test_the_editor_checks_a_query_as_one_types(client: TestClient) -> None:
    bad = client.post("/topics/check?ws=acme", data={"query": "ecole AND (lyon"}).text
    assert "This query cannot be read" in bad and "(column 11)" in bad
    assert "ecole AND (lyon\n" + " " * 10 + "^" in html.unescape(bad)
    good = client.post("/topics/check?ws=acme", data={"query": "ecole lyon"}).text
    assert "Reads as" in good and '<strong class="found">1</strong> stored signal match' in good
    assert "L&#39;École Lumière ouvre à Lyon" in good  # a preview of what it finds
    assert client.post("/topics/check?ws=acme", data={"query": "  "}).text.strip() == ""


def test_saving_a_topic_matches_history_and_makes_a_feed(
    client: TestClient, filled: SQLiteStore
) -> None:
    form = {"name": "support", "query": "injoignable OR ordinaire", "tags": "sav, crise"}
    saved = client.post("/topics?ws=acme", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/topics?ws=acme"
    _backfilled(filled, "acme", "support")
    topic = filled.topics.get("acme", "support")
    assert topic is not None and topic.tags == ["sav", "crise"] and topic.origin == "web"
    assert filled.topics.get("globex", "support") is None
    page = client.get("/topics?ws=acme").text
    assert 'href="/?ws=acme&topic=support"' in page and '<td class="num">61</td>' in page
    feed = client.get("/api/v1/signals?ws=acme&topic=support&limit=100").json()
    texts = [s["text"] for s in feed["signals"]]
    assert feed["total"] == 61 and "Service client injoignable" in texts
    assert not any("Lumière" in t for t in texts)
    changed = {"name": "support", "query": "injoignable"}
    assert client.post("/topics?ws=acme", data=changed).status_code == 200
    _backfilled(filled, "acme", "support")
    assert filled.facets("acme")["topic"]["support"] == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "Bad Name", "query": "x"}, "lowercase letters, digits"),
        ({"name": "ok", "query": "a AND"}, "(column"),
        ({"name": "ok", "query": "x", "color": "red"}, "#rrggbb"),
    ],
)
def test_a_topic_that_cannot_be_saved_says_why_and_keeps_the_form(
    client: TestClient, filled: SQLiteStore, form: dict[str, str], message: str
) -> None:
    response = client.post("/topics?ws=acme", data=form)
    assert response.status_code == 400
    assert message in response.text
    assert f'value="{form["name"]}"' in response.text
    assert filled.topics.list("acme") == []


def test_deleting_a_topic_keeps_its_signals(client: TestClient, filled: SQLiteStore) -> None:
    filled.topics.save(Topic(workspace="acme", name="lyon", query="lyon"))
    filled.topics.save(Topic(workspace="acme", name="declared", query="lyon", origin="config"))
    before = filled.count("acme")
    assert client.post("/topics/lyon/delete?ws=acme").status_code == 200
    assert filled.topics.get("acme", "lyon") is None and filled.count("acme") == before
    # Seeded from pouls.toml or not, a topic is the store's: editable and deletable here.
    edited = client.post("/topics?ws=acme", data={"name": "declared", "query": "paris"})
    assert edited.status_code == 200
    changed = filled.topics.get("acme", "declared")
    assert changed is not None and (changed.query, changed.origin) == ("paris", "web")
    assert client.post("/topics/declared/delete?ws=acme").status_code == 200
    assert filled.topics.get("acme", "declared") is None
    assert client.post("/topics/nothing/delete?ws=acme").status_code == 404


def test_only_admins_and_analysts_change_topics(client: TestClient, filled: SQLiteStore) -> None:
    viewer = filled.users.add("val@acme.fr", hash_password("le mot de passe de val"))
    filled.users.grant(viewer, "acme", "viewer")
    client.post("/logout")
    client.post("/login", data={"login": "val@acme.fr", "password": "le mot de passe de val"})
    page = client.get("/topics?ws=acme")
    assert page.status_code == 200 and "topic-editor" not in page.text
    refused = client.post("/topics?ws=acme", data={"name": "x", "query": "lyon"})
    assert refused.status_code == 403 and "ask an admin or an analyst" in refused.text
    assert filled.topics.list("acme") == []
    filled.users.grant(viewer, "acme", "analyst")
    assert client.post("/topics?ws=acme", data={"name": "x", "query": "lyon"}).status_code == 200


def test_a_topic_form_posted_from_another_site_is_refused(
    client: TestClient, filled: SQLiteStore
) -> None:
    response = client.post(
        "/topics?ws=acme",
        data={"name": "x", "query": "lyon"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403 and filled.topics.list("acme") == []


@pytest.mark.browser
def test_a_topic_is_written_checked_and_saved_in_a_browser(
    server: tuple[str, Live, asyncio.AbstractEventLoop], filled: SQLiteStore
) -> None:
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is missing: `make test` installs it (make browser)")
    from playwright.sync_api import expect, sync_playwright

    base, _, _ = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, base, "/?ws=acme")
        page.get_by_role("link", name="Topics").click()
        expect(page.locator(".empty")).to_contain_text("No topics")
        page.fill("input[name=name]", "lyon")
        page.locator("#topic-query").press_sequentially("lyon AND (")
        expect(page.locator("#topic-check .error")).to_contain_text("column")
        page.locator("#topic-query").press_sequentially("ecole OR ecoles)")
        expect(page.locator("#topic-check .found")).to_have_text("1")
        page.get_by_role("button", name="Save and match history").click()
        row = page.locator("tr.topic-row[data-name=lyon]")
        expect(row.locator("td.num")).to_have_text("1")
        row.get_by_role("link", name="lyon").click()
        expect(page.locator(".card")).to_have_count(1)
        expect(page.locator(".card").first).to_contain_text("Lumière ouvre à Lyon")
        browser.close()


def test_edit_fills_the_editor_with_the_topic(client: TestClient, filled: SQLiteStore) -> None:
    filled.topics.save(
        Topic(workspace="acme", name="lyon", query="lyon -paris", tags=["ville"], color="#123456")
    )
    page = client.get("/topics?ws=acme&edit=lyon").text
    assert 'value="lyon"' in page and ">lyon -paris</textarea>" in page
    assert 'value="ville"' in page and 'value="#123456"' in page
    assert 'href="/topics?ws=acme&edit=lyon#topic-query"' in page


def test_topic_counts_follow_the_range_picker(client: TestClient, filled: SQLiteStore) -> None:
    form = {"name": "support", "query": "injoignable OR ordinaire"}
    assert client.post("/topics?ws=acme", data=form, follow_redirects=False).status_code == 303
    _backfilled(filled, "acme", "support")
    everything = client.get("/topics?ws=acme").text
    assert '<td class="num">61</td>' in everything
    assert (
        'data-range="all" aria-current="true"' in everything
        and "Signals counted over" in everything
    )
    recent = client.get("/topics?ws=acme&range=7d").text  # the signals are from October 2026
    assert '<td class="num">0</td>' in recent and 'data-range="7d" aria-current="true"' in recent
    october = client.get("/topics?ws=acme&since=2026-10-01&until=2026-10-01").text
    assert '<td class="num">61</td>' in october
    before = client.get("/topics?ws=acme&since=2026-09-01&until=2026-09-30").text
    assert '<td class="num">0</td>' in before
    assert client.get("/topics?ws=acme&since=soon").status_code == 400
