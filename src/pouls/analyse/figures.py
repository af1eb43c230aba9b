"""The dashboard of a workspace or a topic over a period, each figure against the period before.

`dashboard()` is what the web page (GET /api/v1/dashboard) and the reports call; its result is
the JSON contract documented in docs/dashboards.md. Counting is the store's (`pouls.store.figures`,
rollups for topic and workspace dashboards); here the counts become series in the workspace's
local hours, days or weeks, shares, changes and links to the wall.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from pouls.analyse.keys import KINDS, keys_of
from pouls.config import Settings
from pouls.locale import N_
from pouls.query.period import DAY, HOUR, WEEK, Period, zone
from pouls.store import Filters
from pouls.store.figures import CountRow, Figures, KeyCount, Tally
from pouls.store.sqlite import SQLiteStore

BUCKETS = {"hour": HOUR, "day": DAY, "week": WEEK}
MAX_BUCKETS = 1000  # a series longer than this is unreadable; pick a longer bucket
TOP = {
    "author": 20,
    "site": 20,
    "hashtag": 20,
    "mention": 20,
    "term": 30,
    "entity": 20,
    "place": 200,
    "country": 50,
}
SENTIMENTS = ("positive", "neutral", "negative")
SOV_TAG = "share-of-voice"  # topics tagged so are compared when a request names none


class Bounds(msgspec.Struct):
    """The buckets' starts and the end of the last, for the period and the one before (its
    bucket i is the current bucket i moved back by the period's length)."""

    now: list[datetime]
    then: list[datetime]


class FigureError(ValueError):
    """A request the dashboard cannot answer; `message` is English with `%(name)s` holes filled
    from `values`, so a page can show it in its own language."""

    def __init__(self, message: str, **values: str) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values


class Figure(msgspec.Struct, kw_only=True):
    """A number, the same over the previous period, and the change. Counts change relatively
    ((value - previous) / previous, None from 0); shares and scores change in percentage
    points ((value - previous) * 100), and are None over a period with no rated signal (a share
    of nothing is not 0 %), which makes the change None too."""

    value: float | None
    previous: float | None
    change: float | None


class Item(msgspec.Struct, kw_only=True):
    """One line of a top or a mix. `wall`: query-string values selecting these signals on the
    wall (the page merges them with its own selection and range)."""

    key: str
    label: str
    count: int
    previous: int
    change: float | None
    reach: int | None = None
    type: str | None = None
    wall: dict[str, str] = {}


class PeriodInfo(msgspec.Struct, kw_only=True):
    since: datetime
    until: datetime
    bucket: str
    previous: dict[str, datetime]
    timezone: str


class Volume(msgspec.Struct, kw_only=True):
    buckets: list[datetime]
    total: list[int]
    previous_total: list[int]
    by: dict[str, dict[str, list[int]]]


class SentimentFigures(msgspec.Struct, kw_only=True):
    buckets: list[datetime]
    positive: list[int]
    neutral: list[int]
    negative: list[int]
    net: list[float | None]
    split: dict[str, int]


class Voice(msgspec.Struct, kw_only=True):
    id: str
    name: str
    color: str | None
    total: int
    previous: int
    share: float
    series: list[int]


class ShareOfVoice(msgspec.Struct, kw_only=True):
    buckets: list[datetime]
    topics: list[Voice]


class Point(msgspec.Struct, kw_only=True):
    lat: float
    lon: float
    count: int
    label: str
    wall: dict[str, str] = {}


class Map(msgspec.Struct, kw_only=True):
    points: list[Point]
    countries: list[Item]


class Dashboard(msgspec.Struct, kw_only=True):
    """Every figure of a dashboard; see docs/dashboards.md."""

    period: PeriodInfo
    totals: dict[str, Figure]
    volume: Volume
    sentiment: SentimentFigures
    share_of_voice: ShareOfVoice
    top: dict[str, list[Item]]
    mix: dict[str, list[Item]]
    map: Map


