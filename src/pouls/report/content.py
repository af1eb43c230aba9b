"""What a report says about one period: key numbers against the period before, the series and
splits its charts draw, the signals that mattered, the alerts raised, the analyst's summary.

Gathered from the store in one place so the HTML page, the PDF, the API and the e-mail say the
same thing; a selection with no signal in the period is `NoData`, never an empty document.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import msgspec

from pouls.config import Settings
from pouls.config.reports import FACETS, Report
from pouls.locale import N_
from pouls.query import QueryError, parse
from pouls.query.period import Period
from pouls.report import NoData, ReportError
from pouls.report.words import NO_DATA, day
from pouls.signals import Signal, utcnow
from pouls.store import Bucket, Filters
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore

SAMPLE = 500  # signals of the period ranked for the top signals
TOP = 5
WHOLE = timedelta(days=365 * 200)  # one bucket holding the whole period: exact distinct authors


class Figure(msgspec.Struct, frozen=True, kw_only=True):
    """A key number, its value over the period before, and the relative change."""

    value: float
    previous: float
    change: float | None  # (value - previous) / previous; None when previous is 0


class Ranked(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    count: int


class TopSignal(msgspec.Struct, frozen=True, kw_only=True):
    """A signal that drew the most engagement in the period."""

    text: str
    author: str | None
    channel: str
    created_at: datetime
    engagement: int
    link: str


class AlertLine(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    kind: str
    status: str
    started_at: datetime
    link: str


class Content(msgspec.Struct, kw_only=True):
    """Everything a rendered report shows, in no language yet."""

    report: Report
    title: str
    workspace: str
    workspace_name: str
    timezone: str
    period: Period
    previous: Period
    bucket: str  # hour, day or week
    totals: dict[str, Figure]  # volume, authors, reach, negative_share, net_sentiment
    buckets: list[datetime]
    series: list[int]
    previous_series: list[int]
    sentiment: dict[str, int]  # positive, neutral, negative
    channels: list[Ranked]
    topics: list[Ranked]
    top: list[TopSignal]
    alerts: list[AlertLine]
    summary: str
    generated_at: datetime
    link: str


def selection(store: SQLiteStore, report: Report) -> tuple[str | None, Filters]:
    """The report's query and filters (without a period); a bad one is a `ReportError`."""
    if report.query:
        try:
            parse(report.query)
        except QueryError as exc:
            raise ReportError(
                N_("the report's query cannot be read: %(reason)s"), reason=exc.message
            ) from None
    if report.topic and store.topics.get(report.workspace, report.topic) is None:
        raise ReportError(N_("no topic %(topic)s in this workspace"), topic=report.topic)
    values = {k: v for k, v in report.facets.items() if v and k in FACETS}
    return report.query or None, Filters(topic=report.topic or None, **values)  # type: ignore[arg-type]


def gather(
    store: SQLiteStore,
    settings: Settings,
    report: Report,
    period: Period,
    *,
    summary: str = "",
    base_url: str | None = None,
    lang: str | None = None,
) -> Content:
    """The content of `report` over `period`; `NoData` (its dates written in `lang`, default
    the report's) when nothing matches in it."""
    ws = settings.workspace(report.workspace)
    if ws is None:
        raise ReportError(N_("no workspace %(workspace)s"), workspace=report.workspace)
    query, base = selection(store, report)
    previous = period.previous()
    within = msgspec.structs.replace(base, since=period.since, until=period.until)
    before = msgspec.structs.replace(base, since=previous.since, until=previous.until)
    now_total = _whole(store, report.workspace, query, within, period)
    if now_total.volume == 0:
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(ws.timezone)
        lang = lang or report.lang
        raise NoData(
            NO_DATA,
            since=day(lang, period.since, tz),
            until=day(lang, period.until - timedelta(microseconds=1), tz),
        )
    then_total = _whole(store, report.workspace, query, before, previous)
    step = period.bucket()
    series = store.series(
        report.workspace, query, within, bucket=step, since=period.since, until=period.until
    )
    earlier = store.series(
        report.workspace, query, before, bucket=step, since=previous.since, until=previous.until
    )
    facets = store.facets(report.workspace, query, within)
    facets_before = store.facets(report.workspace, query, before)
    sample = store.search(report.workspace, query, within, limit=SAMPLE).signals
    base_link = (base_url or settings.file.alerts.base_url).rstrip("/")
    return Content(
        report=report,
        title=report.title or report.name,
        workspace=report.workspace,
        workspace_name=ws.name or ws.id,
        timezone=ws.timezone,
        period=period,
        previous=previous,
        bucket={3600: "hour", 86400: "day"}.get(int(step.total_seconds()), "week"),
        totals=_totals(now_total, then_total, facets, facets_before),
        buckets=[b.start for b in series],
        series=[b.volume for b in series],
        previous_series=_align([b.volume for b in earlier], len(series)),
        sentiment={k: facets.get("sentiment", {}).get(k, 0) for k in _SENTIMENTS},
        channels=_ranked(facets.get("channel", {}), 8),
        topics=_ranked(facets.get("topic", {}), 8),
        top=[_top(s, base_link) for s in _engaging(sample)],
        alerts=_alerts(store, report.workspace, period, base_link),
        summary=summary,
        generated_at=utcnow(),
        link=f"{base_link}/reports/{report.name}?ws={report.workspace}",
    )


