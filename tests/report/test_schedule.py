"""When scheduled reports are due in their workspace's time zone, through daylight-saving
changes, and their sending by e-mail to a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
import pytest
from aiosmtpd.controller import Controller
from hypothesis import given, settings
from hypothesis import strategies as st

from pouls.config import Report, load
from pouls.config.reports import WEEKDAYS
from pouls.report.schedule import Scheduler, covered, last_due, next_due
from pouls.store.reports import Reports
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.assemble import sinks_from
from pouls.watch.delivery import recorder
from tests.report.conftest import pdf_text, write_home
from tests.sinks.test_email import Inbox
from tests.sources.dovecot import free_port

PARIS = ZoneInfo("Europe/Paris")


def _report(**kw: object) -> Report:
    values: dict[str, object] = {"name": "hebdo", "workspace": "acme", "schedule": "weekly"}
    values.update(kw)
    return msgspec.convert(values, Report)


def test_weekly_is_due_on_its_weekday_at_the_local_hour() -> None:
    report = _report(weekday="monday", hour=8)
    now = datetime(2026, 12, 7, 6, 59, tzinfo=UTC)  # Monday 07:59 in Paris (UTC+1)
    assert next_due(report, now, PARIS) == datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    after = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # due now: the next one is a week on
    assert next_due(report, after, PARIS) == datetime(2026, 12, 14, 7, 0, tzinfo=UTC)
    assert last_due(report, after, PARIS) == after


def test_daily_follows_the_local_hour_across_daylight_saving_changes() -> None:
    report = _report(schedule="daily", hour=8)
    # Spring: on 29 March 2026 Paris moves from UTC+1 to UTC+2.
    before = next_due(report, datetime(2026, 3, 28, 12, 0, tzinfo=UTC), PARIS)
    after = next_due(report, datetime(2026, 3, 29, 12, 0, tzinfo=UTC), PARIS)
    assert before == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 summer time
    assert after == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    # Autumn: on 25 October 2026 back to UTC+1; still 08:00 on the wall clock.
    autumn = next_due(report, datetime(2026, 10, 24, 12, 0, tzinfo=UTC), PARIS)
    assert autumn == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)
    # The issue sent that morning covers the local day before it: 25 hours, not 24.
    span = covered(report, autumn, PARIS)
    assert span.until - span.since == timedelta(hours=25)
    assert span.since.astimezone(PARIS).hour == 8


def test_an_hour_that_does_not_exist_is_sent_just_after_the_gap() -> None:
    report = _report(schedule="daily", hour=2)  # 02:00-03:00 is skipped on 29 March in Paris
    due = next_due(report, datetime(2026, 3, 28, 12, 0, tzinfo=UTC), PARIS)
    assert due == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 summer time
    assert due.astimezone(PARIS).hour == 3


def test_monthly_covers_the_month_before() -> None:
    report = _report(schedule="monthly", monthday=1, hour=9)
    due = next_due(report, datetime(2026, 12, 7, tzinfo=UTC), PARIS)
    assert due == datetime(2027, 1, 1, 8, 0, tzinfo=UTC)
    span = covered(report, due, PARIS)
    assert span.since == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert covered(report, datetime(2026, 1, 1, 8, tzinfo=UTC), PARIS).since.month == 12


def test_off_is_never_due() -> None:
    report = _report(schedule="off")
    assert next_due(report, datetime(2026, 12, 7, tzinfo=UTC), PARIS) is None


@settings(max_examples=150, derandomize=True, deadline=None)
@given(
    now=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)),
    every=st.sampled_from(["daily", "weekly", "monthly"]),
    hour=st.integers(0, 23),
    weekday=st.sampled_from(WEEKDAYS),
    monthday=st.integers(1, 28),
    zone=st.sampled_from(["Europe/Paris", "America/Montreal", "Pacific/Noumea", "UTC"]),
)
def test_next_due_is_the_first_matching_local_moment_after_now(
    now: datetime, every: str, hour: int, weekday: str, monthday: int, zone: str
) -> None:
    tz = ZoneInfo(zone)
    moment = now.replace(tzinfo=UTC)
    report = _report(schedule=every, hour=hour, weekday=weekday, monthday=monthday)
    due = next_due(report, moment, tz)
    assert due is not None and moment < due <= moment + timedelta(days=32)
    local = due.astimezone(tz)
    assert local.hour in (hour, (hour + 1) % 24)  # + 1 only in a spring-forward gap
    if every == "weekly":
        assert local.weekday() == WEEKDAYS.index(weekday)
    if every == "monthly":
        assert local.day == monthday
    # Nothing was due in between: the previous one is at or before now.
    previous = last_due(report, moment, tz)
    assert previous is not None and previous <= moment < due


# -- sending ----------------------------------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


SINK = """
[[sinks]]
type = "email"
name = "equipe"
host = "127.0.0.1"
port = {port}
security = "none"
sender = "pouls <pouls@acme.example>"
to = ["direction@acme.example", "com@acme.example"]