def dashboard(
    store: SQLiteStore,
    settings: Settings,
    workspace: str,
    query: str | None,
    filters: Filters,
    period: Period,
    sov_topics: Sequence[str] | None = None,
    *,
    bucket: str | None = None,
) -> Dashboard:
    """The dashboard of the selection over `period`, compared with `period.previous()`.

    Own accounts' signals are left out unless `filters.own` asks for them, as alert volumes and
    shares leave them out: a dashboard measures what others say. Raises `FigureError` for an
    unknown share-of-voice topic or bucket, `pouls.query.QueryError` for a bad query.
    """
    ws = settings.workspace(workspace)
    tz = zone(ws.timezone if ws else None)
    step = _step(period, bucket)
    voices = _voices(store, workspace, sov_topics)
    own = False if filters.own is None else filters.own
    current = msgspec.structs.replace(filters, own=own, since=period.since, until=period.until)
    before = period.previous()
    previous = msgspec.structs.replace(current, since=before.since, until=before.until)
    figures = Figures(store, keys_of)
    starts = _starts(period, step, tz)
    bounds = Bounds(now=[*starts, period.until], then=[b - period.length for b in starts])
    bounds.then.append(before.until)
    now = figures.tally(workspace, query, current, KINDS, top=TOP, bounds=bounds.now)
    wanted = {kind: [c.key for c in now.tops.get(kind, [])] for kind in KINDS}
    wanted["author"] = sorted({*wanted["author"], *(c.key for c in now.tops["author@peak"])})
    then = figures.tally(
        workspace, query, previous, KINDS, top=TOP, only=wanted, bounds=bounds.then
    )
    pseudonymous = ws is None or ws.identities == "pseudonymous"
    return Dashboard(
        period=PeriodInfo(
            since=period.since,
            until=period.until,
            bucket=next(k for k, v in BUCKETS.items() if v == step),
            previous={"since": before.since, "until": before.until},
            timezone=tz.key,
        ),
        totals=_totals(now, then),
        volume=_volume(now, then, starts),
        sentiment=_sentiment(now, starts),
        share_of_voice=_share(figures, workspace, query, current, previous, voices, bounds),
        top=_tops(now, then, pseudonymous),
        mix=_mix(now, then),
        map=_map(now, then),
    )


def _step(period: Period, bucket: str | None) -> timedelta:
    if bucket is None:
        if period.length / WEEK > MAX_BUCKETS:  # a range with no start: since 1970
            raise FigureError(
                N_("a dashboard covers at most %(max)s weeks: give the range a start (since)"),
                max=str(MAX_BUCKETS),
            )
        return period.bucket()
    if bucket not in BUCKETS:
        raise FigureError(
            N_("unknown bucket %(value)s: choose hour, day or week"), value=str(bucket)[:20]
        )
    step = BUCKETS[bucket]
    if period.length / step > MAX_BUCKETS:
        raise FigureError(
            N_(
                "%(bucket)s buckets over this range make more than %(max)s points: choose a"
                " longer bucket or a shorter range"
            ),
            bucket=bucket,
            max=str(MAX_BUCKETS),
        )
    return step


def _voices(store: SQLiteStore, workspace: str, names: Sequence[str] | None) -> list[Voice]:
    """The share-of-voice topics: those named, else those tagged `share-of-voice`."""
    known = {t.name: t for t in store.topics.list(workspace)}
    if names is None:
        chosen = [t for t in known.values() if SOV_TAG in t.tags]
    else:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise FigureError(
                N_("share of voice: no topic %(name)s in this workspace; its topics: %(known)s"),
                name=", ".join(unknown),
                known=", ".join(sorted(known)) or "-",
            )
        chosen = [known[n] for n in dict.fromkeys(names)]
    return [
        Voice(id=t.name, name=t.name, color=t.color, total=0, previous=0, share=0.0, series=[])
        for t in chosen
    ]


