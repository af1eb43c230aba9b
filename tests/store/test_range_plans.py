"""A narrow time range is read through the wall index, never by scanning the workspace.

The planner has a choice (for a facet it may prefer reading the whole workspace in
`signals_channel` order to sorting a few rows), so the plans themselves are checked, for the
plain, full-text and topic paths, with and without the statistics ANALYZE gathers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pouls.signals import Sentiment
from pouls.store import Filters
from pouls.store.search import COLUMN_FACETS, count_sql, facet_sql, page_sql, select, series_sql
from pouls.store.sqlite import SQLiteStore
from tests.conftest import T0, make_signal

HOUR_US = 3_600_000_000
SINCE, UNTIL = T0 + timedelta(hours=30), T0 + timedelta(hours=31)
RANGE_SEARCH = "USING INDEX signals_wall (workspace=? AND created_at>? AND created_at<?)"
COVERING = "USING COVERING INDEX signals_wall (workspace=? AND created_at>? AND created_at<?)"


@pytest.fixture
def big(store: SQLiteStore) -> SQLiteStore:
    """Three days of signals a minute apart over two channels, a fifth of them in a topic."""
    store.put(
        [
            make_signal(
                i,
                f"mot{i % 7} lumière",
                channel=("rss", "mastodon")[i % 2],
                topics=["marque"] if i % 5 == 0 else [],
            )
            for i in range(3 * 24 * 60)
        ]
    )
    return store


def plans(store: SQLiteStore, query: str | None, filters: Filters) -> dict[str, list[str]]:
    sel = select("acme", query, filters)
    statements = {
        "page": page_sql(sel, after=None, limit=51),
        "count": count_sql(sel),
        "series": series_sql(sel, HOUR_US, 0, 2**60),
    }
    for column in (*COLUMN_FACETS, "flag", "own", "topic"):
        statements[f"facet {column}"] = facet_sql(sel, column)
    conn = store._reader()
    return {
        name: [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
        for name, (sql, params) in statements.items()
    }


@pytest.mark.parametrize("analysed", [False, True])
@pytest.mark.parametrize(
    ("query", "topic"),
    [(None, None), ("mot3", None), (None, "marque")],
    ids=["plain", "fts", "topic"],
)
def test_a_narrow_range_walks_the_wall_index_only(
    big: SQLiteStore, query: str | None, topic: str | None, analysed: bool
) -> None:
    if analysed:
        with big._transaction() as conn:
            conn.execute("ANALYZE")
    for name, steps in plans(big, query, Filters(topic=topic, since=SINCE, until=UNTIL)).items():
        signal_steps = [s for s in steps if " signals " in f" {s} " or s.endswith(" signals")]
        assert signal_steps, (name, steps)
        for step in signal_steps:
            # The full-text path may also start from the words' hits, looked up by rowid: the
            # list of hits is built in both plans, so the words bound the work, not the workspace.
            by_hits = query is not None and step.endswith("INTEGER PRIMARY KEY (rowid=?)")
            assert RANGE_SEARCH in step or COVERING in step or by_hits, (name, steps)
        # Neither the workspace's rows nor all its topic rows are read.
        assert not any(s.split()[:2] == ["SCAN", "signals"] for s in steps), (name, steps)
        assert not any(s.endswith("(workspace=?)") for s in steps), (name, steps)


def test_facets_and_counts_over_a_range_are_those_of_the_range(big: SQLiteStore) -> None:
    within = Filters(since=SINCE, until=UNTIL)
    page = big.search("acme", None, within, count=True, limit=5)
    assert page.total == 60
    assert all(SINCE <= s.created_at < UNTIL for s in page.signals)
    facets = big.facets("acme", None, within)
    assert facets["channel"] == {"rss": 30, "mastodon": 30}
    assert facets["topic"] == {"marque": 12}
    assert big.facets("acme", "mot3", within)["channel"] == {"mastodon": 4, "rss": 5}


def test_series_counts_each_sentiment_and_starts_on_the_origin(store: SQLiteStore) -> None:
    moods = ["positive", "neutral", "negative", "positive"]
    store.put(
        [make_signal(i * 60, sentiment=Sentiment(label=m, score=0.9)) for i, m in enumerate(moods)]
        + [make_signal(500)]  # no sentiment: counted in the volume only
    )
    # Local midnight in Paris (UTC+2 in October) as the origin of daily buckets.
    origin = datetime(2026, 9, 30, 22, 0, tzinfo=UTC)
    days = store.series(
        "acme",
        bucket=timedelta(days=1),
        since=origin,
        until=origin + timedelta(days=2),
        origin=origin,
    )
    assert [b.start for b in days] == [origin, origin + timedelta(days=1)]
    first = days[0]
    assert (first.volume, first.positive, first.neutral, first.negative) == (5, 2, 1, 1)
    assert days[1].volume == 0
