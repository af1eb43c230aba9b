"""The digest on the demo's bad buzz: what it gathers, its words, its schedule at the local
hour with an injected clock, and its e-mail to a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from pouls.config import Alerts, load
from pouls.sinks.alert_email import EmailNotices
from pouls.sinks.email import SmtpSink
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.delivery import recorder
from pouls.watch.digest import due, gather
from pouls.watch.messages import digest_notice
from pouls.watch.watcher import Watcher
from tests.cli.test_commands import pouls
from tests.watch import badbuzz

DAY_END = datetime(2026, 9, 20, 12, 0, tzinfo=UTC)  # the morning the bad buzz went public


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo imported once, with one alert and one escalation raised that day."""
    home = tmp_path_factory.mktemp("home")
    badbuzz.write(home / "demo.jsonl")
    store = SQLiteStore(home / "pouls.db")
    badbuzz.load(store, home / "demo.jsonl")
    book = WatchStore(store)
    for kind, title in [("spike", "Pic : intoxication"), ("escalation", "Escalade : tarte")]:
        book.open_alert(
            "demo",
            rule="intoxication" if kind == "spike" else "crisis",
            kind=kind,
            title=title,
            at=DAY_END - timedelta(hours=7),
            observed=40,
            baseline=2,
            score=0.9,
        )
    store.close()
    yield home


def test_digest_compares_the_day_and_lists_what_mattered(demo: Path) -> None:
    store = SQLiteStore(demo / "pouls.db")
    d = gather(store, "demo", "day", DAY_END, base_url="http://pouls.test")
    before = gather(store, "demo", "day", DAY_END - timedelta(days=1), base_url="http://pouls.test")
    store.close()
    assert d.previous == before.volume and d.volume > d.previous  # the buzz raised the volume
    assert d.change is not None and d.change > 0
    assert len(d.series) == 24 and sum(d.series) == d.volume
    assert sum(d.sentiment.values()) == d.volume  # labels, and `unknown` where not enriched
    assert "intoxication" in [t.term for t in d.terms]
    assert [a.title for a in d.alerts] == ["Pic : intoxication"]
    assert [a.title for a in d.escalations] == ["Escalade : tarte"]
    assert d.representative and d.representative[0].link.startswith("http://pouls.test/signals/")
    assert 0 < sum(n for _, n in d.channels) <= d.volume and len(d.channels) <= 5

    fr, en = digest_notice(d, "fr"), digest_notice(d, "en")
    assert fr.subject.startswith("Résumé du jour · demo") and "Termes en hausse" in fr.text
    assert en.subject.startswith("Daily digest · demo") and "Rising terms" in en.text
    assert "Pic : intoxication (open)" in en.text and "Escalations:" in en.text
    assert en.images["chart"].startswith(b"\x89PNG") and 'src="cid:chart"' in (en.html or "")
    assert d.representative[0].link in en.text and d.representative[0].link in (en.html or "")


def test_the_digest_is_due_at_the_local_hour() -> None:
    summer = datetime(2026, 9, 20, 5, 0, tzinfo=UTC)  # 07:00 in Paris
    assert due(summer, hour=8, timezone="Europe/Paris", period="day") == summer + timedelta(hours=1)
    later = summer + timedelta(hours=2)
    assert due(later, hour=8, timezone="Europe/Paris", period="day") == summer + timedelta(
        days=1, hours=1
    )
    week = due(summer, hour=8, timezone="Europe/Paris", period="week")  # a Sunday: next Monday
    assert week == summer + timedelta(days=1, hours=1) and week.weekday() == 0
    winter = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert due(winter, hour=8, timezone="Europe/Paris", period="day").hour == 7  # UTC+1


async def test_the_watcher_sends_the_digest_by_email_when_due(
    demo: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    store = SQLiteStore(demo / "pouls.db")
    book = WatchStore(store)
    sink = EmailNotices(
        "team",
        SmtpSink(host="127.0.0.1", port=port, security="none", sender="pouls@acme.test"),
        to=["direction@acme.test"],
        backoff=0.01,
        on_attempt=recorder(book),
    )
    now = [datetime(2026, 9, 20, 3, 0, tzinfo=UTC)]  # 05:00 in Paris
    naps: list[float] = []

    async def sleep(seconds: float) -> None:  # the clock moves on, nobody waits
        if now[0] >= datetime(2026, 9, 20, 7, 0, tzinfo=UTC):  # one digest is enough
            await asyncio.Event().wait()
        naps.append(seconds)
        now[0] += timedelta(seconds=seconds)
        await asyncio.sleep(0)

    settings = Alerts(
        digest="day", digest_sinks=["team"], digest_hour=8, lang="en", base_url="http://pouls.test"
    )
    watcher = Watcher(
        [],
        store,
        sinks={"team": sink},
        alerts=settings,
        clock=lambda: now[0],
        sleep=sleep,
        workspaces=["demo"],
        timezones={"demo": "Europe/Paris"},
    )
    running = asyncio.ensure_future(watcher.run())
    for _ in range(500):
        if inbox.messages:
            break
        await asyncio.sleep(0.01)
    await watcher.close()
    await running
    assert naps and max(naps) <= 3600  # slept towards 08:00 Paris, looking at the clock hourly
    msg = email.message_from_bytes(inbox.messages[0], policy=policy.default)
    assert msg["Subject"] == (  # on the workspace's clock: 08:00 in Paris
        "[pouls] Daily digest · demo · Sep 19, 2026, 8:00\u202fAM → Sep 20, 2026, 8:00\u202fAM CEST"
    )
    assert "Rising terms" in msg.get_body(("plain",)).get_content()
    assert "<h2>Daily digest" in msg.get_body(("html",)).get_content()
    assert [p.get_content_type() for p in msg.walk()].count("image/png") == 1
    sent = [d for d in book.deliveries("demo") if d.alert_id is None]
    assert [(d.sink, d.ok, d.final) for d in sent] == [("team", True, True)]
    assert sent[0].subject.startswith("Daily digest · demo")
    store.close()


def test_pouls_digest_prints_the_text_or_sends_it(demo: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    (demo / "pouls.toml").write_text(
        f"""
[[workspaces]]
id = "demo"

[[sinks]]
type = "email"
name = "team"
host = "127.0.0.1"
port = {port}
security = "none"
sender = "pouls@acme.test"
to = ["direction@acme.test"]

[alerts]
lang = "en"
digest_sinks = ["team"]
""",
        encoding="utf-8",
    )
    assert load(demo, environ={}).database_path == demo / "pouls.db"
    end = "2026-09-20T14:00+02:00"
    printed = pouls(demo, "digest", "-w", "demo", "--end", end)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith(  # the workspace's clock: Europe/Paris by default
        "Daily digest · demo · Sep 19, 2026, 2:00\u202fPM → Sep 20, 2026, 2:00\u202fPM CEST"
    )
    assert "intoxication" in printed.stdout and inbox.messages == []
    weekly = pouls(demo, "digest", "-w", "demo", "--period", "week", "--end", end, "--send")
    assert weekly.returncode == 0, weekly.stderr
    assert "Digest sent to team" in weekly.stdout and len(inbox.messages) == 1
    assert (
        "Weekly digest"
        in email.message_from_bytes(inbox.messages[0], policy=policy.default)["Subject"]
    )
