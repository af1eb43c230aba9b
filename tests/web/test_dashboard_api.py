"""GET /api/v1/dashboard: the figures as JSON, refused clearly when the request cannot be read."""

from __future__ import annotations

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pouls.store.sqlite import SQLiteStore
from pouls.store.topics import Topic

SPAN = {"since": "2026-10-01T08:00Z", "until": "2026-10-01T10:00Z"}


def test_dashboard_counts_the_selection_and_its_range(client: TestClient) -> None:
    r = client.get("/api/v1/dashboard", params={"ws": "acme", **SPAN})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["period"]["bucket"] == "hour" and body["period"]["timezone"] == "Europe/Paris"
    # On the workspace's clock, as /api/v1/series writes its buckets (Paris: +02:00 in October).
    assert body["period"]["previous"] == {
        "since": "2026-10-01T08:00:00+02:00",
        "until": "2026-10-01T10:00:00+02:00",
    }
    assert body["period"]["since"] == "2026-10-01T10:00:00+02:00"
    assert body["volume"]["buckets"] == ["2026-10-01T10:00:00+02:00", "2026-10-01T11:00:00+02:00"]
    series = client.get("/api/v1/series", params={"ws": "acme", **SPAN, "bucket": "hour"}).json()
    assert [b["start"] for b in series["buckets"]] == body["volume"]["buckets"]
    assert body["totals"]["volume"] == {"value": 23, "previous": 0, "change": None}
    assert sum(body["volume"]["total"]) == 23  # 3, then 20 from 09:40
    assert body["volume"]["by"]["visibility"]["press"] == [1, 0]
    assert body["top"]["sites"][0] == {
        "key": "journal.fr",
        "label": "journal.fr",
        "count": 1,
        "previous": 0,
        "change": None,
        "reach": 0,
        "type": None,
        "wall": {"q": "site:journal.fr"},
    }
    assert body["map"]["countries"][0]["key"] == "FR"
    assert "secret" not in r.text  # globex's signal stays in globex


def test_channel_facet_and_bucket_are_applied(client: TestClient) -> None:
    r = client.get(
        "/api/v1/dashboard", params={"ws": "acme", "channel": "rss", "bucket": "day", **SPAN}
    )
    body = r.json()
    assert body["period"]["bucket"] == "day" and body["totals"]["volume"]["value"] == 1
    assert [i["key"] for i in body["mix"]["channel"]] == ["rss"]


def test_share_of_voice_between_named_topics(client: TestClient, filled: SQLiteStore) -> None:
    for name, query in (("ecole", "école"), ("ordinaire", "ordinaire")):
        filled.topics.save(Topic(workspace="acme", name=name, query=query))
        filled.topics.backfill("acme", name)
    r = client.get("/api/v1/dashboard", params={"ws": "acme", "sov": "ecole,ordinaire", **SPAN})
    voices = {v["id"]: (v["total"], v["share"]) for v in r.json()["share_of_voice"]["topics"]}
    assert voices == {"ecole": (1, 0.0476), "ordinaire": (20, 0.9524)}


def test_unknown_share_of_voice_topic_is_a_400_in_the_page_language(client: TestClient) -> None:
    r = client.get("/api/v1/dashboard", params={"ws": "acme", "sov": "concurrent"})
    assert r.status_code == 400
    assert r.json()["detail"] == (
        "share of voice: no topic concurrent in this workspace; its topics: -"
    )
    fr = client.get(
        "/api/v1/dashboard",
        params={"ws": "acme", "sov": "concurrent"},
        headers={"Accept-Language": "fr-FR,fr;q=0.9"},
    )
    assert fr.status_code == 400
    assert fr.json()["detail"].startswith("part de voix : pas de sujet concurrent")


def test_bad_range_bucket_and_query_are_400s(client: TestClient) -> None:
    bad = [
        {"since": "hier"},
        {"since": "2026-10-02", "until": "2026-10-01"},
        {"range": "forever"},
        {"bucket": "minute"},
        {"range": "90d", "bucket": "hour"},
        {"q": "(croissant"},
        {"until": "2026-10-02"},  # no start: 56 years of weeks
    ]
    for params in bad:
        r = client.get("/api/v1/dashboard", params={"ws": "acme", **params})
        assert r.status_code == 400, (params, r.text)


def test_dashboard_needs_a_role_in_the_workspace(client: TestClient) -> None:
    assert client.get("/api/v1/dashboard", params={"ws": "nowhere"}).status_code == 404
    client.post("/logout")
    r = client.get("/api/v1/dashboard", params={"ws": "acme"})
    assert r.status_code == 401


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sov=st.one_of(st.none(), st.text(max_size=40), st.just(",,"), st.just("ecole, ecole")),
    bucket=st.one_of(
        st.none(), st.sampled_from(["hour", "day", "week", "", "HOUR"]), st.text(max_size=12)
    ),
    span=st.sampled_from([SPAN, {"range": "7d"}, {"since": "90d"}, {}]),
)
def test_any_sov_and_bucket_is_answered_or_refused_never_a_500(
    client: TestClient, sov: str | None, bucket: str | None, span: dict[str, str]
) -> None:
    params = {"ws": "acme", **span}
    if sov is not None:
        params["sov"] = sov
    if bucket is not None:
        params["bucket"] = bucket
    r = client.get("/api/v1/dashboard", params=params)
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert isinstance(r.json()["detail"], str) and r.json()["detail"]


def test_an_unknown_topic_is_a_404_in_the_page_language(
    client: TestClient, filled: SQLiteStore
) -> None:
    r = client.get("/api/v1/dashboard", params={"ws": "acme", "topic": "nope", **SPAN})
    assert r.status_code == 404
    assert r.json()["detail"] == "no topic nope in this workspace"
    fr = client.get(
        "/api/v1/dashboard",
        params={"ws": "acme", "topic": "nope", **SPAN},
        headers={"Accept-Language": "fr-FR,fr;q=0.9"},
    )
    assert fr.status_code == 404
    assert fr.json()["detail"] == "aucun sujet nope dans cet espace de travail"
    filled.topics.save(Topic(workspace="acme", name="nope", query="croissant"))
    known = client.get("/api/v1/dashboard", params={"ws": "acme", "topic": "nope", **SPAN})
    assert known.status_code == 200


def test_an_empty_previous_period_has_null_shares_and_point_changes(client: TestClient) -> None:
    body = client.get("/api/v1/dashboard", params={"ws": "acme", **SPAN}).json()
    for key in ("negative_share", "net_sentiment"):
        figure = body["totals"][key]
        assert figure["previous"] is None and figure["change"] is None, figure
