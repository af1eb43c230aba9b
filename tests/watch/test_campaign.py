"""Copy-paste campaigns: a new cluster flooded by many authors raises one alert that updates and
closes; an article re-shared over days and a recurring spam text do not; replay agrees."""

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
FLOOD = "Gagnez un an de croissants gratuits ! Cliquez sur bit.ly/xyz et entrez votre carte"
ARTICLE = "Maison Lumière ouvre une nouvelle boutique à Lille, lisez l'article du journal"
SPAM = "Devenez riche avec le trading, écrivez-moi en privé pour la méthode secrète"
RULE = Rule(name="copies", workspace=WS, kind="campaign", window=60, cooldown=120)


def post(n: int, at: datetime, text: str, author: str, cluster: str | None = None) -> Signal:
    sid = signal_id(WS, "src", str(n))
    return Signal(
        id=sid,
        workspace=WS,
        source="src",
        native_id=str(n),
        channel="instagram" if cluster else "mastodon",
        kind="post",
        created_at=at,
        observed_at=at,
        text=f"{text} ({n})",
        author=author,
        dup_cluster=cluster or sid,  # a signal with no copy is its own cluster
    )


def stream() -> tuple[list[Signal], datetime]:
    """Three days: ordinary posts, an article re-shared all along, a spam text every hour that
    suddenly comes fast, and on day 3 at 10:00 a copy-paste flood (its last copy returned)."""
    r = random.Random(5)
    items: list[tuple[datetime, str, str, str | None]] = []
    for i in range(3 * 24 * 6):  # every 10 minutes
        items.append((T0 + timedelta(minutes=10 * i, seconds=7), f"note {i}", f"u{i % 40}", None))
    for i in range(30):  # the article, 30 people over three days
        items.append((T0 + timedelta(hours=2.4 * i, minutes=3), ARTICLE, f"reader{i}", "article"))
    for i in range(60):  # recurring spam, then 12 copies in half an hour
        at = T0 + timedelta(hours=i, minutes=1) if i < 48 else T0 + timedelta(days=2, minutes=i)
        items.append((at, SPAM, f"bot{i % 9}", "spam"))
    flood = T0 + timedelta(days=2, hours=10)
    times = sorted(flood + timedelta(minutes=r.uniform(0, 180)) for _ in range(40))
    for i, at in enumerate(times):
        items.append((at, FLOOD, f"fake{i % 20}", "flood"))
    items.sort(key=lambda x: x[0])
    signals = [post(n, at, text, who, c) for n, (at, text, who, c) in enumerate(items)]
    first: dict[str, str] = {}  # as the enricher does: a cluster is named by its first copy
    for s in signals:
        first.setdefault(s.dup_cluster or "", s.id)
    signals = [msgspec.structs.replace(s, dup_cluster=first[s.dup_cluster or ""]) for s in signals]
    return signals, times[-1]


def copies(signals: list[Signal], text: str) -> list[Signal]:
    return [s for s in signals if s.text.startswith(text)]


async def feed(store: SQLiteStore, watcher: Watcher, signals: list[Signal]) -> None:
    for i in range(0, len(signals), 25):
        batch = signals[i : i + 25]
        store.put(batch)
        watcher.listener(batch)
    await watcher.drain()


async def test_a_copy_paste_flood_raises_one_alert_that_updates_then_closes(
    tmp_path: Path,
) -> None:
    signals, last = stream()
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    watcher = Watcher([RULE], store, clock=lambda: last + timedelta(days=1))
    await feed(store, watcher, signals)
    watcher._emit(watcher.advance(last + timedelta(days=1)))  # the clock runs on, nothing comes
    await watcher.drain()

    alerts = book.alerts(WS)
    assert len(alerts) == 1  # not the article, not the old spam text
    alert = alerts[0]
    assert alert.kind == "campaign" and alert.status == "closed"
    flood = copies(signals, FLOOD)
    assert alert.key == f"copies:{flood[0].id}"
    changes = [c.change for c in book.history(WS, alert.id)]
    assert changes[0] == "opened" and changes[-1] == "closed" and "updated" in changes
    assert len(changes) <= 5  # updated as it doubles, not at every copy
    assert alert.closed_at == last + timedelta(minutes=RULE.cooldown)
    assert alert.observed == 40
    assert "40 copies, 20 auteurs" in alert.title
    e = msgspec.json.decode(alert.explanation or b"", type=Explanation)
    assert e.signals == 40 and e.metric == "copies"
    assert e.examples[0].id == flood[0].id and e.examples[0].text.startswith(FLOOD)
    assert e.channels == [("instagram", 40)] and len(e.authors) == 5
    assert e.start == flood[0].created_at
    assert sum(e.series) == 40

    # The same code on history: the same firings.
    live = [(f.change, f.at, f.key, f.observed) for f in watcher.firings]
    again = firings(store, RULE, since=T0, until=last + timedelta(days=1))
    assert [(f.change, f.at, f.key, f.observed) for f in again] == live
    [replayed] = replay(store, RULE, since=T0, until=last + timedelta(days=1))
    assert replayed.closed is not None and replayed.updates == changes.count("updated")
    store.close()


