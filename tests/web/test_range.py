"""The time range of pages and API: read in the workspace's zone, kept in links, refused clearly."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PAGE = {"Accept": "text/html,application/xhtml+xml"}


def test_wall_shows_only_the_range_and_counts_it(client: TestClient) -> None:
    # "message ordinaire i" is created at 09:40 UTC + i minutes: 11:40 + i in Paris.
    html = client.get("/", params={"since": "2026-10-01T11:40", "until": "2026-10-01T11:50"}).text
    assert "message ordinaire 0" in html and "message ordinaire 9" in html
    assert "message ordinaire 10<" not in html and "Service client" not in html
    total = re.sub(r"<[^>]+>", "", html.split('id="total"')[1][:40])
    assert total.startswith(">10")


def test_links_of_the_wall_keep_the_range(client: TestClient) -> None:
    html = client.get("/", params={"since": "2026-10-01", "until": "1d"}).text
    facet_links = re.findall(r'href="/\?([^"]*channel=[^"]*)"', html)
    assert facet_links
    assert all("since=2026-10-01&amp;until=1d" in link for link in facet_links)
    assert "since=2026-10-01&amp;until=1d" in html.split('data-stream="')[1].split('"')[0]


def test_bad_since_is_a_400_in_the_page_language(client: TestClient) -> None:
    r = client.get("/", params={"since": "yesterday"}, headers=PAGE)
    assert r.status_code == 400 and "yesterday is not a date" in r.text
    fr = client.get("/", params={"since": "hier"}, headers=PAGE | {"Accept-Language": "fr"})
    assert fr.status_code == 400 and "hier n&#39;est pas une date" in fr.text


def test_range_ending_before_it_starts_is_refused_by_the_api(client: TestClient) -> None:
    r = client.get("/api/v1/signals", params={"since": "2026-10-02", "until": "2026-10-01"})
    assert r.status_code == 400
    assert r.json()["detail"] == (
        "the range ends before it starts: 2026-10-01 is not after 2026-10-02"
    )


def test_api_signals_and_facets_follow_since_and_until(client: TestClient) -> None:
    span = {"since": "2026-10-01T08:00Z", "until": "2026-10-01T08:02Z"}
    body = client.get("/api/v1/signals", params=span).json()
    assert body["total"] == 1 and body["signals"][0]["text"] == "L'École Lumière ouvre à Lyon"
    facets = client.get("/api/v1/facets", params=span).json()
    assert facets["channel"] == {"mastodon": 1}
