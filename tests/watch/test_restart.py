"""A restarted watcher takes up the alerts it left open: a bucket rule's alert keeps updating
while its episode goes on and closes once (with its notice) when it ends, even if it ended
while pouls was down; an alert whose rule was removed closes at start with a note."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from pouls import pipeline
from pouls.config import Rule
from pouls.sinks import Delivery
from pouls.sinks.notice import Notice
from pouls.sources.files import FileSource
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.restart import REPLACED, RULE_REMOVED
from pouls.watch.watcher import Watcher
from tests.conftest import make_signal
from tests.watch import badbuzz

WS = "acme"
T0 = datetime(2026, 3, 2, tzinfo=UTC)
RULE = Rule(
    name="surge",
    workspace=WS,
    kind="threshold",
    threshold=20,
    window=60,
    bucket=60,
    cooldown=120,
    sinks=["hook"],
)
MATCH = Rule(name="vip", workspace=WS, kind="match", query="journaliste", sinks=["hook"])


class Hook:
    """A sink that keeps what it is sent."""

    name = "hook"

    def __init__(self) -> None:
        self.sent: list[Notice] = []

    async def send(self, notice: Notice) -> Delivery:
        self.sent.append(notice)
        return Delivery(status="sent")


def hours(counts: dict[int, int], start: int = 0) -> list:
    """`counts[h]` signals spread over hour `h` after T0 (numbered from `start`)."""
    out = []
    n = start
    for h, count in sorted(counts.items()):
        for i in range(count):
            at = T0 + timedelta(hours=h, seconds=1 + i * 3590 // count)
            out.append(make_signal(n, "une ruée sur les croissants", created_at=at))
            n += 1
    return out


async def feed(store: SQLiteStore, watcher: Watcher, signals: list) -> None:
    for i in range(0, len(signals), 20):
        batch = signals[i : i + 20]
        store.put(batch)
        watcher.listener(batch)
    await watcher.drain()


async def first_run(store: SQLiteStore) -> tuple[Hook, int]:
    """Quiet hours, then a surge from 06:00 that is still going when pouls stops at 09:05."""
    hook = Hook()
    watcher = Watcher([RULE], store, sinks={"hook": hook})
    busy = {h: 2 for h in range(6)} | {6: 30, 7: 35, 8: 32, 9: 1}
    await feed(store, watcher, hours(busy))
    await watcher.close()
    alert = WatchStore(store).alerts(WS, status="open")[0]  # the newest
    assert alert.started_at == T0 + timedelta(hours=7)
    assert [n.change for n in hook.sent] == ["opened", "updated"]
    return hook, alert.id


def changes(store: SQLiteStore, alert_id: int) -> list[str]:
    return [c.change for c in WatchStore(store).history(WS, alert_id)]


async def test_a_restart_mid_episode_keeps_one_alert_that_updates_then_closes_once(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(tmp_path / "pouls.db")
    _, alert_id = await first_run(store)

    hook = Hook()
    again = Watcher([RULE], store, sinks={"hook": hook})
    again.prime(now=T0 + timedelta(hours=9, minutes=10))
    await again.drain()
    assert hook.sent == []  # nothing new: what the replay finds was told before the stop
    await feed(store, again, hours({9: 40} | {h: 2 for h in range(10, 16)}, start=1000))

    [alert] = WatchStore(store).alerts(WS)  # the same alert, no second one
    assert alert.id == alert_id and alert.status == "closed"
    assert changes(store, alert_id) == ["opened", "updated", "updated", "closed"]
    assert alert.observed == 40  # the new high, told on the alert taken up
    assert alert.closed_at == T0 + timedelta(hours=13)  # 2 h cool-down after the 09:00 step
    assert [(n.change, n.alert_id) for n in hook.sent] == [
        ("updated", alert_id),
        ("closed", alert_id),
    ]
    store.close()


async def test_a_restarted_watcher_closes_an_alert_once_quiet_data_comes(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "pouls.db")
    _, alert_id = await first_run(store)

    hook = Hook()
    again = Watcher([RULE], store, sinks={"hook": hook})
    again.prime(now=T0 + timedelta(hours=9, minutes=10))
    await feed(store, again, hours({h: 2 for h in range(9, 20)}, start=1000))

    alert = WatchStore(store).alert(WS, alert_id)
    assert alert is not None and alert.status == "closed"
    assert alert.closed_at == T0 + timedelta(hours=12)
    assert changes(store, alert_id).count("closed") == 1
    assert [n.change for n in hook.sent] == ["closed"]
    assert "Alerte terminée" in hook.sent[0].subject
    store.close()


async def test_an_episode_that_ended_while_pouls_was_down_closes_at_start(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(tmp_path / "pouls.db")
    _, alert_id = await first_run(store)

    hook = Hook()
    again = Watcher([RULE], store, sinks={"hook": hook})
    again.prime(now=T0 + timedelta(days=2))  # nothing stored while down
    await again.drain()
    await feed(store, again, hours({h: 2 for h in range(48, 52)}, start=1000))

    alert = WatchStore(store).alert(WS, alert_id)
    assert alert is not None and alert.status == "closed"
    assert alert.closed_at == T0 + timedelta(hours=12)  # when it went quiet, not at start
    assert changes(store, alert_id) == ["opened", "updated", "closed"]
    assert [n.change for n in hook.sent] == ["closed"]
    assert len(WatchStore(store).alerts(WS)) == 1
    store.close()


async def test_an_alert_whose_rule_was_removed_closes_at_start_with_a_note(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(tmp_path / "pouls.db")
    _, alert_id = await first_run(store)
    now = T0 + timedelta(hours=10)

    hook = Hook()
    again = Watcher([MATCH], store, sinks={"hook": hook})
    again.prime(now=now)
    await again.drain()

    book = WatchStore(store)
    alert = book.alert(WS, alert_id)
    assert alert is not None and alert.status == "closed" and alert.closed_at == now
    last = book.history(WS, alert_id)[-1]
    assert (last.change, last.note) == ("closed", RULE_REMOVED)
    assert hook.sent == []  # the rule and its sinks are gone: nobody to tell
    again.prime(now=now + timedelta(hours=1))  # a second start changes nothing
    assert changes(store, alert_id).count("closed") == 1
    store.close()


async def test_a_match_alert_left_open_closes_after_its_cooldown(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "pouls.db")
    at = T0 + timedelta(hours=1)
    hook = Hook()
    watcher = Watcher([MATCH], store, sinks={"hook": hook})
    await feed(store, watcher, [make_signal(1, "Une journaliste vous cite", created_at=at)])
    await watcher.close()
    [alert] = WatchStore(store).alerts(WS, status="open")

    again = Watcher([MATCH], store, sinks={"hook": hook})
    again.prime(now=at + timedelta(days=1))
    await again.drain()
    closed = WatchStore(store).alert(WS, alert.id)
    assert closed is not None and closed.status == "closed"
    assert closed.closed_at == at + timedelta(minutes=MATCH.cooldown)
    assert [n.change for n in hook.sent] == ["opened", "closed"]
    store.close()


async def test_an_older_alert_left_open_beside_a_newer_one_is_closed_as_replaced(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    stale = book.open_alert(
        WS, rule=RULE.name, kind=RULE.kind, title="old", at=T0, observed=25, baseline=20, score=1
    )
    _, alert_id = await first_run(store)

    again = Watcher([RULE], store, sinks={"hook": Hook()})
    again.prime(now=T0 + timedelta(hours=9, minutes=10))
    await again.drain()
    old = book.history(WS, stale)[-1]
    assert (old.change, old.note) == ("closed", REPLACED)
    assert [a.id for a in book.alerts(WS, status="open")] == [alert_id]
    store.close()


async def test_the_demo_bad_buzz_stopped_at_its_peak_still_makes_one_alert(
    tmp_path: Path,
) -> None:
    recs = badbuzz.records()
    cut = badbuzz.public_peak(recs) + timedelta(hours=1)
    parts = {"before": tmp_path / "before.jsonl", "after": tmp_path / "after.jsonl"}
    for name, path in parts.items():
        part = [
            r for r in recs if (datetime.fromisoformat(r["created_at"]) < cut) == (name == "before")
        ]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part))
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    rule = msgspec.structs.replace(badbuzz.RULE, sinks=["hook"])

    hook = Hook()
    first = Watcher([rule], store, sinks={"hook": hook})
    await pipeline.run([source("before", parts)], store, listeners=[first.listener])
    await first.close()
    [opened] = book.alerts(badbuzz.WORKSPACE, status="open")

    again = Watcher([rule], store, sinks={"hook": hook})
    again.prime(now=cut)
    await pipeline.run([source("after", parts)], store, listeners=[again.listener])
    again._emit(again.advance(badbuzz.END + timedelta(days=1)))
    await again.drain()

    [alert] = book.alerts(badbuzz.WORKSPACE)
    assert alert.id == opened.id and alert.status == "closed"
    lines = [c.change for c in book.history(badbuzz.WORKSPACE, alert.id)]
    assert lines[0] == "opened" and lines.count("closed") == 1 and lines[-1] == "closed"
    assert [n.change for n in hook.sent].count("opened") == 1
    assert [n.change for n in hook.sent][-1] == "closed"
    store.close()


def source(name: str, parts: dict[str, Path]) -> FileSource:
    return FileSource(name=name, workspace=badbuzz.WORKSPACE, path=parts[name])
