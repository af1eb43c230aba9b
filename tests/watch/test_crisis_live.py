"""Crisis escalations live: the demo imported through the pipeline tells the crisis sinks once
per story and level, the scam wave (public first) stays quiet, and a restart repeats nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import msgspec

from pouls import pipeline
from pouls.config import load
from pouls.sinks.webhook import WebhookSink
from pouls.sources.files import FileSource
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.assemble import recorder, start
from pouls.watch.escalation import CrisisWatch
from pouls.watch.explain import Explanation
from pouls.watch.watcher import Watcher
from tests.loopback import Loopback, Reply
from tests.watch import badbuzz


def receiver() -> Loopback:
    hooks = Loopback()
    hooks.routes["POST /crisis"] = lambda request: Reply(204)
    return hooks.start()


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
    posted = [r.json() for r in hooks.received("POST", "/crisis")]
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

    for a in raised.values():  # the scam wave came out in public first: no overflow
        e = msgspec.json.decode(a.explanation or b"", type=Explanation)
        assert not {x.text for x in e.examples} & scam_texts, a.title

    # `pouls up` restarted just after the press article: the watcher it assembles finds the
    # same escalations while warming up, and tells nobody again.
    (tmp_path / "pouls.toml").write_text(
        f"""
[[workspaces]]
id = "demo"

[[sinks]]
type = "webhook"
name = "crisis"
url = "{hooks.url}/crisis"

[alerts]
crisis_sinks = ["crisis"]
""",
        encoding="utf-8",
    )
    press_at = max(raised[p["alert_id"]].started_at for p in lille)
    again = start(load(tmp_path, environ={}), store, clock=lambda: press_at + timedelta(hours=1))
    assert again.crisis is not None and again.crisis.sinks == ["crisis"]
    assert again._queue.qsize() >= 1  # found again while warming up
    await again.drain()
    hooks.stop()
    assert len(hooks.received("POST", "/crisis")) == len(posted)
    assert len(book.alerts(badbuzz.WORKSPACE)) == len(raised)
    store.close()
