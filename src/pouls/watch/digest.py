"""The daily or weekly digest of a workspace: volume and its change, sentiment, topics, terms,
alerts and escalations, the signals that mattered, a chart; and when it is due.

Gathered from the store like an alert's explanation; put into words by `messages.digest_notice`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec

from pouls.config import Alerts
from pouls.signals import Signal
from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch import chart
from pouls.watch.explain import BASE_SAMPLE, SAMPLE, Example, Term, representative, rising, terms_of

log = logging.getLogger("pouls.watch")

Period = Literal["day", "week"]
LENGTH = {"day": timedelta(days=1), "week": timedelta(days=7)}
STEP = {"day": timedelta(hours=1), "week": timedelta(hours=6)}
SENTIMENTS = ("negative", "neutral", "positive")


class DigestAlert(msgspec.Struct, frozen=True, kw_only=True):
    """An alert of the period, as the digest lists it."""

    id: int
    rule: str
    kind: str
    title: str
    status: str
    started_at: datetime
    link: str


class Digest(msgspec.Struct, kw_only=True):
    """What happened in a workspace over one period, against the period before.

    Every figure and ranking is of what others said: the signals of the workspace's own
    accounts are only counted, in `own`.
    """

    workspace: str
    period: Period
    start: datetime
    end: datetime
    volume: int
    previous: int
    sentiment: dict[str, int]
    topics: list[tuple[str, int]]
    channels: list[tuple[str, int]]
    terms: list[Term]
    alerts: list[DigestAlert]
    escalations: list[DigestAlert]
    engaging: list[Example]
    representative: list[Example]
    series: list[float]
    link: str
    own: int = 0  # signals of the workspace's own accounts in the period

    @property
    def change(self) -> float | None:
        """Relative change of the volume against the previous period (None without one)."""
        return (self.volume - self.previous) / self.previous if self.previous else None

    def chart(self, lang: str = "en", tz: ZoneInfo | None = None) -> bytes:
        """Signals per step over the period, its time ticks on the clock of `tz`."""
        return chart.png(self.series, end=self.end, step=STEP[self.period], lang=lang, tz=tz)


def gather(
    store: SQLiteStore, workspace: str, period: Period, end: datetime, *, base_url: str
) -> Digest:
    """The digest of the `period` ending at `end`."""
    length, step = LENGTH[period], STEP[period]
    end = end.astimezone(UTC)
    start = end - length
    base = base_url.rstrip("/")
    others = Filters(own=False)  # the brand's own posts are neither its buzz nor its best
    buckets = store.series(workspace, None, others, bucket=step, since=start, until=end)
    within = Filters(own=False, since=start, until=end)
    earlier = Filters(own=False, since=start - length, until=start)

    def count(query: str | None, filters: Filters) -> int:
        return store.search(workspace, query, filters, limit=1, count=True).total or 0

    sentiment = {label: count(f"sentiment:{label}", within) for label in SENTIMENTS}
    volume = count(None, within)
    sentiment["unknown"] = volume - sum(sentiment.values())  # not enriched (yet)
    facets = store.facets(workspace, None, within)
    window = store.search(workspace, None, within, limit=SAMPLE).signals
    past = store.search(workspace, None, earlier, limit=BASE_SAMPLE).signals
    window_terms = [terms_of(s) for s in window]
    terms = rising(window_terms, (terms_of(s) for s in past), top=10)
    book = WatchStore(store)
    raised = [
        DigestAlert(
            id=a.id,
            rule=a.rule,
            kind=a.kind,
            title=a.title,
            status=a.status,
            started_at=a.started_at,
            link=f"{base}/alerts/{a.id}?ws={workspace}",
        )
        for a in reversed(book.alerts(workspace, since=start, until=end, limit=500))
    ]
    return Digest(
        workspace=workspace,
        period=period,
        start=start,
        end=end,
        volume=volume,
        previous=count(None, earlier),
        sentiment={k: v for k, v in sentiment.items() if v},
        topics=Counter(facets.get("topic", {})).most_common(5),
        channels=Counter(facets.get("channel", {})).most_common(5),
        terms=terms,
        alerts=[a for a in raised if a.kind != "escalation"],
        escalations=[a for a in raised if a.kind == "escalation"],
        engaging=[_example(s, base) for s in _engaging(window)],
        representative=representative(window, window_terms, terms, base),
        series=[float(b.volume) for b in buckets],
        link=f"{base}/?ws={workspace}",
        own=count(None, Filters(own=True, since=start, until=end)),
    )


def due(now: datetime, *, hour: int, timezone: str, period: Period) -> datetime:
    """The next time a digest is due after `now`: `hour` local time (Mondays for a week)."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    day = local.date()
    while True:
        at = datetime.combine(day, time(hour), tzinfo=zone)
        if at > local and (period == "day" or at.weekday() == 0):
            return at.astimezone(now.tzinfo)
        day += timedelta(days=1)


async def schedule(
    settings: Alerts,
    send: Callable[[Period, datetime], Awaitable[object]],
    *,
    clock: Callable[[], datetime],
    sleep: Callable[[float], Awaitable[object]],
) -> None:
    """Call `send(period, end)` each time a digest is due, until cancelled (never if `off`)."""
    if settings.digest == "off":
        return
    period: Period = settings.digest
    while True:
        at = due(clock(), hour=settings.digest_hour, timezone=settings.timezone, period=period)
        while (left := (at - clock()).total_seconds()) > 0:
            await sleep(min(left, 3600.0))  # then the clock again: the host may have slept
        job = asyncio.ensure_future(send(period, at))
        try:
            await asyncio.shield(job)
        except asyncio.CancelledError:
            await asyncio.gather(job, return_exceptions=True)  # its thread reads the store
            raise
        except Exception:  # a failed digest must not stop the next ones; it is in the log
            log.exception("digest of %s not sent", at.isoformat())


def _engaging(signals: list[Signal], k: int = 3) -> list[Signal]:
    def reach(s: Signal) -> int:
        m = s.metrics
        return 0 if m is None else (m.likes or 0) + 2 * (m.shares or 0) + (m.replies or 0)

    ranked = sorted((s for s in signals if reach(s) > 0), key=lambda s: -reach(s))
    return ranked[:k]


def _example(s: Signal, base: str) -> Example:
    return Example(
        id=s.id,
        link=f"{base}/signals/{s.id}?ws={s.workspace}",
        text=(s.title + " — " if s.title else "") + s.text[:280],
        channel=s.channel,
        visibility=s.visibility,
        created_at=s.created_at,
        author=s.author_handle or s.author_name,
    )
