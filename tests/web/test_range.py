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


def test_series_counts_volume_and_sentiment_per_local_hour(client: TestClient) -> None:
    r = client.get(
        "/api/v1/series", params={"since": "2026-10-01T10:00", "until": "2026-10-01T12:00"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["bucket"], body["timezone"]) == ("hour", "Europe/Paris")
    assert body["since"] == "2026-10-01T10:00:00+02:00"
    starts = [b["start"] for b in body["buckets"]]
    assert starts == ["2026-10-01T10:00:00+02:00", "2026-10-01T11:00:00+02:00"]
    first, second = body["buckets"]
    # 10:01-10:03: the three named signals, one of them negative; 11:40-11:59: 20 ordinary ones.
    assert (first["volume"], first["negative"], first["positive"]) == (3, 1, 0)
    assert second["volume"] == 20


def test_series_by_week_starts_on_a_local_monday_and_follows_filters(client: TestClient) -> None:
    body = client.get(
        "/api/v1/series",
        params={"since": "2026-10-01", "until": "2026-10-14", "bucket": "week", "q": "injoignable"},
    ).json()
    assert [b["start"] for b in body["buckets"]] == [
        "2026-09-28T00:00:00+02:00",
        "2026-10-05T00:00:00+02:00",
        "2026-10-12T00:00:00+02:00",
    ]
    assert [b["volume"] for b in body["buckets"]] == [1, 0, 0]
    assert body["buckets"][0]["negative"] == 1


def test_series_refuses_a_bad_bucket_and_too_many_points(client: TestClient) -> None:
    bad = client.get("/api/v1/series", params={"bucket": "minute"})
    assert bad.status_code == 422 and "bucket" in bad.text
    many = client.get("/api/v1/series", params={"since": "2010-01-01", "bucket": "hour"})
    assert many.status_code == 400
    assert "at most; choose a larger bucket or a shorter range" in many.json()["detail"]


def test_unknown_api_parameter_is_named_with_the_accepted_ones(client: TestClient) -> None:
    r = client.get("/api/v1/signals", params={"sinse": "7d", "limit": 5})
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert detail.startswith("unknown parameter: sinse; /api/v1/signals accepts:")
    for name in ("since", "until", "range", "limit", "q", "topic", "ws"):
        assert name in detail.split("accepts:")[1]
    series = client.get("/api/v1/series", params={"limit": 5}).json()["detail"]
    assert "unknown parameter: limit" in series and "bucket" in series
    # Pages keep ignoring extra parameters (tracking tags on a shared link, say).
    assert client.get("/", params={"utm_source": "mail"}).status_code == 200
