"""The dashboards' rollups: the same counts as the signals themselves, kept current by triggers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pouls.analyse.keys import KINDS, keys_of
from pouls.signals import Metrics, Sentiment, Signal
from pouls.store import Filters, figures
from pouls.store.figures import Figures, Tally
from pouls.store.sqlite import SQLiteStore
from pouls.store.topics import Topic
from tests.conftest import T0, make_signal

WORDS = ["croissant", "retard", "livraison", "fournil", "boulangerie", "brioche"]


def history(n: int = 400) -> list[Signal]:
    """Signals every 37 minutes over ~10 days, on two channels, some negative, some own."""
    out = []
    for i in range(n):
        text = f"{WORDS[i % 6]} {WORDS[(i * 7) % 6]} #tag{i % 4} @shop{i % 3}"
        out.append(
            make_signal(
                i * 37,
                text,
                channel="mastodon" if i % 3 else "bluesky",
                author_handle=f"@user{i % 11}",
                sentiment=Sentiment("negative" if i % 5 == 0 else "positive", 0.9),
                metrics=Metrics(followers=(i % 11) * 100),
                own=i % 13 == 0,
                topics=("croissants",) if "croissant" in text else (),
            )
        )
    return out


def summary(t: Tally) -> tuple[object, ...]:
    counts: dict[tuple[object, ...], tuple[int, int]] = {}
    for r in t.counts:
        key = (r.slot, r.channel, r.sentiment, r.visibility, r.lang)
        n, reach = counts.get(key, (0, 0))
        counts[key] = (n + r.n, reach + r.reach)
    tops = {k: [(c.key, c.n, c.reach, c.peak) for c in v] for k, v in t.tops.items()}
    return counts, tops, t.authors


def tally(store: SQLiteStore, filters: Filters, raw: bool = False, **kw: object) -> Tally:
    if raw:  # a source filter cannot be answered from the rollups: counted from the signals
        filters = Filters(**{**_fields(filters), "source": "src"})
    return Figures(store, keys_of).tally("acme", None, filters, KINDS, **kw)  # type: ignore[arg-type]


def _fields(f: Filters) -> dict[str, object]:
    return {k: getattr(f, k) for k in f.__struct_fields__}


@settings(max_examples=40, derandomize=True, deadline=None)
@given(
    start=st.integers(0, 14 * 24 * 60),
    length=st.integers(1, 9 * 24 * 60),
    topic=st.sampled_from([None, "croissants"]),
    own=st.sampled_from([None, False, True]),
    step=st.sampled_from([None, 1, 23, 24]),
    facets=st.booleans(),
)
def test_rollups_count_what_the_signals_count(
    tmp_path_factory: object,
    start: int,
    length: int,
    topic: str | None,
    own: bool | None,
    step: int | None,
    facets: bool,
) -> None:
    store = _filled(tmp_path_factory)
    since = T0 + timedelta(minutes=start)
    until = since + timedelta(minutes=length)
    f = Filters(topic=topic, own=own, since=since, until=until)
    bounds = None
    if step is not None:  # buckets of `step` hours from the hour before `since`
        first = since.replace(minute=0)
        bounds = [first + timedelta(hours=step * i) for i in range(length // 60 // step + 2)]
        bounds = [b for b in bounds if b < until] + [until]
    kw = {"top": 5, "bounds": bounds, "facets": facets}
    rolled, raw = tally(store, f, **kw), tally(store, f, raw=True, **kw)
    assert summary(rolled) == summary(raw)
    # counts alone are grouped by SQLite, not read one by one: the same hours and buckets
    plain = Filters(**{**_fields(f), "source": "src"})
    counts = Figures(store, keys_of).tally("acme", None, plain, bounds=bounds, facets=facets)
    assert summary(counts)[0] == summary(raw)[0]
    if bounds is not None:
        assert all(0 <= r.slot < len(bounds) - 1 for r in rolled.counts)


@settings(max_examples=30, derandomize=True, deadline=None)
@given(
    start=st.integers(0, 10 * 24 * 60),
    length=st.integers(60, 9 * 24 * 60),
    topic=st.sampled_from([None, "croissants"]),
    own=st.sampled_from([None, False]),
)
def test_keys_a_pruned_day_left_out_are_counted_from_its_blocks(
    tmp_path_factory: object, start: int, length: int, topic: str | None, own: bool | None
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(figures, "DAY_TOP", 2)
        store = _filled(tmp_path_factory, "pruned")
        since = T0 + timedelta(minutes=start)
        f = Filters(topic=topic, own=own, since=since, until=since + timedelta(minutes=length))
        rolled = tally(store, f, top=4)
        asked = {k: [c.key for c in found] for k, found in rolled.tops.items() if "@" not in k}
        raw = tally(store, f, raw=True, only=asked)
        for kind in asked:
            counted = {c.key: (c.n, c.reach, c.peak) for c in rolled.tops[kind]}
            assert counted == {c.key: (c.n, c.reach, c.peak) for c in raw.tops[kind]}, kind


_STORES: dict[str, SQLiteStore] = {}


def _filled(factory: object, name: str = "s") -> SQLiteStore:
    if name not in _STORES:
        path = factory.mktemp("figures") / "pouls.db"  # type: ignore[attr-defined]
        _STORES[name] = SQLiteStore(path)
        _STORES[name].put(history())
    return _STORES[name]


def test_a_put_after_a_dashboard_is_counted_by_the_next_one(store: SQLiteStore) -> None:
    store.put(history(100))
    f = Filters(since=T0, until=T0 + timedelta(days=5))
    before = tally(store, f)
    store.put([make_signal(9000, "croissant tardif", author_handle="@new")])  # day 6: outside
    store.put([make_signal(60, "encore un croissant", author_handle="@late")])  # inside
    after = tally(store, f)
    assert sum(r.n for r in after.counts) == sum(r.n for r in before.counts) + 1
    assert after.authors == before.authors + 1
    assert summary(after) == summary(tally(store, f, raw=True))


def test_a_topic_backfilled_later_reaches_its_rollups(store: SQLiteStore) -> None:
    store.put([make_signal(i * 60, "brioche" if i % 2 else "pain") for i in range(48)])
    f = Filters(topic="brioches", since=T0, until=T0 + timedelta(days=3))
    assert sum(r.n for r in tally(store, f).counts) == 0
    store.topics.save(Topic(workspace="acme", name="brioches", query="brioche"))
    store.topics.backfill("acme", "brioches")
    assert sum(r.n for r in tally(store, f).counts) == 24
    assert tally(store, f).tops["term"][0].key == "brioche"


def test_an_updated_signal_moves_its_counts(store: SQLiteStore) -> None:
    first = make_signal(1, "croissant", sentiment=Sentiment("positive", 0.9))
    store.put([first] + [make_signal(i * 60, "pain") for i in range(2, 30)])
    f = Filters(since=T0, until=T0 + timedelta(days=2))
    assert tally(store, f).counts
    newer = make_signal(
        1,
        "croissant brûlé",
        sentiment=Sentiment("negative", 0.9),
        edited_at=T0 + timedelta(hours=5),
        observed_at=T0 + timedelta(hours=5),
    )
    store.put([newer])
    sentiments = {r.sentiment: r.n for r in tally(store, f).counts if r.sentiment}
    assert sentiments == {"negative": 1}
    assert "brule" in {c.key for c in tally(store, f).tops["term"]}


def test_previous_period_counts_only_the_keys_asked_for(store: SQLiteStore) -> None:
    store.put(history(200))
    f = Filters(since=T0 + timedelta(days=1), until=T0 + timedelta(days=4, hours=3))
    only = {"hashtag": ["tag1", "nothere"], "term": []}
    for raw in (False, True):
        t = tally(store, f, raw=raw, only=only)
        assert [c.key for c in t.tops["hashtag"]] == ["tag1"]
        assert t.tops["term"] == [] and t.tops["author"] == []
    assert summary(tally(store, f, only=only)) == summary(tally(store, f, raw=True, only=only))


def test_workspaces_do_not_mix(store: SQLiteStore) -> None:
    store.put([make_signal(i * 60, "croissant") for i in range(30)])
    store.put([make_signal(i * 60, "pain", workspace="globex") for i in range(30)])
    f = Filters(since=T0, until=T0 + timedelta(days=2))
    t = tally(store, f)
    assert sum(r.n for r in t.counts) == 30
    assert "pain" not in {c.key for c in t.tops["term"]}


def test_days_keep_their_top_keys_only_and_counts_stay_exact(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(figures, "DAY_TOP", 2)
    store.put(history(400))
    f = Filters(since=T0 + timedelta(hours=3), until=T0 + timedelta(days=9, hours=5))
    rolled = tally(store, f, top=3)
    asked = {kind: [c.key for c in found] for kind, found in rolled.tops.items() if "@" not in kind}
    raw = tally(store, f, raw=True, only=asked)
    for kind in asked:
        counted = {c.key: (c.n, c.reach, c.peak) for c in rolled.tops[kind]}
        assert counted == {c.key: (c.n, c.reach, c.peak) for c in raw.tops[kind]}, kind
    assert summary(rolled)[0] == summary(raw)[0] and rolled.authors == raw.authors
    kept = store._reader().execute(
        "SELECT max(c) FROM (SELECT count(*) AS c FROM figure_keys WHERE span = 'd'"
        " AND kind = 'term' GROUP BY start, topic, own)"
    )
    assert kept.fetchone()[0] == 2


def test_local_days_read_from_day_rows_count_what_the_signals_count(store: SQLiteStore) -> None:
    """Buckets of local days (midnight at 23:00 UTC) are UTC days less and plus one hour:
    the same counts as the signals', also after a signal of a counted day changes."""
    store.put(history(400))
    since = T0.replace(hour=23) - timedelta(days=1)
    bounds = [since + timedelta(days=i) for i in range(8)]
    f = Filters(since=since, until=bounds[-1])
    assert figures._day_terms(figures._Slots(bounds, True), 0, 10**9) is not None
    rolled = tally(store, f, bounds=bounds)
    assert summary(rolled) == summary(tally(store, f, raw=True, bounds=bounds))
    store.put([make_signal(3 * 24 * 60 + 5, "croissant", channel="bluesky", own=False)])
    assert summary(tally(store, f, bounds=bounds)) == summary(
        tally(store, f, raw=True, bounds=bounds)
    )
    days = store._reader().execute("SELECT sum(n) FROM figure_count_days WHERE topic = ''")
    hours = store._reader().execute("SELECT sum(n) FROM figure_counts WHERE topic = ''")
    assert days.fetchone() == hours.fetchone()