def _starts(period: Period, step: timedelta, tz: ZoneInfo) -> list[datetime]:
    """Bucket starts from the one holding `since`, on local midnights (Mondays for weeks)."""
    if step == HOUR:
        first = period.since.replace(minute=0, second=0, microsecond=0)
        return [first + i * HOUR for i in range(-(-(period.until - first) // HOUR))]
    local = period.since.astimezone(tz)
    day = local.date() - timedelta(days=local.weekday() if step == WEEK else 0)
    out: list[datetime] = []
    while True:
        start = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(period.since.tzinfo)
        if start >= period.until:
            return out
        out.append(start)
        day += step


def _slots(rows: list[CountRow], size: int) -> Iterator[tuple[int, CountRow]]:
    """(bucket index, row) for the rows of a tally counted per bucket."""
    for row in rows:
        if 0 <= row.slot < size:
            yield row.slot, row


def _change(value: float, previous: float) -> float | None:
    return None if previous == 0 else round((value - previous) / previous, 4)


def _figure(value: float, previous: float) -> Figure:
    return Figure(value=value, previous=previous, change=_change(value, previous))


def _points(value: float | None, previous: float | None) -> float | None:
    """The change of a share or a score, in percentage points; None when either is unknown."""
    if value is None or previous is None:
        return None
    return round((value - previous) * 100, 2)


def _sums(tally: Tally) -> dict[str, float | None]:
    n = sum(r.n for r in tally.counts)
    by = Counter[str]()
    for r in tally.counts:
        by[r.sentiment] += r.n
    rated = sum(by[s] for s in SENTIMENTS)
    return {
        "volume": n,
        "authors": tally.authors,
        "reach": sum(r.reach for r in tally.counts),
        "negative_share": round(by["negative"] / rated, 4) if rated else None,
        "net_sentiment": round((by["positive"] - by["negative"]) / rated, 4) if rated else None,
    }


SCORES = ("negative_share", "net_sentiment")  # changed in points, None with nothing rated


def _totals(now: Tally, then: Tally) -> dict[str, Figure]:
    a, b = _sums(now), _sums(then)
    out: dict[str, Figure] = {}
    for name in a:
        value, previous = a[name], b[name]
        if name in SCORES:
            out[name] = Figure(value=value, previous=previous, change=_points(value, previous))
        else:
            out[name] = _figure(value or 0, previous or 0)
    return out


def _volume(now: Tally, then: Tally, starts: list[datetime]) -> Volume:
    total, previous = [0] * len(starts), [0] * len(starts)
    by: dict[str, dict[str, list[int]]] = {"channel": {}, "sentiment": {}, "visibility": {}}
    for i, row in _slots(now.counts, len(starts)):
        total[i] += row.n
        for facet, value in (
            ("channel", row.channel),
            ("sentiment", row.sentiment or "unknown"),
            ("visibility", row.visibility),
        ):
            by[facet].setdefault(value, [0] * len(starts))[i] += row.n
    for i, row in _slots(then.counts, len(starts)):
        previous[i] += row.n
    return Volume(buckets=starts, total=total, previous_total=previous, by=by)


def _sentiment(now: Tally, starts: list[datetime]) -> SentimentFigures:
    series = {s: [0] * len(starts) for s in SENTIMENTS}
    for i, row in _slots(now.counts, len(starts)):
        if row.sentiment in series:
            series[row.sentiment][i] += row.n
    net: list[float | None] = []
    for pos, neu, neg in zip(*series.values(), strict=True):
        rated = pos + neu + neg
        net.append(round((pos - neg) / rated, 4) if rated else None)
    return SentimentFigures(
        buckets=starts,
        net=net,
        split={s: sum(v) for s, v in series.items()},
        **series,
    )


def _share(
    figures: Figures,
    workspace: str,
    query: str | None,
    current: Filters,
    previous: Filters,
    voices: list[Voice],
    bounds: Bounds,
) -> ShareOfVoice:
    size = len(bounds.now) - 1
    names = [v.id for v in voices]
    series = figures.voices(workspace, query, current, names, bounds.now)
    before = figures.voices(workspace, query, previous, names, bounds.then)
    for voice in voices:
        if series is not None and before is not None:  # from the rollups, all topics at once
            voice.series = series[voice.id]
            voice.total = sum(series[voice.id])
            voice.previous = sum(before[voice.id])
            continue
        now = figures.tally(
            workspace,
            query,
            msgspec.structs.replace(current, topic=voice.id),
            bounds=bounds.now,
            facets=False,
        )
        then = figures.tally(
            workspace,
            query,
            msgspec.structs.replace(previous, topic=voice.id),
            bounds=bounds.then,
            facets=False,
        )
        voice.series = [0] * size
        for i, row in _slots(now.counts, size):
            voice.series[i] += row.n
        voice.total = sum(r.n for r in now.counts)
        voice.previous = sum(r.n for r in then.counts)
    everyone = sum(v.total for v in voices)
    for voice in voices:
        voice.share = round(voice.total / everyone, 4) if everyone else 0.0
    return ShareOfVoice(buckets=bounds.now[:-1], topics=voices)


def _wall(kind: str, c: KeyCount) -> dict[str, str]:
    """The query that selects a key's signals on the wall."""
    if kind == "author":
        return {"q": f'author:"{c.key.lstrip("@")}"'}
    if kind == "site":
        return {"q": f"site:{c.key}"}
    if kind == "hashtag":
        return {"q": f"#{c.key}"}
    if kind == "mention":
        return {"q": f"@{c.key}"}
    if kind == "entity":
        return {"q": '"' + c.label.replace('"', " ") + '"'}
    if kind == "country":
        return {"q": f"country:{c.key.lower()}"}
    return {"q": c.key}


def _items(
    kind: str,
    found: list[KeyCount],
    before: list[KeyCount],
    *,
    label: Callable[[KeyCount], str] | None = None,
) -> list[Item]:
    previous = {c.key: c.n for c in before}
    return [
        Item(
            key=c.key,
            label=label(c) if label else c.label,
            count=c.n,
            previous=previous.get(c.key, 0),
            change=_change(c.n, previous.get(c.key, 0)),
            reach=c.peak if kind == "author" else c.reach,
            type=c.key.split(":", 1)[0] if kind == "entity" else None,
            wall=_wall(kind, c),
        )
        for c in found
    ]


def _tops(now: Tally, then: Tally, pseudonymous: bool) -> dict[str, list[Item]]:
    # A pseudonymous workspace stores pseudonyms only; showing the key makes sure of it.
    author: Callable[[KeyCount], str] | None = (lambda c: c.key) if pseudonymous else None
    out = {
        "authors_volume": _items("author", now.tops["author"], then.tops["author"], label=author),
        "authors_reach": _items(
            "author", now.tops["author@peak"], then.tops["author"], label=author
        ),
    }
    for kind, name in (
        ("site", "sites"),
        ("hashtag", "hashtags"),
        ("mention", "mentions"),
        ("term", "terms"),
        ("entity", "entities"),
    ):
        out[name] = _items(kind, now.tops.get(kind, []), then.tops.get(kind, []))
    return out


def _mix(now: Tally, then: Tally) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = {}
    for facet in ("channel", "lang"):
        counts: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for i, tally in enumerate((now, then)):
            for row in tally.counts:
                value = getattr(row, facet) or "unknown"
                counts[value][i] += row.n
                if i == 0:
                    counts[value][2] += row.reach
        ranked = sorted(((k, v) for k, v in counts.items() if v[0]), key=lambda x: (-x[1][0], x[0]))
        out[facet] = [
            Item(
                key=k,
                label=k,
                count=n,
                previous=p,
                change=_change(n, p),
                reach=r,
                wall={facet: k} if k != "unknown" else {},
            )
            for k, (n, p, r) in ranked
        ]
    return out


def _map(now: Tally, then: Tally) -> Map:
    """Map points, one per named place: a place whose signals were rounded to two cells (50.63
    and 50.64) is one point, at the count-weighted middle of its cells."""
    cells: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    for c in now.tops.get("place", []):
        lat, lon = (float(x) for x in c.key.split(","))
        # places without a name stay apart: two unnamed cells are not one place
        cells.setdefault((c.label, "" if c.label else c.key), []).append((lat, lon, c.n))
    points = []
    for (label, _), parts in cells.items():
        n = sum(p[2] for p in parts)
        lat = round(sum(p[0] * p[2] for p in parts) / n, 4) if n else parts[0][0]
        lon = round(sum(p[1] * p[2] for p in parts) / n, 4) if n else parts[0][1]
        # A named place opens the wall on it (`place=`); an unnamed cell has no filter of its own.
        wall = {"place": label} if label else {}
        points.append(Point(lat=lat, lon=lon, count=n, label=label, wall=wall))
    points.sort(key=lambda p: -p.count)
    countries = _items("country", now.tops.get("country", []), then.tops.get("country", []))
    return Map(points=points, countries=countries)
