"""Dashboard benchmark: a topic's 30-day dashboard over 1,000,000 stored signals.

The store holds `n` signals over 90 days (a brand topic on about a quarter of them, two
competitors on 8 % and 5 %), enriched as the pipeline would leave them: sentiment, followers,
some entities and places. Timed: `pouls.analyse.figures.dashboard()` plus its JSON encoding,
what GET /api/v1/dashboard spends on the server besides HTTP and sign-in.

- cold: the first dashboard after the fill, which builds the rollups of the 60 days it reads;
- topic_30d: the brand topic, 30 days ending at moments spread over the last 2 days (so the
  range's edges move), with share of voice, while a live stream adds signals between requests:
  each range's first view (it builds the blocks its moved edges need) and a second one;
- workspace_30d: the same for the whole workspace; query_7d: a full-text query over 7 days,
  which is counted from the signals themselves (no rollup), for comparison.
- put_cost: `put` of the same 50,000 signals with and without the rollups' dirty marks.

- warm_up: `pouls.analyse.rollups.warm` after the fill, as `pouls import` and `pouls up` do
  (POULS_BENCH_DASHBOARD_WARM=0 skips it: the first dashboard then builds what it reads).

Target (issue 12): topic_30d p95 <= 300 ms. Size: POULS_BENCH_DASHBOARD_N. Writes
bench/results/dashboard.json (dashboard-N.json for another size, dashboard-N-lazy.json without
the warm-up). (cold is only cold on a store filled by this run.)
"""

from __future__ import annotations

import itertools
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from bench.store import CONTENT, Vocabulary, machine
from pouls.analyse.figures import dashboard
from pouls.analyse.rollups import warm as warm_up
from pouls.config import File, Settings, Workspace
from pouls.query.period import Period
from pouls.signals import Entity, Geo, Metrics, Sentiment, Signal, signal_id
from pouls.store import Filters
from pouls.store import sqlite as sqlite_store
from pouls.store.sqlite import SQLiteStore
from pouls.store.topics import Topic

RESULTS = Path(__file__).parent / "results" / "dashboard.json"
FIGURES_NEW = sqlite_store._FIGURES_NEW
WORKSPACE = "maison-fournil"
END = datetime(2026, 12, 1, tzinfo=UTC)
DAYS = 90
BATCH = 2000
REQUESTS = 40
SEED = 20261207
TOPICS = {"fournil": 0.25, "delacour": 0.08, "croustille": 0.05}
CHANNELS = ["mastodon", "bluesky", "instagram", "facebook", "reviews", "messenger", "rss"]
CHANNEL_WEIGHTS = [30, 20, 15, 15, 8, 8, 4]
KIND = {"reviews": "review", "messenger": "message", "rss": "article"}
VISIBILITY = {"messenger": "private", "rss": "press"}
PLACES = [(48.8589, 2.3622, "Paris Marais", "FR"), (45.7745, 4.832, "Lyon", "FR")]
PLACES += [(50.6339, 3.0614, "Lille", "FR"), (50.8405, 4.356, "Bruxelles", "BE")]


def signals(
    n: int, start: datetime, span: timedelta, seed: int = SEED, first: int = 0
) -> Iterator[Signal]:
    """`n` enriched signals evenly over [start, start + span), oldest first, numbered from
    `first`."""
    rng = random.Random(seed)
    vocab = Vocabulary(rng)
    step = span / max(n, 1)
    for i in range(first, first + n):
        channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
        created = start + step * (i - first)
        topics = tuple(t for t, share in TOPICS.items() if rng.random() < share)
        text = vocab.text()
        if topics:
            text = f"{text} {' '.join(topics)}"
        place = rng.choice(PLACES) if rng.random() < 0.05 else None
        entities = (Entity("brand", "Fournil", "fournil"),) if "fournil" in topics else ()
        if rng.random() < 0.1:
            city = rng.choice(CONTENT[21:30])
            entities += (Entity("place", city, city.lower()),)
        yield Signal(
            id=signal_id(WORKSPACE, "bench", str(i)),
            workspace=WORKSPACE,
            source="bench",
            channel=channel,  # type: ignore[arg-type]
            kind=KIND.get(channel, "post"),  # type: ignore[arg-type]
            visibility=VISIBILITY.get(channel, "public"),  # type: ignore[arg-type]
            native_id=str(i),
            created_at=created,
            observed_at=created + timedelta(seconds=30),
            text=text,
            url=f"https://press{i % 40}.example.org/a/{i}" if channel == "rss" else None,
            author=f"@user{int(rng.paretovariate(1.2)) % 50_000}",
            author_handle=f"@user{int(rng.paretovariate(1.2)) % 50_000}",
            lang="fr" if rng.random() < 0.7 else "en",
            sentiment=Sentiment(
                rng.choices(("positive", "neutral", "negative"), (4, 4, 2))[0], 0.8
            ),
            metrics=Metrics(followers=int(rng.paretovariate(1.1) * 50)),
            geo=Geo(lat=place[0], lon=place[1], place=place[2], country=place[3])
            if place
            else None,
            entities=entities,
            topics=topics,
        )


