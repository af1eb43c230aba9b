"""SQL of the dashboard figures: counts per hour and facets, and counts per key, over a range.

A topic's or a workspace's dashboard (no full-text query, no facet filter but the topic and own
accounts) reads rollups (migration 016): hourly counts, and key counts per 4-hour block and per
UTC day; the partial blocks at either end of the range are counted from the signals themselves,
so every figure is exact. Triggers mark the blocks that changed; the blocks a range needs are
recomputed before it is read. Any other selection is counted from its signals.

Which keys a signal has (its terms, hashtags, authors...) is the caller's business (`KeysOf`):
the store only counts them.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from pouls.signals import Signal, decode
from pouls.store import Filters
from pouls.store.keymemo import memo_for
from pouls.store.rows import from_us, to_us
from pouls.store.search import TOPICS_OF, select

if TYPE_CHECKING:
    from pouls.store.sqlite import SQLiteStore

# A signal's keys: (kind, key, label), e.g. ("hashtag", "croissant", "#croissant").
KeysOf = Callable[[Signal], Iterable[tuple[str, str, str]]]

HOUR = 3_600_000_000  # microseconds
BLOCK = 4 * HOUR
DAY = 24 * HOUR
BLOCKS_PER_DAY = DAY // BLOCK
# A day's rows keep its DAY_TOP largest keys of each kind (a month of terms is then thousands of
# rows, not hundreds of thousands): they rank the candidates, whose exact counts come from the
# blocks. Authors are kept whole: their distinct count is read from the days.
DAY_TOP = 300
WHOLE_DAYS = ("author",)
# Blocks recomputed per write transaction: fewer commits, the write lock held only briefly.
WRITE_BLOCKS = 6
# Keys ranked beyond the top, from the rollups and from the edges, then counted exactly.
MARGIN = 10


class CountRow(NamedTuple):
    """Signals and their reach in one slot for one facet combination. The slot is the hour
    (epoch µs // HOUR), or the index of the bucket when the tally was given bucket bounds."""

    slot: int
    channel: str
    sentiment: str  # '' when not enriched
    visibility: str
    lang: str  # '' when unknown
    n: int
    reach: int


@dataclass
class KeyCount:
    """One key's signals, summed reach and largest reach of one signal (an author's followers)."""

    key: str
    label: str
    n: int = 0
    reach: int = 0
    peak: int = 0

    def add(self, n: int, reach: int, peak: int, label: str) -> None:
        self.n += n
        self.reach += reach
        self.peak = max(self.peak, peak)
        self.label = max(self.label, label)


@dataclass
class Tally:
    """The counts of a selection over a range: per hour and facets, and the top keys per kind."""

    counts: list[CountRow] = field(default_factory=list)
    tops: dict[str, list[KeyCount]] = field(default_factory=dict)
    authors: int = 0  # distinct authors


@dataclass
class _Acc:
    """Counts accumulated from signals read one by one (a block, an edge, a whole selection)."""

    counts: Counter[tuple[object, ...]] = field(default_factory=Counter)
    reach: Counter[tuple[object, ...]] = field(default_factory=Counter)
    keys: dict[tuple[object, ...], KeyCount] = field(default_factory=dict)

    def add(
        self, group: tuple[object, ...], slot: int, facets: tuple[str, ...], reach: int
    ) -> None:
        self.counts[(*group, slot, *facets)] += 1
        self.reach[(*group, slot, *facets)] += reach

    def key(self, group: tuple[object, ...], kind: str, key: str, label: str, reach: int) -> None:
        found = self.keys.get((*group, kind, key))
        if found is None:
            self.keys[(*group, kind, key)] = KeyCount(key, label, 1, reach, reach)
        else:
            found.add(1, reach, reach, label)

    def rows(self) -> list[CountRow]:
        """The hourly rows of a selection counted with the one group `("",)`."""
        return [
            CountRow(k[1], k[2], k[3], k[4], k[5], n, self.reach[k])  # type: ignore[arg-type]
            for k, n in self.counts.items()
        ]

    # The keys of signals read for one selection (edges, a full-text query), by kind: what
    # `of` hands out, without going through every key of every kind for each kind.
    by_kind: dict[str, dict[str, KeyCount]] = field(default_factory=dict)

    def signal(self, keys: Iterable[tuple[str, str, str]], reach: int) -> None:
        """Count one signal's keys (the selection's one group)."""
        by_kind = self.by_kind
        for kind, key, label in keys:
            counts = by_kind.get(kind)
            if counts is None:
                counts = by_kind[kind] = {}
            found = counts.get(key)
            if found is None:
                counts[key] = KeyCount(key, label, 1, reach, reach)
                continue
            found.n += 1
            found.reach += reach
            if reach > found.peak:
                found.peak = reach
            if label > found.label:
                found.label = label

    def of(self, kind: str) -> list[KeyCount]:
        return list(self.by_kind.get(kind, {}).values())

    def keys_of(self, kind: str) -> set[str]:
        return set(self.by_kind.get(kind, {}))


class Figures:
    """The figures of a store; every method is scoped by workspace."""

    def __init__(self, store: SQLiteStore, keys_of: KeysOf) -> None:
        self.store = store
        self.keys_of = keys_of
        self.memo = memo_for(keys_of)  # the keys of the signals read at a range's edges

    def tally(
        self,
        workspace: str,
        query: str | None,
        filters: Filters,
        kinds: Sequence[str] = (),
        *,
        top: Mapping[str, int] | int = 20,
        peak: Sequence[str] = ("author",),
        only: dict[str, list[str]] | None = None,
        bounds: Sequence[datetime] | None = None,
        facets: bool = True,
    ) -> Tally:
        """Counts of the selection over [filters.since, filters.until).

        Counts are per hour, or per bucket given `bounds` (the buckets' starts, then the end of
        the last); `facets` False: per slot only, the facet columns left ''.

        `tops[kind]` holds the `top` (or `top[kind]`) keys of each of `kinds` by signals, and `tops[kind@peak]`
        those of the kinds in `peak` by their largest reach; with `only`, just the keys named
        there (to compare with a previous period). No `kinds`: hourly counts only.
        Raises `pouls.query.QueryError` for a query that does not parse.
        """
        if filters.since is None or filters.until is None:
            raise ValueError("a tally needs since and until")
        slots = _Slots(bounds, facets)
        if query is None and _rollable(filters):
            return self._rolled(workspace, filters, kinds, _sizes(top, kinds), peak, only, slots)
        sel = select(workspace, query, filters)
        acc = self._read(sel.clause, sel.params, sel.check, bool(kinds), slots)
        tally = Tally(counts=acc.rows(), authors=len(acc.of("author")))
        sizes = _sizes(top, kinds)
        for kind in kinds:
            _rank(
                tally, kind, acc.of(kind), sizes[kind], kind in peak, (only or {}).get(kind), only
            )
        return tally

    # -- from rollups ---------------------------------------------------------------------------

    def _rolled(
        self,
        workspace: str,
        filters: Filters,
        kinds: Sequence[str],
        sizes: dict[str, int],
        peak: Sequence[str],
        only: dict[str, list[str]] | None,
        slots: _Slots,
    ) -> Tally:
        assert filters.since is not None and filters.until is not None
        a, b = to_us(filters.since), to_us(filters.until)
        first, last = -(-a // BLOCK), b // BLOCK  # the whole blocks inside [a, b)
        if first >= last:
            edges, first, last = [(a, b)], 0, 0
        else:
            edges = [(a, first * BLOCK), (last * BLOCK, b)]
            self.refresh(workspace, first, last)
        acc = _Acc()
        for start, end in edges:
            if start < end:
                part = Filters(
                    topic=filters.topic, own=filters.own, since=from_us(start), until=from_us(end)
                )
                sel = select(workspace, None, part)
                self._read(sel.clause, sel.params, None, bool(kinds), slots, acc)
        topic = filters.topic or ""
        owns = (0, 1) if filters.own is None else (int(filters.own),)
        conn = self.store._reader()
        marks = ",".join("?" * len(owns))
        terms = _day_terms(slots, first * 4, last * 4) if slots.facets else None
        rows: Iterable[Any]
        if terms is not None:
            rows = _count_days(conn, workspace, topic, owns, *terms)
        else:
            slot, slot_params = slots.sql("hour * 3600000000")
            columns = slots.columns()
            table = "figure_counts" if slots.facets else "figure_hours"
            rows = conn.execute(
                f"SELECT {slot} AS slot, {columns}, sum(n), sum(reach) FROM {table}"
                f" WHERE workspace = ? AND hour >= ? AND hour < ? AND topic = ?"
                f" AND own IN ({marks}) GROUP BY slot, {columns}",
                (*slot_params, workspace, first * 4, last * 4, topic, *owns),
            )
        tally = Tally(counts=[CountRow(*r) for r in rows] + acc.rows())
        if first >= last:
            tally.authors = len(acc.of("author"))
            for kind in kinds:
                wanted = (only or {}).get(kind)
                _rank(tally, kind, acc.of(kind), sizes[kind], kind in peak, wanted, only)
            return tally
        spans = _spans(first, last, self._days(workspace, first, last) if kinds else (0, 0))
        base = (workspace, topic)
        ranks = self._ranking_spans(workspace, spans) if kinds and only is None else spans
        for kind in kinds:
            top = sizes[kind]
            edge = {c.key: c for c in acc.of(kind)}
            wanted = None if only is None else only.get(kind, [])
            if wanted is not None:
                rolled = _exact_sql(conn, base, kind, owns, spans, wanted) if wanted else {}
            else:
                rolled = _keys_sql(conn, base, kind, owns, ranks, None, top + MARGIN)
                ranked = sorted(edge.values(), key=lambda c: (-c.n, c.key))[: top + MARGIN]
                if kind in peak:
                    rolled.update(_keys_sql(conn, base, kind, owns, ranks, None, top, True))
                    ranked += sorted(edge.values(), key=lambda c: (-c.peak, c.key))[:top]
                candidates = sorted({c.key for c in ranked} | set(rolled))
                rolled = _exact_sql(conn, base, kind, owns, spans, candidates)
                # a candidate ranked on a whole end day may have no signal in the range itself
                for key in candidates:
                    if key in edge:
                        rolled.setdefault(key, KeyCount(key, edge[key].label))
            for key, c in rolled.items():
                if key in edge:
                    c.add(edge[key].n, edge[key].reach, edge[key].peak, edge[key].label)
            if wanted is not None:
                rolled.update({k: edge[k] for k in wanted if k in edge and k not in rolled})
            _rank(tally, kind, list(rolled.values()), top, kind in peak, wanted, only)
        if "author" in kinds:
            tally.authors = _authors(conn, base, owns, spans, sorted(acc.keys_of("author")))
        return tally

    def voices(
        self,
        workspace: str,
        query: str | None,
        filters: Filters,
        topics: Sequence[str],
        bounds: Sequence[datetime],
    ) -> dict[str, list[int]] | None:
        """Signals per bucket of each of `topics` in the selection (its topic left aside), all
        topics at once: hourly totals grouped by topic, and one read of each edge. None when
        the rollups cannot answer (a query, a facet filter): then tally each topic."""
        if query is not None or not _rollable(filters) or not topics:
            return None
        assert filters.since is not None and filters.until is not None
        a, b = to_us(filters.since), to_us(filters.until)
        first, last = -(-a // BLOCK), b // BLOCK
        if first >= last:
            edges, first, last = [(a, b)], 0, 0
        else:
            edges = [(a, first * BLOCK), (last * BLOCK, b)]
            self.refresh(workspace, first, last)
        slots = _Slots(bounds, facets=False)
        size = len(bounds) - 1
        out = {topic: [0] * size for topic in topics}
        owns = (0, 1) if filters.own is None else (int(filters.own),)
        names = json.dumps(list(topics))
        conn = self.store._reader()
        slot, slot_params = slots.sql("hour * 3600000000")
        found = list(
            conn.execute(
                f"SELECT {slot} AS slot, topic, sum(n) FROM figure_hours WHERE workspace = ?"
                " AND hour >= ? AND hour < ? AND topic IN (SELECT value FROM json_each(?))"
                f" AND own IN ({','.join('?' * len(owns))}) GROUP BY slot, topic",
                (*slot_params, workspace, first * 4, last * 4, names, *owns),
            )
        )
        for start, end in edges:
            if start >= end:
                continue
            part = Filters(own=filters.own, since=from_us(start), until=from_us(end))
            sel = select(workspace, None, part)
            slot, slot_params = slots.sql("signals.created_at")
            found += conn.execute(
                f"SELECT {slot} AS slot, v.topic, count(*) FROM signals CROSS JOIN"
                " signal_topics AS v ON v.workspace = signals.workspace AND v.seq = signals.seq"
                f" WHERE {sel.clause} AND v.topic IN (SELECT value FROM json_each(?))"
                " GROUP BY 1, 2",
                [*slot_params, *sel.params, names],
            ).fetchall()
        for i, topic, n in found:
            if 0 <= i < size:
                out[topic][i] += n
        return out

    def _ranking_spans(
        self, workspace: str, spans: list[tuple[str, int, int]]
    ) -> list[tuple[str, int, int]]:
        """The rows the top's candidates are ranked on: the blocks at either end of a range are
        read from their whole day's rows where that day has some (its top keys: 300 rows of
        terms, not 3,000 per block). Only the candidates come from there; their counts are
        then exact over `spans` themselves, so a day's hours outside the range change which
        keys are looked at (the top plus MARGIN), never a number shown."""
        ends = {
            day
            for span, start, end in spans
            if span == "b"
            for day in range(start // BLOCKS_PER_DAY, (end - 1) // BLOCKS_PER_DAY + 1)
        }
        if not ends:
            return spans
        marks = ",".join("?" * len(ends))
        built = {
            day
            for (day,) in self.store._reader().execute(
                f"SELECT day FROM figure_days WHERE workspace = ? AND day IN ({marks})",
                (workspace, *sorted(ends)),
            )
        }
        out: list[tuple[str, int, int]] = []
        for span, start, end in spans:
            if span == "d":
                out.append((span, start, end))
                continue
            for day in range(start // BLOCKS_PER_DAY, (end - 1) // BLOCKS_PER_DAY + 1):
                if day in built:
                    out.append(("d", day, day + 1))
                else:
                    lo, hi = day * BLOCKS_PER_DAY, (day + 1) * BLOCKS_PER_DAY
                    out.append(("b", max(start, lo), min(end, hi)))
        return out

    # -- keeping the rollups -------------------------------------------------------------------

    def refresh(self, workspace: str, first: int, last: int) -> int:
        """Recompute the dirty blocks in [first, last); how many were."""
        conn = self.store._reader()
        dirty = conn.execute(
            "SELECT block, gen FROM figure_dirty WHERE workspace = ? AND block >= ? AND block < ?",
            (workspace, first, last),
        ).fetchall()
        for start in range(0, len(dirty), WRITE_BLOCKS):
            self.build(workspace, dirty[start:][:WRITE_BLOCKS])
        return len(dirty)

    def build(self, workspace: str, dirty: Sequence[tuple[int, int]]) -> None:
        """Recompute these (block, gen) marks of figure_dirty in one write transaction: a
        block's rows are replaced and its mark removed together, so a crash midway leaves the
        block dirty with its old rows, never a mark gone without its rows."""
        counted = [(b, gen, self._count(workspace, b)) for b, gen in dirty]
        with self.store._transaction() as tx:
            for block, gen, acc in counted:
                self._write(tx, workspace, block, gen, acc)

    def build_days(self, workspace: str, days: Iterable[int]) -> None:
        """Make the 'd' rows of these UTC days current (as a dashboard reading them would)."""
        for day in sorted(set(days)):
            self._days(workspace, day * BLOCKS_PER_DAY, (day + 1) * BLOCKS_PER_DAY)

    def _count(self, workspace: str, block: int) -> _Acc:
        """The rollups of one block, counted from its signals (outside the write lock)."""
        rows = self.store._reader().execute(
            "SELECT signals.created_at, signals.own, signals.channel,"
            " coalesce(signals.sentiment, ''), signals.visibility, coalesce(signals.lang, ''),"
            f" coalesce(signals.reach, 0), signals.doc, {TOPICS_OF} FROM signals"
            " WHERE signals.workspace = ? AND signals.created_at >= ? AND signals.created_at < ?",
            (workspace, block * BLOCK, (block + 1) * BLOCK),
        )
        acc = _Acc()
        keys_of = self.keys_of
        for created, own, channel, sentiment, visibility, lang, reach, doc, topics in rows:
            hour = created // HOUR
            signal_keys = list(keys_of(decode(doc)))
            for topic in ("", *(topics.split(",") if topics else ())):
                acc.add((topic, own), hour, (channel, sentiment, visibility, lang), reach)
                for kind, key, label in signal_keys:
                    acc.key((topic, own), kind, key, label, reach)
        return acc

    def _write(
        self, tx: sqlite3.Connection, workspace: str, block: int, gen: int, acc: _Acc
    ) -> None:
        """Replace one block's rollups; its day's are stale from now on."""
        day = block // BLOCKS_PER_DAY
        for table in ("figure_counts", "figure_hours"):
            tx.execute(
                f"DELETE FROM {table} WHERE workspace = ? AND hour >= ? AND hour < ?",
                (workspace, block * 4, block * 4 + 4),
            )
        tx.execute(
            "DELETE FROM figure_keys WHERE workspace = ? AND span = 'b' AND start = ?",
            (workspace, block),
        )
        tx.execute(
            "DELETE FROM figure_keys WHERE workspace = ? AND span = 'd' AND start = ?",
            (workspace, day),
        )
        tx.execute("DELETE FROM figure_days WHERE workspace = ? AND day = ?", (workspace, day))
        tx.executemany(
            "INSERT INTO figure_counts (workspace, topic, own, hour, channel, sentiment,"
            " visibility, lang, n, reach) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(workspace, *k, n, acc.reach[k]) for k, n in acc.counts.items()],
        )
        hours: Counter[tuple[object, ...]] = Counter()
        for (topic, own, hour, *_), n in acc.counts.items():
            hours[(hour, topic, own, "n")] += n
            hours[(hour, topic, own, "reach")] += acc.reach[(topic, own, hour, *_)]
        tx.executemany(
            "INSERT INTO figure_hours VALUES (?, ?, ?, ?, ?, ?)",
            [
                (workspace, *k[:3], n, hours[(*k[:3], "reach")])
                for k, n in hours.items()
                if k[3] == "n"
            ],
        )
        tx.execute(
            "DELETE FROM figure_count_days WHERE workspace = ? AND day = ?", (workspace, day)
        )
        tx.execute(  # the day's counts: the sum of its hours, in the block's transaction
            "INSERT INTO figure_count_days SELECT workspace, topic, ?, own, channel, sentiment,"
            " visibility, lang, sum(n), sum(reach) FROM figure_counts"
            " WHERE workspace = ? AND hour >= ? AND hour < ?"
            " GROUP BY topic, own, channel, sentiment, visibility, lang",
            (day, workspace, day * 24, day * 24 + 24),
        )
        tx.executemany(
            "INSERT INTO figure_keys VALUES (?, ?, ?, ?, 'b', ?, ?, ?, ?, ?, ?)",
            sorted(  # in primary-key order: appended, not scattered
                (workspace, topic, kind, own, block, c.key, c.n, c.reach, c.peak, c.label)
                for (topic, own, kind, _), c in acc.keys.items()
            ),
        )
        # A signal that arrived meanwhile moved `gen`: the block stays dirty.
        tx.execute(
            "DELETE FROM figure_dirty WHERE workspace = ? AND block = ? AND gen = ?",
            (workspace, block, gen),
        )

    def _days(self, workspace: str, first: int, last: int) -> tuple[int, int]:
        """The whole UTC days in blocks [first, last), their 'd' rows made current."""
        day0 = -(-first // BLOCKS_PER_DAY)
        day1 = last // BLOCKS_PER_DAY
        if day0 >= day1:
            return (0, 0)
        done = {
            d
            for (d,) in self.store._reader().execute(
                "SELECT day FROM figure_days WHERE workspace = ? AND day >= ? AND day < ?",
                (workspace, day0, day1),
            )
        }
        missing = [day for day in range(day0, day1) if day not in done]
        if missing:  # a day without block rows has no day rows either: nothing to write
            reader = self.store._reader()
            missing = [
                day
                for day in missing
                if reader.execute(
                    "SELECT 1 FROM figure_keys WHERE workspace = ? AND span = 'b'"
                    " AND start >= ? AND start < ? LIMIT 1",
                    (workspace, day * BLOCKS_PER_DAY, (day + 1) * BLOCKS_PER_DAY),
                ).fetchone()
            ]
        if not missing:
            return (day0, day1)
        whole = ",".join("?" * len(WHOLE_DAYS))
        with self.store._transaction() as tx:
            for day in missing:
                tx.execute(
                    "DELETE FROM figure_keys WHERE workspace = ? AND span = 'd' AND start = ?",
                    (workspace, day),
                )
                tx.execute(
                    "INSERT INTO figure_keys SELECT ?, topic, kind, own, 'd', ?, key, n, reach,"
                    " peak, label FROM (SELECT topic, kind, own, key, sum(n) AS n,"
                    " sum(reach) AS reach, max(peak) AS peak, max(label) AS label,"
                    " row_number() OVER (PARTITION BY topic, kind, own"
                    " ORDER BY sum(n) DESC, key) AS rank FROM figure_keys"
                    " WHERE workspace = ? AND span = 'b' AND start >= ? AND start < ?"
                    f" GROUP BY topic, kind, own, key) WHERE kind IN ({whole}) OR rank <= ?",
                    (
                        workspace,
                        day,
                        workspace,
                        day * BLOCKS_PER_DAY,
                        (day + 1) * BLOCKS_PER_DAY,
                        *WHOLE_DAYS,
                        DAY_TOP,
                    ),
                )
                tx.execute("INSERT OR IGNORE INTO figure_days VALUES (?, ?)", (workspace, day))
        return (day0, day1)

    # -- from signals --------------------------------------------------------------------------

    def _read(
        self,
        clause: str,
        params: list[object],
        check: Callable[[Signal], bool] | None,
        keys: bool,
        slots: _Slots,
        acc: _Acc | None = None,
    ) -> _Acc:
        """Count the signals of a WHERE clause one by one (their documents only if needed)."""
        acc = acc if acc is not None else _Acc()
        group = ("",)
        if check is None:  # the counts grouped by SQLite, then the keys of each signal
            slot, slot_params = slots.sql("signals.created_at")
            columns = _RAW_FACETS if slots.facets else "'', '', '', ''"
            for found, *facets, n, reach in self.store._reader().execute(
                f"SELECT {slot}, {columns}, count(*), sum(coalesce(signals.reach, 0))"
                f" FROM signals WHERE {clause} GROUP BY 1, 2, 3, 4, 5",
                [*slot_params, *params],
            ):
                acc.counts[(*group, found, *facets)] += n
                acc.reach[(*group, found, *facets)] += reach
            if keys:
                known = self.memo
                for reach, raw in self.store._reader().execute(
                    f"SELECT coalesce(signals.reach, 0), signals.doc FROM signals WHERE {clause}",
                    params,
                ):
                    acc.signal(known.keys(raw), reach)
            return acc
        memo = self.memo if keys else None
        rows = self.store._reader().execute(  # a full-text query's selection, checked here
            "SELECT signals.created_at, signals.channel, coalesce(signals.sentiment, ''),"
            " signals.visibility, coalesce(signals.lang, ''), coalesce(signals.reach, 0),"
            f" signals.doc FROM signals WHERE {clause}",
            params,
        )
        for created, channel, sentiment, visibility, lang, reach, raw in rows:
            if not check(decode(raw)):
                continue
            facets = (channel, sentiment, visibility, lang) if slots.facets else _NO_FACETS
            acc.add(group, slots.of(created), facets, reach)
            if memo is not None:
                acc.signal(memo.keys(raw), reach)
        return acc


_NO_FACETS = ("", "", "", "")
_RAW_FACETS = (
    "signals.channel, coalesce(signals.sentiment, ''), signals.visibility,"
    " coalesce(signals.lang, '')"
)


class _Slots:
    """Where a moment is counted: its hour, or the index of its bucket among `bounds`."""

    def __init__(self, bounds: Sequence[datetime] | None, facets: bool) -> None:
        self.bounds = [to_us(b) for b in bounds] if bounds is not None else None
        self.facets = facets

    def of(self, us: int) -> int:
        if self.bounds is None:
            return us // HOUR
        return bisect.bisect_right(self.bounds, us) - 1

    def columns(self) -> str:
        return "channel, sentiment, visibility, lang" if self.facets else "'', '', '', ''"

    def sql(self, us: str) -> tuple[str, list[int]]:
        """An SQL expression of the slot of `us` (an SQL expression of µs): runs of buckets of
        one length are one division, so a month of days is one or two (summer time) terms."""
        if self.bounds is None:
            return f"({us}) / {HOUR}", []
        b = self.bounds
        parts, params, i = [], [], 0
        while i < len(b) - 1:
            step, j = b[i + 1] - b[i], i + 1
            while j < len(b) - 1 and b[j + 1] - b[j] == step:
                j += 1
            parts.append(f"WHEN ({us}) < ? THEN ? + (({us}) - ?) / ?")
            params += [b[j], i, b[i], step]
            i = j
        return f"(CASE {' '.join(parts)} ELSE -1 END)", params


def _day_terms(
    slots: _Slots, h0: int, h1: int
) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]]] | None:
    """The hours [h0, h1) of each bucket as UTC days plus or minus hours: (slot, day) and
    (slot, hour, +1 or -1). A bucket covering most of a day takes the day's row and takes off
    the hours it leaves out (a local day from 23:00 UTC is the UTC day, less its last hour,
    plus the hour before it). None when no bucket holds most of a day, or a bucket starts off
    the hour inside [h0, h1): the hourly rows are read as they are."""
    if slots.bounds is None or any(b % HOUR and h0 * HOUR < b < h1 * HOUR for b in slots.bounds):
        return None
    days: list[tuple[int, int]] = []
    hours: list[tuple[int, int, int]] = []
    edges = [b // HOUR for b in slots.bounds]
    for i in range(len(edges) - 1):
        a, b = max(edges[i], h0), min(edges[i + 1], h1)
        for day in range(a // 24, -(-b // 24)) if a < b else ():
            lo, hi = max(a, day * 24), min(b, day * 24 + 24)
            if hi - lo > 12:
                days.append((i, day))
                hours += [(i, h, -1) for h in range(day * 24, lo)]
                hours += [(i, h, -1) for h in range(hi, day * 24 + 24)]
            else:
                hours += [(i, h, 1) for h in range(lo, hi)]
    return (days, hours) if days else None


def _count_days(
    conn: sqlite3.Connection,
    workspace: str,
    topic: str,
    owns: tuple[int, ...],
    days: list[tuple[int, int]],
    hours: list[tuple[int, int, int]],
) -> list[Any]:
    """Counts per bucket and facets from day rows plus or minus hour rows (`_day_terms`)."""
    marks = ",".join("?" * len(owns))
    return conn.execute(
        "SELECT slot, channel, sentiment, visibility, lang, sum(n), sum(reach) FROM ("
        " SELECT json_extract(d.value, '$[0]') AS slot, f.channel, f.sentiment,"
        " f.visibility, f.lang, f.n, f.reach"
        " FROM json_each(?) AS d CROSS JOIN figure_count_days AS f"
        " WHERE f.workspace = ? AND f.topic = ? AND f.day = json_extract(d.value, '$[1]')"
        f" AND f.own IN ({marks})"
        " UNION ALL"
        " SELECT json_extract(h.value, '$[0]'), f.channel, f.sentiment, f.visibility, f.lang,"
        " (json_extract(h.value, '$[2]')) * f.n, (json_extract(h.value, '$[2]')) * f.reach"
        " FROM json_each(?) AS h CROSS JOIN figure_counts AS f"
        " WHERE f.workspace = ? AND f.topic = ? AND f.hour = json_extract(h.value, '$[1]')"
        f" AND f.own IN ({marks}))"
        # a combination only in the hours taken off nets to nothing: not a row
        " GROUP BY slot, channel, sentiment, visibility, lang HAVING sum(n) <> 0",
        (json.dumps(days), workspace, topic, *owns, json.dumps(hours), workspace, topic, *owns),
    ).fetchall()


def _rollable(filters: Filters) -> bool:
    """Whether the rollups can answer: no filter but the topic, own accounts and the range."""
    return all(
        getattr(filters, name) is None
        for name in (
            "channel",
            "source",
            "kind",
            "visibility",
            "lang",
            "sentiment",
            "flag",
            "place",
        )
    )


def _sizes(top: Mapping[str, int] | int, kinds: Sequence[str]) -> dict[str, int]:
    return {k: top if isinstance(top, int) else top.get(k, 20) for k in kinds}


def _rank(
    tally: Tally,
    kind: str,
    found: list[KeyCount],
    top: int,
    by_peak: bool,
    wanted: list[str] | None,
    only: dict[str, list[str]] | None,
) -> None:
    """Put the top keys of one kind in the tally (or, with `only`, those asked for)."""
    if only is not None:
        keep = set(wanted or ())
        tally.tops[kind] = sorted((c for c in found if c.key in keep), key=lambda c: c.key)
        return
    tally.tops[kind] = sorted(found, key=lambda c: (-c.n, c.key))[:top]
    if by_peak:
        tally.tops[f"{kind}@peak"] = sorted(found, key=lambda c: (-c.peak, -c.n, c.key))[:top]


def _spans(first: int, last: int, days: tuple[int, int]) -> list[tuple[str, int, int]]:
    """The rollup rows covering blocks [first, last): whole days as 'd', the rest as 'b'."""
    day0, day1 = days
    if day0 >= day1:
        return [("b", first, last)]
    out = [("d", day0, day1)]
    if first < day0 * BLOCKS_PER_DAY:
        out.append(("b", first, day0 * BLOCKS_PER_DAY))
    if day1 * BLOCKS_PER_DAY < last:
        out.append(("b", day1 * BLOCKS_PER_DAY, last))
    return out


def _union(
    base: tuple[str, str],
    kind: str,
    owns: tuple[int, ...],
    spans: list[tuple[str, int, int]],
    keys: list[str] | None = None,
    columns: str = "key, n, reach, peak, label",
) -> tuple[str, list[object]]:
    """The rollup rows of one kind over `spans`, as a UNION ALL of primary-key lookups: each
    start of the list is one seek to its (topic, kind, own) range; with `keys`, each
    (start, key) pair is one seek."""
    parts, params = [], []
    for own in owns:
        for span, start, end in spans:
            where = "workspace = ? AND span = ? AND start IN (SELECT value FROM json_each(?))"
            where += " AND topic = ? AND kind = ? AND own = ?"
            values: list[object] = [base[0], span, json.dumps(list(range(start, end)))]
            values += [base[1], kind, own]
            if keys is not None:
                where += " AND key IN (SELECT value FROM json_each(?))"
                values.append(json.dumps(keys))
            parts.append(f"SELECT {columns} FROM figure_keys WHERE {where}")
            params += values
    return " UNION ALL ".join(parts), params


def _keys_sql(
    conn: sqlite3.Connection,
    base: tuple[str, str],
    kind: str,
    owns: tuple[int, ...],
    spans: list[tuple[str, int, int]],
    keys: list[str] | None,
    limit: int,
    by_peak: bool = False,
) -> dict[str, KeyCount]:
    """Summed rollup counts of one kind: the `limit` largest (by signals, or by peak), or
    those of `keys`."""
    union, params = _union(base, kind, owns, spans, keys)
    sql = f"SELECT key, sum(n) AS s, sum(reach), max(peak) AS p, max(label) FROM ({union})"
    sql += " GROUP BY key"
    if keys is None:
        order = "p DESC, s DESC" if by_peak else "s DESC"
        sql += f" ORDER BY {order}, key LIMIT ?"
        params.append(limit)
    return {
        key: KeyCount(key, label, n, reach, peak)
        for key, n, reach, peak, label in conn.execute(sql, params)
    }


def _exact_sql(
    conn: sqlite3.Connection,
    base: tuple[str, str],
    kind: str,
    owns: tuple[int, ...],
    spans: list[tuple[str, int, int]],
    keys: list[str],
) -> dict[str, KeyCount]:
    """Exact rollup counts of `keys`: a day's rows hold only its top keys (DAY_TOP), so a key
    a day left out is counted from that day's blocks."""
    if kind in WHOLE_DAYS or not keys:
        return _keys_sql(conn, base, kind, owns, spans, keys, 0)
    if len(owns) > 1:  # each own value has its own top keys per day
        out: dict[str, KeyCount] = {}
        for own in owns:
            for key, c in _exact_sql(conn, base, kind, (own,), spans, keys).items():
                out.setdefault(key, KeyCount(key, c.label)).add(c.n, c.reach, c.peak, c.label)
        return out
    out = {}

    def add(key: str, n: int, reach: int, peak: int, label: str) -> None:
        out.setdefault(key, KeyCount(key, label)).add(n, reach, peak, label)

    blocks = [span for span in spans if span[0] == "b"]
    for key, c in (_keys_sql(conn, base, kind, owns, blocks, keys, 0) if blocks else {}).items():
        add(key, c.n, c.reach, c.peak, c.label)
    wanted = set(keys)
    for _, day0, day1 in (span for span in spans if span[0] == "d"):
        days = [("d", day0, day1)]
        union, params = _union(base, kind, owns, days, keys, "start, key, n, reach, peak, label")
        seen: dict[int, set[str]] = {}
        # summed by SQLite, with the days each key was kept in (to find the gaps below)
        for key, n, reach, peak, label, starts in conn.execute(
            "SELECT key, sum(n), sum(reach), max(peak), max(label), group_concat(start)"
            f" FROM ({union}) GROUP BY key",
            params,
        ):
            for day in map(int, starts.split(",")):
                seen.setdefault(day, set()).add(key)
            add(key, n, reach, peak, label)
        # Only a day that kept DAY_TOP keys may have left some out.
        union, params = _union(base, kind, owns, days, None, "start")
        full = conn.execute(
            f"SELECT start FROM ({union}) GROUP BY start HAVING count(*) >= ?", [*params, DAY_TOP]
        )
        gaps = {d: wanted - seen.get(d, set()) for (d,) in full if wanted - seen.get(d, set())}
        if not gaps:
            continue
        blocks = [d * BLOCKS_PER_DAY + i for d in sorted(gaps) for i in range(BLOCKS_PER_DAY)]
        for block, key, n, reach, peak, label in conn.execute(
            "SELECT start, key, n, reach, peak, label FROM figure_keys WHERE workspace = ?"
            " AND span = 'b' AND start IN (SELECT value FROM json_each(?)) AND topic = ?"
            " AND kind = ? AND own = ? AND key IN (SELECT value FROM json_each(?))",
            (base[0], json.dumps(blocks), base[1], kind, owns[0], json.dumps(sorted(wanted))),
        ):
            if key in gaps[block // BLOCKS_PER_DAY]:
                add(key, n, reach, peak, label)
    return out


def _authors(
    conn: sqlite3.Connection,
    base: tuple[str, str],
    owns: tuple[int, ...],
    spans: list[tuple[str, int, int]],
    edge: list[str],
) -> int:
    """Distinct authors: those of the rollups plus the edges' authors not among them."""
    union, params = _union(base, "author", owns, spans)
    rolled = conn.execute(f"SELECT count(DISTINCT key) FROM ({union})", params).fetchone()[0]
    if not edge:
        return int(rolled)
    union, params = _union(base, "author", owns, spans, edge)
    seen = conn.execute(f"SELECT count(DISTINCT key) FROM ({union})", params).fetchone()[0]
    return int(rolled) + len(edge) - int(seen)
