"""The dashboard page: key numbers against the previous period, the figures handed to its
script, links to the wall, and the clear answers to what it cannot show."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pouls.signals import Entity, Geo, Metrics, Sentiment, Signal
from pouls.store.sqlite import SQLiteStore
from pouls.store.topics import Topic
from tests.conftest import make_signal

# The bad-buzz week (Monday 30 November to Sunday 6 December 2026, Paris time) and the one before.
WEEK = {"since": "2026-11-30", "until": "2026-12-06"}
MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)
FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


def buzz_signals() -> list[Signal]:
    """20 signals in the bad-buzz week (12 negative, from Lille and Paris, one press article),
    5 the week before."""
    out = []
    for i in range(20):
        press = i == 19
        out.append(
            make_signal(
                1000 + i,
                f"Intoxication à la boutique de Lille #BadBuzz @maisonlumiere {i}",
                created_at=MONDAY + timedelta(hours=7 * i),
                channel="rss" if press else ("bluesky" if i % 4 == 0 else "mastodon"),
                kind="article" if press else "post",
                visibility="press" if press else "public",
                url="https://www.journal.fr/lille" if press else None,
                author_handle=f"@client{i % 5}@piaille.fr",
                author_name=f"Client {i % 5}",
                sentiment=Sentiment(label="negative" if i < 12 else "neutral", score=0.9),
                entities=(Entity(type="LOC", text="Lille", norm="lille"),),
                geo=Geo(lat=50.63, lon=3.06, place="Lille", country="FR")
                if i % 2
                else Geo(lat=48.85, lon=2.35, place="Paris", country="FR"),
                metrics=Metrics(followers=100 * i),
                lang="en" if i == 18 else "fr",
            )
        )
    for i in range(5):
        out.append(
            make_signal(
                2000 + i,
                f"Une tarte délicieuse {i}",
                created_at=MONDAY - timedelta(days=6, hours=-i),
                sentiment=Sentiment(label="positive", score=0.9),
            )
        )
    return out


@pytest.fixture
def buzz(filled: SQLiteStore) -> SQLiteStore:
    filled.put(buzz_signals())
    for name, query in (("lumiere", "intoxication"), ("tartes", "tarte")):
        filled.topics.save(Topic(workspace="acme", name=name, query=query, color="#c2410c"))
        filled.topics.backfill("acme", name)
    return filled


def island(html: str) -> dict[str, Any]:
    """The figures the page hands to dashboard.js."""
    found = re.search(
        r'<script type="application/json" id="dashboard-data">(.*?)</script>', html, re.S
    )
    assert found, "no data island"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def tile(html: str, key: str) -> str:
    found = re.search(rf'<li class="tile" data-tile="{key}">(.*?)</li>', html, re.S)
    assert found, key
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip(" ")


def test_key_numbers_compare_the_week_with_the_one_before_in_french(
    client: TestClient, buzz: SQLiteStore
) -> None:
    r = client.get("/dashboard", params={"ws": "acme", **WEEK}, headers=FR)
    assert r.status_code == 200, r.text
    assert "30 nov. 2026 – 6 déc. 2026" in r.text
    assert "Comparé à la période précédente : 23 nov. 2026 – 29 nov. 2026" in r.text
    volume = tile(r.text, "volume")
    assert volume.startswith("Signaux 20 ▲ +300\u00a0%") or volume.startswith(
        "Signaux 20 ▲ +300\u202f%"
    ), volume
    assert "avant : 5" in volume and "en hausse de 300" in volume
    negative = tile(r.text, "negative_share")
    assert "60\u202f%" in negative or "60\u00a0%" in negative, negative
    assert "+60\u202fpts" in negative and 'class="tile-change bad up"' in r.text


def test_the_page_hands_its_figures_selection_and_words_to_its_script(
    client: TestClient, buzz: SQLiteStore
) -> None:
    r = client.get("/dashboard", params={"ws": "acme", "channel": "mastodon", **WEEK}, headers=FR)
    data = island(r.text)
    # own accounts are left out of the figures: the wall is told so, its counts are the same
    assert data["wall"] == {"ws": "acme", "channel": "mastodon", "own": "false", **WEEK}
    assert data["figures"]["period"]["bucket"] == "day"
    assert sum(data["figures"]["volume"]["total"]) == 14  # 20, less 5 on Bluesky, 1 in the press
    assert data["labels"]["lang"] == "fr"
    assert data["labels"]["words"]["Previous period"] == "Période précédente"
    assert data["labels"]["values"]["sentiment"]["negative"] == "négatif"
    assert data["world"] == "/static/vendor/world-110m.json"
    assert {p["label"] for p in data["figures"]["map"]["points"]} == {"Lille", "Paris"}
    for script in ("vendor/echarts-pouls.min.js", "vendor/echarts-langFR.js", "dashboard.js"):
        assert f'src="http://testserver/static/{script}"' in r.text or f"/static/{script}" in r.text


def test_english_page_and_no_french_locale_for_the_charts(
    client: TestClient, buzz: SQLiteStore
) -> None:
    r = client.get("/dashboard", params={"ws": "acme", **WEEK})
    assert tile(r.text, "volume").startswith("Signals 20 ▲ +300%")
    assert "echarts-langFR.js" not in r.text
    assert island(r.text)["labels"]["words"]["Previous period"] == "Previous period"


def test_a_period_with_no_signals_explains_itself(client: TestClient, buzz: SQLiteStore) -> None:
    r = client.get(
        "/dashboard", params={"ws": "acme", "since": "2026-12-07", "until": "2026-12-08"}
    )
    assert r.status_code == 200
    assert "No signals in this period for this selection." in r.text
    assert "The previous period had 4." in r.text  # 5 and 6 December: the buzz's last 4
    assert 'id="dashboard-data"' not in r.text and "echarts" not in r.text


def test_no_range_shows_the_default_one_and_keeps_it_in_links(client: TestClient) -> None:
    r = client.get("/dashboard", params={"ws": "acme"})
    assert r.status_code == 200
    assert 'data-range="30d" aria-current="true"' in r.text
    assert 'data-range="all"' not in r.text  # a dashboard always compares two periods
    assert 'href="/?ws=acme&amp;own=false&amp;range=30d"' in r.text


def test_topic_dashboard_and_share_of_voice_between_chosen_topics(
    client: TestClient, buzz: SQLiteStore
) -> None:
    r = client.get(
        "/dashboard", params={"ws": "acme", "topic": "lumiere", "sov": "lumiere,tartes", **WEEK}
    )
    assert r.status_code == 200, r.text
    assert "Dashboard: " in r.text and ">lumiere</span>" in r.text
    assert 'style="border-color: #c2410c"' in r.text
    voices = island(r.text)["figures"]["share_of_voice"]["topics"]
    assert [(v["id"], v["total"]) for v in voices] == [("lumiere", 20), ("tartes", 0)]
    # the picker ticks the topics compared and sends the page's own selection back
    assert re.search(r'name="sov" value="lumiere" checked', r.text)
    assert re.search(r'name="sov" value="tartes" checked', r.text)
    assert '<input type="hidden" name="topic" value="lumiere">' in r.text
    # ticked boxes arrive as repeated `sov` values
    again = client.get("/dashboard?ws=acme&sov=lumiere&sov=tartes&since=2026-11-30")
    assert [v["id"] for v in island(again.text)["figures"]["share_of_voice"]["topics"]] == [
        "lumiere",
        "tartes",
    ]


def test_what_the_page_cannot_show_is_a_clear_400(client: TestClient, buzz: SQLiteStore) -> None:
    unknown = client.get("/dashboard", params={"ws": "acme", "sov": "concurrent"}, headers=FR)
    assert unknown.status_code == 400
    assert "pas de sujet concurrent" in unknown.text
    query = client.get("/dashboard", params={"ws": "acme", "q": "(tarte"})
    assert query.status_code == 400 and "This query cannot be read:" in query.text
    span = client.get("/dashboard", params={"ws": "acme", "since": "hier"}, headers=FR)
    assert span.status_code == 400 and "n&#39;est pas une date" in span.text
    assert 'class="range-picker"' in span.text  # the way out is on the page
    both = client.get("/dashboard", params={"ws": "acme", "range": "7d", "since": "2026-11-30"})
    assert both.status_code == 400


def test_dashboard_needs_a_role_in_its_workspace(client: TestClient) -> None:
    assert client.get("/dashboard", params={"ws": "nowhere"}).status_code == 404
    client.post("/logout")
    r = client.get("/dashboard", params={"ws": "acme"}, follow_redirects=False)
    assert r.status_code in (302, 303, 401)


def test_names_in_the_figures_cannot_end_the_data_island(
    client: TestClient, filled: SQLiteStore
) -> None:
    filled.put(
        [
            make_signal(
                3000,
                "bonjour",
                created_at=MONDAY,
                author_handle="</script><script>alert(1)</script>",
                author_name="</script><script>alert(1)</script>",
            )
        ]
    )
    r = client.get("/dashboard", params={"ws": "acme", **WEEK})
    assert "<script>alert(1)" not in r.text
    authors = island(r.text)["figures"]["top"]["authors_volume"]
    assert "</script><script>alert(1)</script>" in {a["label"] for a in authors}


def test_wall_topics_and_every_page_link_to_the_dashboard(
    client: TestClient, buzz: SQLiteStore
) -> None:
    wall = client.get("/", params={"ws": "acme", "channel": "rss", "range": "7d"})
    assert 'href="/dashboard?ws=acme&amp;channel=rss&amp;range=7d"' in wall.text
    topics = client.get("/topics", params={"ws": "acme"})
    assert 'href="/dashboard?ws=acme&amp;topic=lumiere"' in topics.text


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sov=st.lists(st.text(max_size=30), max_size=4),
    q=st.one_of(st.none(), st.text(max_size=40)),
)
def test_any_topics_and_query_get_a_page_or_a_reason_never_a_crash(
    client: TestClient, sov: list[str], q: str | None
) -> None:
    params: list[tuple[str, str]] = [("ws", "acme"), ("since", "2026-09-30")]
    params += [("sov", s) for s in sov] + ([("q", q)] if q is not None else [])
    r = client.get("/dashboard", params=params)
    assert r.status_code in (200, 400, 422), r.text


def test_a_topic_colour_that_is_not_hex_is_left_out_of_the_style(
    client: TestClient, filled: SQLiteStore
) -> None:
    filled.topics.save(Topic(workspace="acme", name="odd", query="x", color="red;top:0"))
    r = client.get("/dashboard", params={"ws": "acme", "topic": "odd", **WEEK})
    assert ">odd</span>" in r.text and "red;top:0" not in r.text


def test_an_empty_previous_week_shows_dashes_not_zero_shares(
    client: TestClient, buzz: SQLiteStore
) -> None:
    # the week before the bad-buzz week (16-22 November) holds no signal at all
    r = client.get(
        "/dashboard",
        params={"ws": "acme", "since": "2026-11-23", "until": "2026-11-29"},
        headers=FR,
    )
    assert r.status_code == 200, r.text
    negative, net = tile(r.text, "negative_share"), tile(r.text, "net_sentiment")
    assert "avant : —" in negative and "pts" not in negative and "▲" not in negative
    assert "avant : —" in net and "▲" not in net and "avant : 0" not in net
    reach = tile(r.text, "reach")  # 0 then 0: the screen and the screen reader agree
    assert "nouveau" not in reach and reach.count("pas de changement") == 2
    assert "＝" not in r.text
    totals = island(r.text)["figures"]["totals"]
    assert totals["net_sentiment"]["previous"] is None
    assert totals["net_sentiment"]["change"] is None


def test_a_bad_range_keeps_the_dashboard_its_picker_and_a_reason(
    client: TestClient, buzz: SQLiteStore
) -> None:
    # "First day" left empty in the custom dates: since= and a last day
    r = client.get(
        "/dashboard", params={"ws": "acme", "since": "", "until": "2026-12-06"}, headers=FR
    )
    assert r.status_code == 400
    assert 'id="dash-problem"' in r.text and "Choisissez un premier jour" in r.text
    assert 'class="range-picker"' in r.text and 'name="since"' in r.text
    assert "1000 semaines" not in r.text and 'id="dashboard-data"' not in r.text
    assert "1970" not in r.text  # no "period before" of a range that has no start
    for params in ({"since": "hier"}, {"since": "2026-12-06", "until": "2026-11-30"}):
        bad = client.get("/dashboard", params={"ws": "acme", **params}, headers=FR)
        assert bad.status_code == 400 and 'id="dash-problem"' in bad.text
        assert 'class="range-picker"' in bad.text
    en = client.get("/dashboard", params={"ws": "acme", "until": "2026-12-06"})
    assert en.status_code == 400 and "Choose a first day" in en.text


def test_an_unknown_topic_is_a_404_in_the_page_language(
    client: TestClient, buzz: SQLiteStore
) -> None:
    fr = client.get("/dashboard", params={"ws": "acme", "topic": "nope", **WEEK}, headers=FR)
    assert fr.status_code == 404
    assert "aucun sujet nope dans cet espace de travail" in fr.text
    assert 'class="range-picker"' in fr.text and 'id="dashboard-data"' not in fr.text
    en = client.get("/dashboard", params={"ws": "acme", "topic": "nope", **WEEK})
    assert en.status_code == 404 and "no topic nope in this workspace" in en.text
    assert client.get("/dashboard", params={"ws": "acme", "topic": "lumiere", **WEEK}).is_success


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    since=st.one_of(
        st.just(""), st.sampled_from(["2026-11-30", "7d", "hier"]), st.text(max_size=20)
    ),
    until=st.one_of(
        st.just(""), st.sampled_from(["2026-12-06", "1969-01-01"]), st.text(max_size=20)
    ),
    topic=st.one_of(st.none(), st.just("lumiere"), st.text(max_size=20)),
)
def test_any_range_and_topic_get_the_page_or_the_page_with_a_reason(
    client: TestClient, since: str, until: str, topic: str | None
) -> None:
    params = {"ws": "acme", "since": since, "until": until}
    if topic is not None:
        params["topic"] = topic
    r = client.get("/dashboard", params=params)
    assert r.status_code in (200, 400, 404, 422), r.text
    if r.status_code in (400, 404):
        assert 'class="range-picker"' in r.text, r.text