def _batched(items: Iterator[Signal], size: int) -> Iterator[list[Signal]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def fill(store: SQLiteStore, n: int) -> float:
    t = time.perf_counter()
    for batch in _batched(signals(n, END - timedelta(days=DAYS), timedelta(days=DAYS)), BATCH):
        store.put(batch)
    for name in TOPICS:  # saved as the signals' topics, tagged for the share of voice
        store.topics.save(
            Topic(workspace=WORKSPACE, name=name, query=name, tags=["share-of-voice"])
        )
    return time.perf_counter() - t


CPU: list[float] = []  # CPU ms of each timed dashboard (this process: SQLite runs in it)


def timed(
    store: SQLiteStore, settings: Settings, query: str | None, filters: Filters, period: Period
) -> float:
    t, cpu = time.perf_counter(), time.process_time()
    board = dashboard(store, settings, WORKSPACE, query, filters, period)
    msgspec.json.encode(board)
    CPU.append((time.process_time() - cpu) * 1000)
    return (time.perf_counter() - t) * 1000


def series(
    store: SQLiteStore,
    settings: Settings,
    query: str | None,
    filters: Filters,
    days: int,
    live: bool,
) -> dict[str, object]:
    """REQUESTS dashboards ending at moments over the last 2 days, each asked twice: the first
    view of a range builds the rollups of the blocks no range needed before (its edges moved),
    the second is what a page reloaded, a report or another member gets. With `live`, 20 new
    signals are stored before each request (a stream of about 1,000 an hour)."""
    rng = random.Random(SEED + days)
    extra = signals(REQUESTS * 40, END, timedelta(hours=1), SEED + days, first=10**9 + days * 10**6)
    periods = []
    for _ in range(REQUESTS):
        until = END - timedelta(minutes=rng.randrange(0, 2 * 24 * 60))
        periods.append(Period(since=until - timedelta(days=days), until=until))
    out: dict[str, object] = {"requests": REQUESTS}
    for view in ("first_view", "again"):
        ms = []
        CPU.clear()
        for period in periods:
            if live:
                store.put(list(itertools.islice(extra, 20)))
            ms.append(timed(store, settings, query, filters, period))
        q = statistics.quantiles(ms, n=100)
        cpu = statistics.quantiles(CPU, n=100)
        out[view] = {
            "p50_ms": round(q[49], 1),
            "p95_ms": round(q[94], 1),
            "max_ms": round(max(ms), 1),
            "cpu_p50_ms": round(cpu[49], 1),
            "cpu_p95_ms": round(cpu[94], 1),
        }
    return out


def put_cost(tmp: Path, n: int = 50_000) -> dict[str, object]:
    """Seconds to put the same signals into a fresh store, with the rollups' dirty marks (one
    statement per batch, triggers on topic matches) and without them; best of two each."""
    batches = list(_batched(signals(n, END, timedelta(days=7), SEED + 7), 500))
    best: dict[str, float] = {}
    for i, marked in enumerate((True, False, True, False)):
        store = SQLiteStore(tmp / f"put-{i}.db")
        if not marked:
            for trigger in ("signal_update", "signal_delete", "topic_insert", "topic_delete"):
                store._writer.execute(f"DROP TRIGGER figure_{trigger}")
            sqlite_store._FIGURES_NEW = "SELECT ?"
        t = time.perf_counter()
        for batch in batches:
            store.put(batch)
        name = "with_marks" if marked else "without_marks"
        best[name] = min(best.get(name, float("inf")), time.perf_counter() - t)
        sqlite_store._FIGURES_NEW = FIGURES_NEW
        store.close()
    return {
        "signals": n,
        **{k: {"seconds": round(v, 2), "signals_per_s": round(n / v)} for k, v in best.items()},
    }


def main() -> None:
    n = int(os.environ.get("POULS_BENCH_DASHBOARD_N", "1000000"))
    ahead = os.environ.get("POULS_BENCH_DASHBOARD_WARM", "1") != "0"
    name = "dashboard" if n == 1_000_000 else f"dashboard-{n}"
    out = RESULTS.with_name(f"{name}{'' if ahead else '-lazy'}.json")
    settings = Settings(home=Path("."), file=File(workspaces=[Workspace(id=WORKSPACE)]))
    with tempfile.TemporaryDirectory() as tmp:
        # POULS_BENCH_DASHBOARD_DB keeps the filled store, to time again without refilling.
        path = Path(os.environ.get("POULS_BENCH_DASHBOARD_DB") or Path(tmp) / "dashboard.db")
        store = SQLiteStore(path)
        filled = fill(store, n) if store.count(WORKSPACE) == 0 else 0.0
        t = time.perf_counter()
        blocks = warm_up(store, WORKSPACE) if ahead else 0
        warmed = {"seconds": round(time.perf_counter() - t, 1), "blocks": blocks}
        topic = Filters(topic="fournil")
        month = Period(since=END - timedelta(days=30), until=END)
        cold = timed(store, settings, None, topic, month)
        warm = timed(store, settings, None, topic, month)
        results = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "load_average": os.getloadavg(),
            "store_reused": filled == 0.0,  # POULS_BENCH_DASHBOARD_DB: filled by an earlier run
            "targets": {"topic_30d_p95_ms": 300},
            "signals": n,
            "days": DAYS,
            "topic_share": TOPICS,
            "fill_seconds": round(filled, 1),
            "db_bytes": path.stat().st_size,
            "warm_up": warmed if ahead else None,
            "cold_first_dashboard_ms": round(cold, 1),
            "same_dashboard_again_ms": round(warm, 1),
            "topic_30d": series(store, settings, None, topic, 30, live=True),
            "workspace_30d": series(store, settings, None, Filters(), 30, live=True),
            "query_7d": series(store, settings, "pain croissant", Filters(), 7, live=False),
            "rollup_rows": {
                table: store._reader().execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("figure_counts", "figure_count_days", "figure_keys")
            },
        }
        store.close()
        results["put_cost"] = put_cost(Path(tmp))
    results["load_average_after"] = os.getloadavg()
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