async def test_history_imported_twice_tells_a_campaign_once(tmp_path: Path) -> None:
    signals, _ = stream()
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    for _ in range(2):
        watcher = Watcher([RULE], store)
        await feed(store, watcher, signals)
    assert len(book.alerts(WS)) == 1
    store.close()


async def test_a_restart_takes_up_the_open_campaign_alert_and_closes_it(tmp_path: Path) -> None:
    signals, last = stream()
    cut = copies(signals, FLOOD)[20].created_at
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    watcher = Watcher([RULE], store)
    await feed(store, watcher, [s for s in signals if s.created_at <= cut])
    [alert] = book.alerts(WS, status="open")

    # Restarted at the flood's end: it reads the last days, finds the cluster still growing,
    # keeps the same alert open, then closes it when the copies stop.
    later = [s for s in signals if s.created_at > cut]
    store.put(later[:10])
    again = Watcher([RULE], store)
    again.prime(now=later[9].created_at + timedelta(seconds=1))
    await feed(store, again, later[10:])
    again._emit(again.advance(last + timedelta(days=1)))
    await again.drain()
    [same] = book.alerts(WS)
    assert same.id == alert.id and same.status == "closed"
    assert same.closed_at == last + timedelta(minutes=RULE.cooldown)
    store.close()


def test_sensitivity_scales_the_thresholds() -> None:
    from pouls.watch.rules import thresholds

    assert thresholds(RULE) == (10, 5)
    assert thresholds(msgspec.structs.replace(RULE, sensitivity=0.75)) == (5, 3)
    assert thresholds(msgspec.structs.replace(RULE, sensitivity=0.25)) == (15, 8)


def test_rule_add_and_rule_test_replay_a_campaign(tmp_path: Path) -> None:
    from tests.cli.test_commands import pouls

    (tmp_path / "pouls.toml").write_text(f'[[workspaces]]\nid = "{WS}"\n', encoding="utf-8")
    store = SQLiteStore(tmp_path / "pouls.db")
    signals, _ = stream()
    store.put(signals)
    store.close()

    wrong = pouls(
        tmp_path, "rule", "add", "c", "-w", WS, "--kind", "campaign", "--min-authors", "20"
    )
    assert wrong.returncode != 0 and "min_authors (20) exceeds min_signals (10)" in wrong.stderr
    added = pouls(
        tmp_path, "rule", "add", "copies", "-w", WS, "--kind", "campaign", "--cooldown", "120"
    )
    assert added.returncode == 0, added.stderr
    done = pouls(tmp_path, "rule", "test", "copies", "-w", WS, "--since", "30d")
    assert done.returncode == 0, done.stderr
    assert (
        "1 alert" in done.stdout
        and "alert(s)" not in done.stdout
        and "40 copies, 20 auteurs" in done.stdout
    )
    assert "« Gagnez un an de croissants gratuits" in done.stdout


class Hook:
    """A sink that keeps what it is sent."""

    name = "hook"

    def __init__(self) -> None:
        self.sent: list = []

    async def send(self, notice):  # type: ignore[no-untyped-def]
        from pouls.sinks import Delivery

        self.sent.append(notice)
        return Delivery(status="sent")


async def test_a_campaign_closed_at_restart_is_told_with_its_real_authors(tmp_path: Path) -> None:
    signals, last = stream()
    cut = copies(signals, FLOOD)[20].created_at
    store = SQLiteStore(tmp_path / "pouls.db")
    rule = msgspec.structs.replace(RULE, sinks=["hook"])
    await feed(store, Watcher([rule], store), [s for s in signals if s.created_at <= cut])
    store.put([s for s in signals if s.created_at > cut])  # stored while the watcher was down

    hook = Hook()
    again = Watcher([rule], store, sinks={"hook": hook})
    again.prime(now=last + timedelta(days=1))  # the cluster went quiet meanwhile
    await again.drain()
    [closed] = hook.sent
    assert closed.change == "closed" and "40 copies, 20 auteurs" in closed.subject
    store.close()


async def test_a_campaign_forgotten_at_restart_closes_without_counting_authors(
    tmp_path: Path,
) -> None:
    signals, last = stream()
    cut = copies(signals, FLOOD)[20].created_at
    store = SQLiteStore(tmp_path / "pouls.db")
    rule = msgspec.structs.replace(RULE, sinks=["hook"])
    await feed(store, Watcher([rule], store), [s for s in signals if s.created_at <= cut])

    hook = Hook()
    again = Watcher([rule], store, sinks={"hook": hook})
    again.prime(now=last + timedelta(days=10))  # older than what a restart reads back
    await again.drain()
    [closed] = hook.sent
    assert closed.change == "closed" and "copies" in closed.subject
    assert "auteurs" not in closed.subject  # not "0 auteurs"
    [alert] = WatchStore(store).alerts(WS)
    assert alert.status == "closed"
    store.close()