[alerts]
attempts = 2
backoff = 0.01
"""


def _scheduler(home: Path, store: SQLiteStore, port: int) -> Scheduler:
    write_home(home, SINK.format(port=port))
    text = (home / "pouls.toml").read_text(encoding="utf-8")
    text = text.replace(
        'lang = "fr"\n',
        'lang = "fr"\nschedule = "weekly"\nweekday = "thursday"\nsinks = ["equipe"]\n',
        1,
    )
    (home / "pouls.toml").write_text(text, encoding="utf-8")
    cfg = load(home, environ={})
    Reports(store).sync(cfg.file.reports, ["acme", "globex"])
    return Scheduler(cfg, store, sinks_from(cfg, recorder(WatchStore(store))))


# Thursday 8 October 2026, 08:00 in Paris: the issue covers 1-8 October.
DUE = datetime(2026, 10, 8, 6, 0, tzinfo=UTC)


async def test_a_due_report_is_mailed_once_as_a_pdf(
    home: Path, store: SQLiteStore, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    scheduler = _scheduler(home, store, port)
    Reports(store).write_summary("acme", "hebdo", "Une semaine chargée en livraisons.")
    report = Reports(store).get("acme", "hebdo")
    assert report is not None
    assert await scheduler.send(report.report, DUE) == "sent"
    assert await scheduler.send(report.report, DUE) is None  # claimed: never twice
    assert len(inbox.received) == 1
    sender, recipients, raw = inbox.received[0]
    assert sender == "pouls@acme.example"
    assert recipients == ["direction@acme.example", "com@acme.example"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "[pouls] La semaine d'ACME, du 1 octobre 2026 au 8 octobre 2026"
    assert (
        "Le rapport La semaine d'ACME est joint en PDF."
        in message.get_body(("plain",)).get_content()
    )
    [attached] = list(message.iter_attachments())
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_filename() == "hebdo-2026-10-01-2026-10-08.pdf"
    pages, text = pdf_text(attached.get_content())
    assert pages >= 1 and "Une semaine chargée en livraisons." in text
    [send] = Reports(store).sends("acme", "hebdo")
    assert (send.status, send.due_at) == ("sent", DUE)
    assert send.detail == "equipe: sent"
    deliveries = WatchStore(store).deliveries("acme")
    assert [(d.sink, d.ok, d.final) for d in deliveries] == [("equipe", True, True)]


async def test_a_refused_mail_is_retried_then_recorded_as_failed(
    home: Path, store: SQLiteStore, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse = ["451 try again later", "554 mailbox unavailable"]
    scheduler = _scheduler(home, store, port)
    report = Reports(store).get("acme", "hebdo")
    assert report is not None
    assert await scheduler.send(report.report, DUE) == "failed"
    assert inbox.received == []
    [send] = Reports(store).sends("acme", "hebdo")
    assert send.status == "failed" and "equipe: failed" in (send.detail or "")
    attempts = WatchStore(store).deliveries("acme")
    assert [(d.attempt, d.ok) for d in reversed(attempts)] == [(1, False), (2, False)]


async def test_a_week_without_signals_sends_nothing(
    home: Path, store: SQLiteStore, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    scheduler = _scheduler(home, store, port)
    report = Reports(store).get("acme", "hebdo")
    assert report is not None
    quiet = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert await scheduler.send(report.report, quiet) == "empty"
    assert inbox.received == []  # no empty report announced
    [send] = Reports(store).sends("acme", "hebdo")
    assert send.status == "empty" and (send.detail or "").startswith("No signal matches")


async def test_run_catches_up_an_issue_missed_while_stopped(
    home: Path, store: SQLiteStore, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    scheduler = _scheduler(home, store, port)
    scheduler.clock = lambda: DUE + timedelta(hours=2)  # started two hours after it was due

    async def stop(seconds: float) -> None:
        raise RuntimeError("stopped")  # the loop's first wait: enough seen

    scheduler.sleep = stop
    with pytest.raises(RuntimeError):
        await scheduler.run()
    assert len(inbox.received) == 1
    assert [s.due_at for s in Reports(store).sends("acme", "hebdo")] == [DUE]
