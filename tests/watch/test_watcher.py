"""The live watcher: the demo imported through the pipeline raises one alert that updates,
recorded with its explanation and delivered, signed, to a webhook; the same as a replay."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from pouls import pipeline
from pouls.config import Alerts, Rule
from pouls.sinks.webhook import WebhookSink
from pouls.sources.files import FileSource
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.delivery import recorder
from pouls.watch.explain import Explanation
from pouls.watch.replay import replay
from pouls.watch.watcher import Watcher
from tests.conftest import make_signal
from tests.loopback import Loopback, Reply
from tests.watch import badbuzz

SECRET = "it-is-a-secret"


def receiver() -> Loopback:
    hooks = Loopback()

    def hook(request) -> Reply:  # type: ignore[no-untyped-def]
        expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(request.headers.get("X-Pouls-Signature", ""), expected)
        return Reply(204 if ok else 401)

    hooks.routes["POST /hook"] = hook
    return hooks.start()


async def test_demo_bad_buzz_raises_one_explained_alert_live_and_delivers_it(
    tmp_path: Path,
) -> None:
    recs = badbuzz.write(tmp_path / "demo.jsonl")
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    hooks = receiver()
    rule = msgspec.structs.replace(badbuzz.RULE, sinks=["hook"])
    sink = WebhookSink(
        "hook", hooks.url + "/hook", secret=SECRET, backoff=0.01, on_attempt=recorder(book)
    )
    watcher = Watcher(
        [rule],
        store,
        sinks={"hook": sink},
        alerts=Alerts(base_url="http://pouls.test"),
        clock=lambda: badbuzz.END + timedelta(days=1),
    )
    source = FileSource(name="demo", workspace=badbuzz.WORKSPACE, path=tmp_path / "demo.jsonl")
    await pipeline.run([source], store, listeners=[watcher.listener])
    await watcher.drain()
    hooks.stop()

    alerts = book.alerts(badbuzz.WORKSPACE)
    assert len(alerts) == 1
    alert = alerts[0]
    peak = badbuzz.public_peak(recs)
    assert badbuzz.first(recs, "public") < alert.started_at < peak
    assert alert.status == "closed"
    changes = [c.change for c in book.history(badbuzz.WORKSPACE, alert.id)]
    assert changes[0] == "opened" and changes[-1] == "closed" and "updated" in changes
    explanation = msgspec.json.decode(alert.explanation or b"", type=Explanation)
    assert "intoxication" in [t.term for t in explanation.terms]
    assert explanation.examples[0].link.startswith("http://pouls.test/signals/")

    # The same code on history: the replay opens the alert at the same moment.
    replayed = replay(store, rule, since=badbuzz.SINCE, until=badbuzz.END)
    assert [a.opened.at for a in replayed] == [alert.started_at]

    posted = [r.json() for r in hooks.received("POST", "/hook")]
    assert [p["change"] for p in posted] == changes
    assert posted[0]["alert_id"] == alert.id and posted[0]["explanation"]["terms"]
    deliveries = book.deliveries(badbuzz.WORKSPACE, alert_id=alert.id)
    assert len(deliveries) == len(changes) and all(d.ok and d.final for d in deliveries)
    store.close()


async def test_quiet_hours_hold_the_delivery_and_record_it(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    now = datetime(2026, 10, 1, 23, 0, tzinfo=UTC)  # 01:00 in Paris
    rule = Rule(
        name="vip",
        workspace="acme",
        kind="match",
        query="journaliste",
        quiet_hours="22:00-07:00",
        sinks=["hook"],
    )
    sent = []

    class Hook:
        name = "hook"

        async def send(self, action):  # type: ignore[no-untyped-def]
            sent.append(action)
            from pouls.sinks import Delivery

            return Delivery(status="sent")

    clock = [now]
    watcher = Watcher([rule], store, sinks={"hook": Hook()}, clock=lambda: clock[0])
    signal = make_signal(1, "Une journaliste du Monde vous cite", created_at=now)
    store.put([signal])
    watcher.listener([signal])
    await watcher.drain()
    assert sent == []
    held = book.deliveries("acme")
    assert len(held) == 1 and held[0].detail and held[0].detail.startswith("held: quiet hours")
    clock[0] = now + timedelta(hours=8)
    await watcher.drain()
    assert len(sent) == 1 and sent[0].change == "opened"
    store.close()


def test_watcher_memory_is_bounded_to_open_buckets(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "pouls.db")
    rule = Rule(name="all", workspace="acme", bucket=15)
    watcher = Watcher([rule], store)
    t0 = datetime(2026, 10, 1, tzinfo=UTC)
    for n in range(0, 24 * 60, 3):
        watcher.listener([make_signal(n, "x", created_at=t0 + timedelta(minutes=n))])
    live = next(iter(watcher._rules.values()))
    assert len(live.tallies) <= 2
    assert json.dumps(len(watcher.firings)) is not None
    store.close()