_SENTIMENTS = ("positive", "neutral", "negative")


def _whole(
    store: SQLiteStore, workspace: str, query: str | None, filters: Filters, period: Period
) -> Bucket:
    buckets = store.series(
        workspace, query, filters, bucket=WHOLE, since=period.since, until=period.until
    )
    total = Bucket(start=period.since)
    for b in buckets:  # one bucket unless the period spans two centuries
        total = Bucket(
            start=total.start,
            volume=total.volume + b.volume,
            negative=total.negative + b.negative,
            reach=total.reach + b.reach,
            authors=total.authors + b.authors,
        )
    return total


def _align(values: list[int], n: int) -> list[int]:
    """The previous period's series cut or padded to as many buckets as this period's (the
    first bucket of each is aligned on the epoch, so they may differ by one)."""
    return values[:n] + [0] * (n - len(values))


def _figure(value: float, previous: float) -> Figure:
    return Figure(
        value=value, previous=previous, change=(value - previous) / previous if previous else None
    )


def _net(facets: dict[str, dict[str, int]]) -> float:
    s = facets.get("sentiment", {})
    total = sum(s.get(k, 0) for k in _SENTIMENTS)
    return (s.get("positive", 0) - s.get("negative", 0)) / total if total else 0.0


def _totals(
    now: Bucket, then: Bucket, facets: dict[str, dict[str, int]], before: dict[str, dict[str, int]]
) -> dict[str, Figure]:
    def share(b: Bucket) -> float:
        return b.negative / b.volume if b.volume else 0.0

    return {
        "volume": _figure(now.volume, then.volume),
        "authors": _figure(now.authors, then.authors),
        "reach": _figure(now.reach, then.reach),
        "negative_share": _figure(share(now), share(then)),
        "net_sentiment": _figure(_net(facets), _net(before)),
    }


def _ranked(counts: dict[str, int], k: int) -> list[Ranked]:
    return [Ranked(key=key, count=n) for key, n in Counter(counts).most_common(k)]


def engagement(s: Signal) -> int:
    """Likes, shares (twice: they carry the signal further) and replies."""
    m = s.metrics
    return 0 if m is None else (m.likes or 0) + 2 * (m.shares or 0) + (m.replies or 0)


def _engaging(signals: list[Signal]) -> list[Signal]:
    ranked = sorted(signals, key=lambda s: (-engagement(s), -s.created_at.timestamp()))
    return ranked[:TOP]


def _top(s: Signal, base: str) -> TopSignal:
    text = (s.title + " — " if s.title else "") + s.text
    return TopSignal(
        text=text[:280] + ("…" if len(text) > 280 else ""),
        author=s.author_handle or s.author_name,
        channel=s.channel,
        created_at=s.created_at,
        engagement=engagement(s),
        link=f"{base}/signals/{s.id}?ws={s.workspace}",
    )


def _alerts(store: SQLiteStore, workspace: str, period: Period, base: str) -> list[AlertLine]:
    found = WatchStore(store).alerts(workspace, since=period.since, until=period.until, limit=20)
    return [
        AlertLine(
            title=a.title,
            kind=a.kind,
            status=a.status,
            started_at=a.started_at,
            link=f"{base}/alerts/{a.id}?ws={workspace}",
        )
        for a in reversed(found)
    ]
