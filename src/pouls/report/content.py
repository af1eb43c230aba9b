"""What a report says about one period: key numbers against the period before, the series and
splits its charts draw, the signals that mattered, the alerts raised, the analyst's summary.

Gathered from the store in one place so the HTML page, the PDF, the API and the e-mail say the
same thing; a selection with no signal in the period is `NoData`, never an empty document.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from pouls.analyse.figures import dashboard
from pouls.config import Settings
from pouls.config.reports import FACETS, Report
from pouls.locale import N_
from pouls.query import QueryError, parse
from pouls.query.period import Period
from pouls.report import NoData, ReportError
from pouls.report.words import NO_DATA, day
from pouls.signals import Signal, utcnow
from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch import titles

SAMPLE = 500  # signals of the period ranked for the top signals
TOP = 5


class Figure(msgspec.Struct, frozen=True, kw_only=True):
    """A key number, its value over the period before, and the change (as the dashboard's:
    relative for counts, in percentage points for shares and scores; None from nothing)."""

    value: float | None  # None: a share or score of a period with no rated signal
    previous: float | None
    change: float | None


class Ranked(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    count: int


class Voice(msgspec.Struct, frozen=True, kw_only=True):
    """A topic's share of the signals of the share-of-voice topics, as the dashboard has it."""

    name: str
    color: str | None
    total: int
    previous: int
    share: float


class TopSignal(msgspec.Struct, frozen=True, kw_only=True):
    """A signal that drew the most engagement in the period."""

    text: str
    author: str | None
    channel: str
    created_at: datetime
    engagement: int
    link: str


class AlertLine(msgspec.Struct, frozen=True, kw_only=True):
    title: str  # as stored, in the watcher's language; `facts` words it in the report's
    kind: str
    facts: titles.Facts = titles.Facts()
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
    hashtags: list[Ranked]
    voices: list[Voice]  # topics tagged share-of-voice; none when the workspace has none
    authors: list[Ranked]  # the most active; pseudonyms in pseudonymous workspaces
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


def check(
    store: SQLiteStore,
    settings: Settings,
    report: Report,
    period: Period,
    *,
    lang: str | None = None,
) -> tuple[str | None, Filters, Filters]:
    """The report's query, filters, and filters within `period` (own accounts left out, as the
    dashboard leaves them), once one signal at least matches there: else `NoData`, its dates
    in `lang` (default: the report's). One count: what a page asks before offering files."""
    ws = settings.workspace(report.workspace)
    if ws is None:
        raise ReportError(N_("no workspace %(workspace)s"), workspace=report.workspace)
    query, base = selection(store, report)
    own = False if base.own is None else base.own
    within = msgspec.structs.replace(base, own=own, since=period.since, until=period.until)
    if not store.search(report.workspace, query, within, limit=1).signals:
        tz = ZoneInfo(ws.timezone)
        lang = lang or report.lang
        raise NoData(
            NO_DATA,
            since=day(lang, period.since, tz),
            until=day(lang, period.until - timedelta(microseconds=1), tz),
        )
    return query, base, within


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
    the report's) when nothing matches in it.

    Its figures are the dashboard's (`pouls.analyse.figures`): the same selection gives the
    same numbers on the page and in the PDF, own accounts' signals left out alike.
    """
    query, base, within = check(store, settings, report, period, lang=lang)
    ws = settings.workspace(report.workspace)
    assert ws is not None  # check() refused a report of an unknown workspace
    board = dashboard(store, settings, report.workspace, query, base, period)
    sample = store.search(report.workspace, query, within, limit=SAMPLE).signals
    base_link = (base_url or settings.file.alerts.base_url).rstrip("/")
    totals = {
        k: Figure(value=f.value, previous=f.previous, change=f.change)
        for k, f in board.totals.items()
    }
    return Content(
        report=report,
        title=report.title or report.name,
        workspace=report.workspace,
        workspace_name=ws.name or ws.id,
        timezone=ws.timezone,
        period=period,
        previous=period.previous(),
        bucket=board.period.bucket,
        totals=totals,
        buckets=board.volume.buckets,
        series=board.volume.total,
        previous_series=board.volume.previous_total,
        sentiment={k: board.sentiment.split.get(k, 0) for k in _SENTIMENTS},
        channels=[Ranked(key=i.key, count=i.count) for i in board.mix.get("channel", [])[:8]],
        topics=_topics(store, report.workspace, query, within),
        voices=[
            Voice(name=v.name, color=v.color, total=v.total, previous=v.previous, share=v.share)
            for v in board.share_of_voice.topics
        ],
        hashtags=[Ranked(key=i.label, count=i.count) for i in board.top.get("hashtags", [])[:8]],
        authors=[
            Ranked(key=i.label, count=i.count) for i in board.top.get("authors_volume", [])[:8]
        ],
        top=[_top(s, base_link) for s in _engaging(sample)],
        alerts=_alerts(store, report.workspace, period, base_link),
        summary=summary,
        generated_at=utcnow(),
        link=f"{base_link}/reports/{report.name}?ws={report.workspace}",
    )


_SENTIMENTS = ("positive", "neutral", "negative")


def _topics(store: SQLiteStore, workspace: str, query: str | None, within: Filters) -> list[Ranked]:
    """The signals of each topic in the selection, the largest first: one count a topic
    (cheaper than every facet of the period; a workspace has tens of topics, not thousands)."""
    names = [within.topic] if within.topic else [t.name for t in store.topics.list(workspace)]
    counts = {}
    for name in names:
        only = msgspec.structs.replace(within, topic=name)
        counts[name] = store.search(workspace, query, only, limit=1, count=True).total or 0
    return [Ranked(key=k, count=n) for k, n in Counter(counts).most_common(8) if n]


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
            facts=titles.of_alert(a),
            status=a.status,
            started_at=a.started_at,
            link=f"{base}/alerts/{a.id}?ws={workspace}",
        )
        for a in reversed(found)
    ]
