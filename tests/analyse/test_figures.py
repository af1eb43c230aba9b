"""The dashboard against a store small enough to count by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from pouls.analyse.figures import Dashboard, FigureError, dashboard
from pouls.config import File, Settings, Workspace
from pouls.query.period import Period, zone
from pouls.signals import Geo, Metrics, Sentiment
from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore
from pouls.store.topics import Topic
from tests.conftest import T0, make_signal

PERIOD = Period(since=T0, until=T0 + timedelta(hours=2))  # 08:00-10:00 UTC, 10:00-12:00 Paris


def settings(tmp_path: Path, identities: str = "named") -> Settings:
    ws = Workspace(id="acme", identities=identities)  # type: ignore[arg-type]
    return Settings(home=tmp_path, file=File(workspaces=[ws]))


def mood(label: str) -> Sentiment:
    return Sentiment(label, 0.9)  # type: ignore[arg-type]


@pytest.fixture
def filled(store: SQLiteStore) -> SQLiteStore:
    store.put(
        [
            # the previous period, 06:00-08:00
            make_signal(-110, "croissant", author_handle="@carl", sentiment=mood("positive")),
            # this period
            make_signal(
                5,
                "#croissant super croissant",
                author_handle="@ana",
                sentiment=mood("positive"),
                metrics=Metrics(followers=100),
                geo=Geo(lat=48.8589, lon=2.3622, place="Paris Marais", country="fr"),
            ),
            make_signal(
                65,
                "retard de livraison @fournil",
                channel="bluesky",
                author_handle="@bob",
                sentiment=mood("negative"),
                metrics=Metrics(followers=5000),
            ),
            make_signal(70, "croissant", author_handle="@ana", sentiment=mood("neutral")),
            # the brand's own answer: left out
            make_signal(75, "merci", author_handle="@marque", own=True, sentiment=mood("positive")),
            # after the period
            make_signal(125, "croissant", author_handle="@dan"),
        ]
    )
    for name, query in (("marque", "croissant"), ("rival", "fournil")):
        store.topics.save(
            Topic(workspace="acme", name=name, query=query, tags=["share-of-voice"], color="#123")
        )
        store.topics.backfill("acme", name)
    return store


def board(store: SQLiteStore, tmp_path: Path, q: str | None = None, **kw: object) -> Dashboard:
    return dashboard(store, settings(tmp_path), "acme", q, Filters(), PERIOD, **kw)  # type: ignore[arg-type]


def test_totals_compare_with_the_period_before(filled: SQLiteStore, tmp_path: Path) -> None:
    d = board(filled, tmp_path)
    t = {k: (v.value, v.previous, v.change) for k, v in d.totals.items()}
    assert t["volume"] == (3, 1, 2.0)
    assert t["authors"] == (2, 1, 1.0)
    assert t["reach"] == (5100, 0, None)  # the third signal has no metrics
    # shares and scores change in percentage points: 0 % -> 33.33 % is +33.33, not "new"
    assert t["negative_share"] == (0.3333, 0.0, 33.33)
    assert t["net_sentiment"] == (0.0, 1.0, -100.0)
    assert d.period.bucket == "hour" and d.period.timezone == "Europe/Paris"
    assert d.period.previous == {"since": T0 - timedelta(hours=2), "until": T0}


def test_series_per_hour_stack_by_channel_and_sentiment(
    filled: SQLiteStore, tmp_path: Path
) -> None:
    d = board(filled, tmp_path)
    assert d.volume.buckets == [T0, T0 + timedelta(hours=1)]
    assert d.volume.total == [1, 2] and d.volume.previous_total == [1, 0]
    assert d.volume.by["channel"] == {"mastodon": [1, 1], "bluesky": [0, 1]}
    assert d.volume.by["visibility"] == {"public": [1, 2]}
    s = d.sentiment
    assert (s.positive, s.neutral, s.negative) == ([1, 0], [0, 1], [0, 1])
    assert s.net == [1.0, -0.5] and s.split == {"positive": 1, "neutral": 1, "negative": 1}


def test_tops_count_signals_with_their_change_and_wall_link(
    filled: SQLiteStore, tmp_path: Path
) -> None:
    top = board(filled, tmp_path).top
    authors = [(i.label, i.count, i.reach) for i in top["authors_volume"]]
    assert authors == [("@ana", 2, 100), ("@bob", 1, 5000)]
    assert [i.label for i in top["authors_reach"]] == ["@bob", "@ana"]
    croissant = next(i for i in top["terms"] if i.key == "croissant")
    assert (croissant.count, croissant.previous, croissant.change) == (2, 1, 1.0)
    assert croissant.wall == {"q": "croissant"}
    [tag] = top["hashtags"]
    assert (tag.key, tag.label, tag.count, tag.previous, tag.change) == (
        "croissant",
        "#croissant",
        1,
        0,
        None,
    )
    assert [(i.key, i.wall) for i in top["mentions"]] == [("fournil", {"q": "@fournil"})]
    assert "merci" not in {i.key for i in top["terms"]}  # own accounts left out


def test_share_of_voice_mix_and_map(filled: SQLiteStore, tmp_path: Path) -> None:
    d = board(filled, tmp_path)
    voices = {v.id: (v.total, v.previous, v.share, v.series) for v in d.share_of_voice.topics}
    assert voices == {"marque": (2, 1, 0.6667, [1, 1]), "rival": (1, 0, 0.3333, [0, 1])}
    assert [(i.key, i.count, i.previous, i.wall) for i in d.mix["channel"]] == [
        ("mastodon", 2, 1, {"channel": "mastodon"}),
        ("bluesky", 1, 0, {"channel": "bluesky"}),
    ]
    [point] = d.map.points
    assert (point.lat, point.lon, point.count, point.label) == (48.86, 2.36, 1, "Paris Marais")
    assert [(c.key, c.count, c.wall) for c in d.map.countries] == [("FR", 1, {"q": "country:fr"})]
    only = board(filled, tmp_path, sov_topics=["rival"]).share_of_voice.topics
    assert [(v.id, v.share) for v in only] == [("rival", 1.0)]


def test_a_full_text_query_is_counted_from_its_signals(filled: SQLiteStore, tmp_path: Path) -> None:
    d = board(filled, tmp_path, q="croissant")
    assert (d.totals["volume"].value, d.totals["volume"].previous) == (2, 1)
    assert [i.key for i in d.top["hashtags"]] == ["croissant"]


def test_a_topic_dashboard_counts_the_topic_only(filled: SQLiteStore, tmp_path: Path) -> None:
    d = dashboard(filled, settings(tmp_path), "acme", None, Filters(topic="rival"), PERIOD)
    assert d.totals["volume"].value == 1 and d.top["authors_volume"][0].label == "@bob"


def test_an_empty_period_is_zeros_and_empty_lists(filled: SQLiteStore, tmp_path: Path) -> None:
    later = Period(since=T0 + timedelta(days=30), until=T0 + timedelta(days=37))
    d = dashboard(filled, settings(tmp_path), "acme", None, Filters(), later)
    counts = [d.totals[k] for k in ("volume", "authors", "reach")]
    assert all(f.value == 0 and f.previous == 0 and f.change is None for f in counts)
    # a share of nothing is unknown, not 0 %: no value, no previous, no change
    scores = [d.totals[k] for k in ("negative_share", "net_sentiment")]
    assert all(f.value is None and f.previous is None and f.change is None for f in scores)
    assert d.period.bucket == "day" and len(d.volume.buckets) in (7, 8)


def test_a_period_after_an_empty_one_has_no_previous_share(
    filled: SQLiteStore, tmp_path: Path
) -> None:
    # 09:00-09:20: @bob's negative and @ana's neutral; 08:40-09:00 had nothing
    twenty = Period(since=T0 + timedelta(minutes=60), until=T0 + timedelta(minutes=80))
    d = dashboard(filled, settings(tmp_path), "acme", None, Filters(), twenty)
    assert d.totals["volume"].previous == 0
    negative, net = d.totals["negative_share"], d.totals["net_sentiment"]
    assert (negative.value, negative.previous, negative.change) == (0.5, None, None)
    assert (net.value, net.previous, net.change) == (-0.5, None, None)
    encoded = msgspec.json.decode(msgspec.json.encode(d.totals))
    assert encoded["net_sentiment"] == {"value": -0.5, "previous": None, "change": None}


def test_pseudonymous_workspaces_show_pseudonyms_only(store: SQLiteStore, tmp_path: Path) -> None:
    # a signal stored before the workspace became pseudonymous may still carry its handle
    store.put([make_signal(5, "bonjour", author="a_0123456789abcdef", author_handle="@camille")])
    d = dashboard(store, settings(tmp_path, "pseudonymous"), "acme", None, Filters(), PERIOD)
    labels = [i.label for i in d.top["authors_volume"] + d.top["authors_reach"]]
    assert labels == ["a_0123456789abcdef", "a_0123456789abcdef"]


def test_unknown_share_of_voice_topic_or_bucket_is_refused(
    filled: SQLiteStore, tmp_path: Path
) -> None:
    with pytest.raises(FigureError) as err:
        board(filled, tmp_path, sov_topics=["marque", "nope"])
    assert err.value.values["name"] == "nope" and "marque, rival" in str(err.value)
    with pytest.raises(FigureError):
        board(filled, tmp_path, bucket="minute")
    year = Period(since=T0, until=T0 + timedelta(days=365))
    with pytest.raises(FigureError, match="more than 1000 points"):
        dashboard(filled, settings(tmp_path), "acme", None, Filters(), year, bucket="hour")
    forever = Period(since=datetime(1970, 1, 1, tzinfo=UTC), until=T0)  # `until` alone
    with pytest.raises(FigureError, match="give the range a start"):
        dashboard(filled, settings(tmp_path), "acme", None, Filters(), forever)


def test_weeks_start_on_local_mondays(filled: SQLiteStore, tmp_path: Path) -> None:
    quarter = Period(since=T0, until=T0 + timedelta(days=120))
    d = dashboard(filled, settings(tmp_path), "acme", None, Filters(), quarter)
    assert d.period.bucket == "week"
    first = d.volume.buckets[0].astimezone(zone("Europe/Paris"))
    assert first.weekday() == 0 and (first.hour, first.minute) == (0, 0)
    assert sum(d.volume.total) == 4


def test_one_place_rounded_to_two_cells_is_one_point(store: SQLiteStore, tmp_path: Path) -> None:
    def at(minute: int, lat: float, place: str) -> object:
        return make_signal(minute, "bonjour", geo=Geo(lat=lat, lon=3.06, place=place, country="fr"))

    store.put(
        [
            at(5, 50.634, "Lille rue de Béthune"),  # cell 50.63
            at(6, 50.636, "Lille rue de Béthune"),  # cell 50.64
            at(7, 50.637, "Lille rue de Béthune"),
            at(8, 50.70, ""),  # unnamed places stay apart
            at(9, 50.80, ""),
        ]
    )
    points = board(store, tmp_path).map.points
    named = [p for p in points if p.label]
    assert [(p.label, p.count) for p in named] == [("Lille rue de Béthune", 3)]
    assert named[0].lat == pytest.approx((50.63 + 2 * 50.64) / 3, abs=1e-4)
    assert sorted(p.lat for p in points if not p.label) == [50.7, 50.8]


def _brute(signals: list, since: datetime, until: datetime) -> tuple[int, dict[str, int]]:  # type: ignore[type-arg]
    """Volume and negative count of the stored signals in [since, until), own left out."""
    inside = [s for s in signals if since <= s.created_at < until and not s.own]
    return len(inside), {"negative": sum(s.sentiment.label == "negative" for s in inside)}


@pytest.mark.parametrize("identities", ["named", "pseudonymous"])
def test_a_month_of_day_buckets_equals_a_count_of_the_signals(
    store: SQLiteStore, tmp_path: Path, identities: str
) -> None:
    """Totals and daily series of several ranges, read from the rollups (day rows, end blocks,
    edges), equal a brute-force count; still after new signals and after a deletion."""
    from tests.store.test_figures import history

    stored = history(600)  # every 37 minutes over ~15 days
    store.put(stored)
    conf = settings(tmp_path, identities)

    def check() -> None:
        for start_h, days in ((-5, 12), (31, 7), (50, 3)):
            since = T0 + timedelta(hours=start_h, minutes=17)
            period = Period(since=since, until=since + timedelta(days=days))
            d = dashboard(store, conf, "acme", None, Filters(), period)
            volume, moods = _brute(stored, period.since, period.until)
            assert d.totals["volume"].value == volume == sum(d.volume.total)
            assert d.sentiment.split["negative"] == moods["negative"]
            for i, start in enumerate(d.volume.buckets):
                end = d.volume.buckets[i + 1] if i + 1 < len(d.volume.buckets) else period.until
                assert d.volume.total[i] == _brute(stored, max(start, since), end)[0]

    check()
    late = [
        make_signal(i * 53 + 11, "retard livraison", source="late", sentiment=mood("negative"))
        for i in range(40)
    ]
    store.put(late)
    stored += late
    check()
    gone = [s for s in stored if s.created_at < T0 + timedelta(days=4) and "croissant" in s.text]
    with store._transaction() as tx:  # as an erasure would: the triggers mark the blocks
        tx.executemany("DELETE FROM signals WHERE id = ?", [(s.id,) for s in gone])
    stored = [s for s in stored if s not in gone]
    check()
