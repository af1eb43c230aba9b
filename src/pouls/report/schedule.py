"""Scheduled reports: when each is due (daily, weekly, monthly at a local hour of its
workspace's time zone, through daylight-saving changes) and its sending by e-mail as a PDF.

Runs inside `pouls up` beside the digest, with the same clock loop and the same e-mail sinks
(`watch.assemble.sinks_from`): each attempt is recorded and retried like an alert's, and each
issue is claimed in the store first, so a restart never sends it twice. An issue due while
pouls was stopped is sent at the next start if it is less than `CATCH_UP` late.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pouls.config import Settings
from pouls.config.reports import WEEKDAYS, Report
from pouls.query.period import Period
from pouls.report import NoData, ReportError
from pouls.report.content import gather
from pouls.report.mail import notice_of
from pouls.report.render import filename, pdf
from pouls.signals import utcnow
from pouls.sinks import Sink
from pouls.store.reports import Reports, SendStatus
from pouls.store.sqlite import SQLiteStore

log = logging.getLogger("pouls.report")

CATCH_UP = timedelta(hours=6)
LOOK = 60.0  # seconds between two looks at the reports (one made in the web app is taken up)


def occurrence(report: Report, local_day: date, tz: ZoneInfo) -> datetime | None:
    """The moment (UTC) the report is due on `local_day`, or None if it is not due that day.

    A local hour that does not exist (the spring change) is read with the offset before the
    change, i.e. the first moment after the gap; one that happens twice (autumn), the first.
    """
    if report.schedule == "off":
        return None
    if report.schedule == "weekly" and local_day.weekday() != WEEKDAYS.index(report.weekday):
        return None
    if report.schedule == "monthly" and local_day.day != report.monthday:
        return None
    return datetime.combine(local_day, time(report.hour), tzinfo=tz).astimezone(UTC)


def next_due(report: Report, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The first moment strictly after `now` the report is due (None when it is off)."""
    if report.schedule == "off":
        return None
    local = now.astimezone(tz).date() - timedelta(days=1)  # an hour that is still ahead today
    for offset in range(0, 64):
        at = occurrence(report, local + timedelta(days=offset), tz)
        if at is not None and at > now.astimezone(UTC):
            return at
    return None  # pragma: no cover - every schedule falls within 64 days


def last_due(report: Report, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The latest moment at or before `now` the report was due."""
    if report.schedule == "off":
        return None
    local = now.astimezone(tz).date() + timedelta(days=1)
    for offset in range(0, 64):
        at = occurrence(report, local - timedelta(days=offset), tz)
        if at is not None and at <= now.astimezone(UTC):
            return at
    return None  # pragma: no cover


def covered(report: Report, at: datetime, tz: ZoneInfo) -> Period:
    """What the issue due at `at` covers: the local day, week or month before it (23 or 25
    hours across a daylight-saving change, not 24)."""
    local = at.astimezone(tz)
    if report.schedule == "monthly":
        month = local.month - 1 or 12
        year = local.year - (local.month == 1)
        start = local.replace(year=year, month=month, tzinfo=None)
    else:
        back = 7 if report.schedule == "weekly" else 1
        start = local.replace(tzinfo=None) - timedelta(days=back)
    since = start.replace(tzinfo=tz).astimezone(UTC)
    return Period(since=since, until=at.astimezone(UTC))


class Scheduler:
    """Sends every scheduled report when it is due, until cancelled."""

    def __init__(
        self,
        settings: Settings,
        store: SQLiteStore,
        sinks: Mapping[str, Sink],
        *,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.settings, self.store, self.sinks = settings, store, sinks
        self.book = Reports(store)
        self.clock, self.sleep = clock, sleep

    def _zone(self, report: Report) -> ZoneInfo:
        ws = self.settings.workspace(report.workspace)
        return ZoneInfo(ws.timezone if ws else "UTC")

    async def run(self) -> None:
        """Take up pouls.toml's reports, catch up on issues missed while stopped, then send
        each one as it falls due."""
        workspaces = [w.id for w in self.settings.workspaces]
        await asyncio.to_thread(self.book.sync, self.settings.file.reports, workspaces)
        now = self.clock()
        for saved in await asyncio.to_thread(self.book.all):
            if not saved.report.sinks:
                continue  # scheduled, but to no one
            at = last_due(saved.report, now, self._zone(saved.report))
            if at is not None and now - at <= CATCH_UP:
                await self._guarded(saved.report, at)
        while True:
            now = self.clock()
            reports = [s.report for s in await asyncio.to_thread(self.book.all) if s.report.sinks]
            due = [(next_due(r, now, self._zone(r)), r) for r in reports]
            soon = min((at for at, _ in due if at is not None), default=None)
            if soon is None or (soon - now).total_seconds() > LOOK:
                await self.sleep(LOOK)  # then the reports again: one may have been added
                continue
            await self.sleep(max((soon - now).total_seconds(), 0.0))
            for at, report in due:
                if at == soon:
                    await self._guarded(report, at)

    async def _guarded(self, report: Report, at: datetime) -> None:
        try:
            await self.send(report, at)
        except Exception:  # one report's failure must not stop the others; it is in the log
            log.exception("report %s/%s of %s not sent", report.workspace, report.name, at)

    async def send(self, report: Report, at: datetime) -> SendStatus | None:
        """Make the issue due at `at` and e-mail it; returns how it ended (None: sent before)."""
        period = covered(report, at, self._zone(report))
        if not await asyncio.to_thread(self.book.claim, report, at, period.since, period.until):
            return None
        saved = await asyncio.to_thread(self.book.get, report.workspace, report.name)
        summary = saved.summary if saved else ""
        try:
            content = await asyncio.to_thread(
                gather, self.store, self.settings, report, period, summary=summary
            )
            document = await asyncio.to_thread(pdf, content)
        except NoData as exc:  # nothing happened: no mail, and no empty report
            await asyncio.to_thread(self.book.finish, report, at, "empty", exc.text("en"))
            return "empty"
        except ReportError as exc:
            log.error("report %s/%s not made: %s", report.workspace, report.name, exc)
            await asyncio.to_thread(self.book.finish, report, at, "failed", exc.text("en"))
            return "failed"
        notice = notice_of(content, document, filename(content, "pdf"))
        answers, ok = [], True
        for name in report.sinks:
            sink = self.sinks.get(name)
            if sink is None:
                answers.append(f"{name}: no such sink")
                ok = False
                continue
            delivery = await sink.send(notice)  # retried and recorded as every notice is
            ok = ok and delivery.status == "sent"
            answers.append(
                f"{name}: {delivery.status}" + (f" ({delivery.error})" if delivery.error else "")
            )
        status: SendStatus = "sent" if ok and report.sinks else "failed"
        detail = "; ".join(answers) or "no sink named in `sinks`"
        await asyncio.to_thread(self.book.finish, report, at, status, detail)
        return status
