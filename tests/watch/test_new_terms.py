"""Emerging terms: words unseen for days that suddenly fill a topic raise one alert; words that
are always there, however often, do not; replay agrees with live."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from pouls.config import Rule
from pouls.signals import Signal, signal_id
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.explain import Explanation
from pouls.watch.replay import firings, replay
from pouls.watch.watcher import Watcher

WS = "acme"
T0 = datetime(2026, 3, 2, tzinfo=UTC)
VOCABULARY = [
    "croissant",
    "baguette",
    "brioche",
    "éclair",
    "café",
    "chocolat",
    "boutique",
    "vendeuse",
    "accueil",
    "queue",
    "prix",
    "matin",
    "goûter",
    "tarte",
    "fraise",
    "citron",
    "sandwich",
    "salade",
    "dessert",
    "pain",
    "farine",
    "beurre",
    "sucre",
    "terrasse",
    "table",
    "week-end",
    "dimanche",
    "samedi",
    "horaires",
    "parking",
]
RULE = Rule(name="emerging", workspace=WS, kind="new_terms", window=60, cooldown=180)


def post(n: int, at: datetime, text: str, author: str) -> Signal:
    return Signal(
        id=signal_id(WS, "src", str(n)),
        workspace=WS,
        source="src",
        native_id=str(n),
        channel="bluesky",
        kind="post",
        created_at=at,
        observed_at=at,
        text=text,
        author=author,
    )


def stream(burst: bool) -> tuple[list[Signal], datetime]:
    """Six days of talk, every 10 minutes, `livraison` in a third of it; on day 6 at 10:00,
    with `burst`, 18 people write about a food poisoning within 40 minutes."""
    r = random.Random(11)
    items: list[tuple[datetime, str, str]] = []
    for i in range(6 * 24 * 6):
        words = r.sample(VOCABULARY, 5) + (["livraison"] if i % 3 == 0 else [])
        items.append((T0 + timedelta(minutes=10 * i, seconds=3), " ".join(words), f"u{i % 50}"))
    start = T0 + timedelta(days=5, hours=10)
    if burst:
        for i in range(18):
            at = start + timedelta(minutes=r.uniform(0, 40))
            text = f"intoxication après la tarte, {r.choice(VOCABULARY)} hospitalisé"
            items.append((at, text, f"v{i}"))
    items.sort(key=lambda x: x[0])
    return [post(n, at, text, who) for n, (at, text, who) in enumerate(items)], items[-1][0]


async def watch(tmp_path: Path, signals: list[Signal]) -> tuple[SQLiteStore, Watcher]:
    store = SQLiteStore(tmp_path / "pouls.db")
    watcher = Watcher([RULE], store)
    for i in range(0, len(signals), 40):
        batch = signals[i : i + 40]
        store.put(batch)
        watcher.listener(batch)
    watcher._emit(watcher.advance(signals[-1].created_at + timedelta(days=1)))
    await watcher.drain()
    return store, watcher


async def test_an_emerging_word_raises_one_alert_naming_it(tmp_path: Path) -> None:
    signals, end = stream(burst=True)
    store, watcher = await watch(tmp_path, signals)
    book = WatchStore(store)

    [alert] = book.alerts(WS)
    assert alert.kind == "new_terms" and alert.status == "closed"
    assert "intoxication" in alert.title and "livraison" not in alert.title
    burst = [s for s in signals if "intoxication" in s.text]
    assert burst[0].created_at < alert.started_at <= burst[-1].created_at
    # Closed `cooldown` after the last signal seen while a word was still emerging (its count
    # over the window stays high for up to a window after the burst).
    assert alert.closed_at is not None
    over = alert.closed_at - timedelta(minutes=RULE.cooldown)
    assert burst[-1].created_at <= over <= burst[-1].created_at + timedelta(minutes=RULE.window)
    assert alert.title.split(": ")[1].startswith(("intoxication", "hospitalise"))
    e = msgspec.json.decode(alert.explanation or b"", type=Explanation)
    words = [t.term for t in e.terms]
    assert {"intoxication", "hospitalise"} <= set(words[:3])
    assert "livraison" not in words[:3]
    assert any("intoxication" in x.text for x in e.examples)

    live = [(f.change, f.at, f.terms, f.observed) for f in watcher.firings]
    until = end + timedelta(days=1)
    assert [
        (f.change, f.at, f.terms, f.observed) for f in firings(store, RULE, since=T0, until=until)
    ] == live
    [replayed] = replay(store, RULE, since=end - timedelta(days=1), until=until)
    assert replayed.opened.at == alert.started_at
    store.close()


async def test_steady_words_raise_nothing(tmp_path: Path) -> None:
    signals, _ = stream(burst=False)
    store, watcher = await watch(tmp_path, signals)
    assert watcher.firings == []
    assert WatchStore(store).alerts(WS) == []
    store.close()


def test_a_closing_whose_words_are_forgotten_names_none() -> None:
    from pouls.watch.rules import Firing, title

    at = datetime(2026, 3, 9, tzinfo=UTC)
    closing = Firing(
        rule=RULE.name,
        workspace=WS,
        change="closed",
        at=at,
        started=at,
        observed=12,
        baseline=0,
        score=0,
    )
    assert title(RULE, closing, "fr") == "Nouveaux termes sur « tout l'espace » (12 signaux)"
    assert title(RULE, closing, "en") == "New terms on “the whole workspace” (12 signals)"
