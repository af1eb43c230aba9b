"""Crisis escalations live: the demo imported through the pipeline tells the crisis sinks once
per story and level, the scam wave (public first) stays quiet, and a restart repeats nothing;
an escalation closes once its story has been quiet for a day, live and after a restart."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import msgspec

from pouls import pipeline
from pouls.config import load
from pouls.sinks.webhook import WebhookSink
from pouls.sources.files import FileSource
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.assemble import start
from pouls.watch.delivery import recorder
from pouls.watch.escalation import CrisisWatch
from pouls.watch.explain import Explanation
from pouls.watch.watcher import Watcher
from tests.loopback import Loopback, Reply
from tests.watch import badbuzz


def receiver() -> Loopback:
    hooks = Loopback()
    hooks.routes["POST /crisis"] = lambda request: Reply(204)
    return hooks.start()


def crisis_config(url: str, alerts: str = "") -> str:
    """A pouls.toml for the demo workspace whose crisis notices go to the loopback webhook."""
    return f"""
[[workspaces]]
id = "demo"

[[sinks]]
type = "webhook"
name = "crisis"
url = "{url}/crisis"

[alerts]
crisis_sinks = ["crisis"]
{alerts}"""


def watcher_for(store: SQLiteStore, url: str) -> Watcher:
    book = WatchStore(store)
    sink = WebhookSink("crisis", url, backoff=0.01, on_attempt=recorder(book))
    crisis = CrisisWatch(
        store,
        workspaces=[badbuzz.WORKSPACE],
        sinks=["crisis"],
        lang="en",
        base_url="http://pouls.test",
    )
    return Watcher([], store, sinks={"crisis": sink}, crisis=crisis)


async def test_escalations_are_told_live_once_per_story_and_level(tmp_path: Path) -> None:
    recs = badbuzz.write(tmp_path / "demo.jsonl")
    scam_texts = {r["text"] for r in recs if r.get("demo_story") == "scam"}
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    hooks = receiver()
    watcher = watcher_for(store, hooks.url + "/crisis")
    source = FileSource(name="demo", workspace=badbuzz.WORKSPACE, path=tmp_path / "demo.jsonl")
    await pipeline.run([source], store, listeners=[watcher.listener])
    await watcher.drain()

    raised = {a.id: a for a in book.alerts(badbuzz.WORKSPACE)}
    assert raised and all(a.kind == "escalation" and a.rule == "crisis" for a in raised.values())
    everything = [r.json() for r in hooks.received("POST", "/crisis")]
    posted = [p for p in everything if p["change"] == "opened"]
    assert sorted(p["alert_id"] for p in posted) == sorted(raised)  # each told once
    steps = [(p["story"], p["target"]) for p in posted]
    assert len(set(steps)) == len(steps)
    assert all(d.ok and d.final for d in book.deliveries(badbuzz.WORKSPACE))

    lille = [p for p in posted if "intoxication" in p["terms"]]
    first = lille[0]["story"]
    assert [p["target"] for p in lille if p["story"] == first] == ["public", "press"]
    up = raised[lille[0]["alert_id"]]
    assert "from private messages to public posts" in up.title
    assert badbuzz.first(recs, "private") < up.started_at < badbuzz.public_peak(recs)
    explained = msgspec.json.decode(up.explanation or b"", type=Explanation)
    assert "press" not in explained.visibility  # the story as it was when it escalated
    assert explained.examples[0].visibility == "private"

    # The stories went quiet days before the history ends: each escalation closed, once, a day
    # after its story's last signal.
    ended = [p for p in everything if p["change"] == "closed"]
    assert sorted(p["alert_id"] for p in ended) == sorted(raised)
    for p in ended:
        a = book.alert(badbuzz.WORKSPACE, p["alert_id"])
        assert a is not None and a.status == "closed" and a.closed_at is not None
        last = datetime.fromisoformat(p["last"])
        assert a.closed_at == last + timedelta(hours=24) and last >= a.started_at
        changes = [c.change for c in book.history(badbuzz.WORKSPACE, a.id)]
        assert changes == ["opened", "closed"]
        assert "over" in p["subject"] and "No new signal in the story" in p["text"]

    for a in raised.values():  # the scam wave came out in public first: no overflow
        e = msgspec.json.decode(a.explanation or b"", type=Explanation)
        assert not {x.text for x in e.examples} & scam_texts, a.title

    # `pouls up` restarted just after the press article: the watcher it assembles finds the
    # same escalations while warming up, and tells nobody again.
    (tmp_path / "pouls.toml").write_text(crisis_config(hooks.url), encoding="utf-8")
    press_at = max(raised[p["alert_id"]].started_at for p in lille)
    again = start(load(tmp_path, environ={}), store, clock=lambda: press_at + timedelta(hours=1))
    assert again.crisis is not None and again.crisis.sinks == ["crisis"]
    assert again._queue.qsize() >= 1  # found again while warming up
    await again.drain()
    hooks.stop()
    assert len(hooks.received("POST", "/crisis")) == len(everything)
    assert len(book.alerts(badbuzz.WORKSPACE)) == len(raised)
    store.close()


async def test_an_escalation_open_at_a_restart_closes_when_its_story_went_quiet(
    tmp_path: Path,
) -> None:
    recs = badbuzz.write(tmp_path / "demo.jsonl")
    press = min(
        datetime.fromisoformat(r["created_at"])
        for r in recs
        if r.get("demo_story") == "badbuzz" and r["visibility"] == "press"
    )
    cut = press + timedelta(hours=2)
    before = [r for r in recs if datetime.fromisoformat(r["created_at"]) <= cut]
    lines = [json.dumps(r, ensure_ascii=False) for r in before]
    (tmp_path / "first.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    hooks = receiver()
    watcher = watcher_for(store, hooks.url + "/crisis")
    first = FileSource(name="demo", workspace=badbuzz.WORKSPACE, path=tmp_path / "first.jsonl")
    await pipeline.run([first], store, listeners=[watcher.listener])
    await watcher.drain()
    told = {a.id for a in book.alerts(badbuzz.WORKSPACE, status="open")}
    assert told  # pouls stopped with the Lille escalations open

    # pouls was down while the rest of the history was stored; it starts again at the end.
    rest = FileSource(name="demo", workspace=badbuzz.WORKSPACE, path=tmp_path / "demo.jsonl")
    await pipeline.run([rest], store)
    (tmp_path / "pouls.toml").write_text(
        crisis_config(hooks.url, 'lang = "fr"\ncrisis_quiet = 12\n'), encoding="utf-8"
    )
    again = start(load(tmp_path, environ={}), store, clock=lambda: badbuzz.END)
    await again.drain()
    hooks.stop()
    closings = [
        r.json() for r in hooks.received("POST", "/crisis") if r.json()["change"] == "closed"
    ]
    assert sorted(p["alert_id"] for p in closings) == sorted(told)
    for alert_id in told:
        a = book.alert(badbuzz.WORKSPACE, alert_id)
        assert a is not None and a.status == "closed" and a.closed_at is not None
        assert cut < a.closed_at < badbuzz.END  # when its story went quiet, not at the restart
    assert all("Escalade terminée" in p["subject"] for p in closings)
    assert not book.alerts(badbuzz.WORKSPACE, status="open")
    store.close()


def test_a_closing_notice_tells_the_time_on_the_workspace_clock(tmp_path: Path) -> None:
    from datetime import UTC

    from pouls.watch.escalation import Ended

    store = SQLiteStore(tmp_path / "pouls.db")
    try:
        last = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
        end = Ended(key="k", workspace="w", title="T", last=last, at=last + timedelta(hours=24))
        paris = {"w": "Europe/Paris"}
        fr = CrisisWatch(store, lang="fr", timezones=paris).ended_notice(end, 1)
        en = CrisisWatch(store, lang="en", timezones=paris).ended_notice(end, 1)
    finally:
        store.close()
    assert fr.subject.startswith("Escalade terminée") and "19:30 CET" in fr.text
    assert en.subject.startswith("Escalation over") and "CET" in en.text and "UTC" not in en.text
    assert "Aucun nouveau signal" in fr.text and "No new signal" in en.text