@settings(max_examples=15, derandomize=True, deadline=None)
@given(
    start=st.integers(0, 10 * 24 * 60),
    length=st.integers(1, 6 * 24 * 60),
    own=st.sampled_from([None, False]),
)
def test_share_of_voice_read_at_once_counts_each_topic(
    tmp_path_factory: object, start: int, length: int, own: bool | None
) -> None:
    store = _filled(tmp_path_factory)
    since = T0 + timedelta(minutes=start)
    until = since + timedelta(minutes=length)
    first = since.replace(minute=0)
    bounds = [first + timedelta(hours=24 * i) for i in range(length // 60 // 24 + 2)]
    bounds = [b for b in bounds if b < until] + [until]
    f = Filters(topic="elsewhere", own=own, since=since, until=until)
    found = Figures(store, keys_of).voices("acme", None, f, ["croissants", "none"], bounds)
    assert found is not None
    for topic in ("croissants", "none"):
        one = tally(store, Filters(**{**_fields(f), "topic": topic}), raw=True, bounds=bounds)
        series = [0] * (len(bounds) - 1)
        for r in one.counts:
            series[r.slot] += r.n
        assert found[topic] == series
    with_query = Figures(store, keys_of).voices("acme", "croissant", f, ["croissants"], bounds)
    assert with_query is None  # a full-text selection is counted topic by topic
