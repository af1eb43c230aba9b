"""The brand's own accounts are not its buzz: alert volumes and shares, campaigns, emerging
terms, crisis stories, explanations and digests leave their signals out unless a rule asks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from pouls.config import Rule
from pouls.signals import Metrics, Signal, signal_id
from pouls.store.sqlite import SQLiteStore
from pouls.watch.crisis import CrisisTracker, escalations
from pouls.watch.digest import gather
from pouls.watch.replay import replay, trial
from pouls.watch.watcher import Watcher

WS = "acme"
T0 = datetime(2026, 3, 2, tzinfo=UTC)
DAYS = 8


def signal(n: int, at: datetime, text: str, author: str, **fields: object) -> Signal:
    return Signal(
        id=signal_id(WS, "src", str(n)),
        workspace=WS,
        source="src",
        native_id=str(n),
        channel=fields.pop("channel", "instagram"),  # type: ignore[arg-type]
        kind="post",
        created_at=at,
        observed_at=at,
        text=text,
        author=author,
        **fields,  # type: ignore[arg-type]
    )


def background(start: int = 0) -> list[Signal]:
    """Eight quiet days: a customer post every 10 minutes, never a scam."""
    out = []
    for i in range(DAYS * 24 * 6):
        at = T0 + timedelta(minutes=10 * i, seconds=3)
        out.append(signal(start + i, at, f"un café et un croissant, note {i % 50}", f"u{i % 60}"))
    return out


def brand_burst(start: int, at: datetime, n: int = 30) -> list[Signal]:
    """The brand's answers, all within an hour: the same reassuring text, which the scam model
    reads as a lure ("contact us in private"), from its accounts on every channel."""
    channels = ["instagram", "facebook", "bluesky", "mastodon", "reddit", "telegram"]
    return [
        signal(
            start + i,
            at + timedelta(minutes=2 * i),
            "Nous sommes sincèrement désolés, écrivez-nous en message privé, nous vous recontactons",
            f"brand-{channels[i % 6]}",
            channel=channels[i % 6],
            own=True,
            scam=0.8,
            dup_cluster="canned",
            metrics=Metrics(likes=500, shares=40),
        )
        for i in range(n)
    ]


def filled(tmp_path: Path, signals: list[Signal]) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "pouls.db")
    store.put(sorted(signals, key=lambda s: s.created_at))
    return store


BURST = T0 + timedelta(days=DAYS - 1, hours=14)
SPAN = (T0 + timedelta(days=DAYS - 2), T0 + timedelta(days=DAYS))


def rules(kind: str, **options: object) -> tuple[Rule, Rule]:
    plain = Rule(name=kind.replace("_", "-"), workspace=WS, kind=kind, **options)  # type: ignore[arg-type]
    return plain, msgspec.structs.replace(plain, name="with-own", include_own=True)


def test_a_scam_share_rule_leaves_out_the_brands_answers_unless_it_includes_them(
    tmp_path: Path,
) -> None:
    store = filled(tmp_path, background() + brand_burst(10_000, BURST))
    plain, with_own = rules("scam")
    assert replay(store, plain, since=SPAN[0], until=SPAN[1]) == []
    [alert] = replay(store, with_own, since=SPAN[0], until=SPAN[1])
    assert BURST <= alert.opened.at <= BURST + timedelta(hours=2)
    store.close()


def test_a_volume_rule_watching_live_does_not_count_the_brands_posts(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "pouls.db")
    plain, with_own = rules("threshold", threshold=20, window=60, bucket=60)
    watcher = Watcher([plain, with_own], store)
    burst = brand_burst(10_000, BURST)
    after = signal(99_999, BURST + timedelta(hours=3), "plus tard", "u1")
    for batch in ([signal(0, BURST - timedelta(hours=1), "avant", "u1")], burst, [after]):
        store.put(batch)
        watcher.listener(batch)
    assert {f.rule for f in watcher.firings if f.change == "opened"} == {"with-own"}
    store.close()


def test_the_brands_canned_answers_make_no_copy_paste_campaign(tmp_path: Path) -> None:
    store = filled(tmp_path, background() + brand_burst(10_000, BURST))
    plain, with_own = rules("campaign", window=120, min_signals=8, min_authors=5)
    assert replay(store, plain, since=SPAN[0], until=SPAN[1]) == []
    [found] = trial(store, with_own, timedelta(days=2), base_url="http://x")
    assert found.alert.opened.key == "canned"
    assert found.explanation is not None and found.explanation.signals >= 8  # the copies shown
    store.close()


def test_the_brands_words_do_not_emerge_as_new_terms(tmp_path: Path) -> None:
    store = filled(tmp_path, background() + brand_burst(10_000, BURST))
    plain, with_own = rules("new_terms", window=120, min_signals=8, min_authors=3)
    assert replay(store, plain, since=SPAN[0], until=SPAN[1]) == []
    [alert] = replay(store, with_own, since=SPAN[0], until=SPAN[1])
    assert "recontactons" in alert.opened.terms
    store.close()


def test_an_explanation_shows_the_people_not_the_brand(tmp_path: Path) -> None:
    people = [
        signal(
            20_000 + i, BURST + timedelta(minutes=i), "arnaque concours gratuit", f"p{i}", scam=0.9
        )
        for i in range(30)
    ]
    store = filled(tmp_path, background() + brand_burst(10_000, BURST) + people)
    plain, _ = rules("scam")
    [found] = trial(store, plain, timedelta(days=2), base_url="http://x")
    e = found.explanation
    assert e is not None and e.examples
    assert not any(a.startswith("brand-") for a, _ in e.authors)
    assert all("désolés" not in x.text for x in e.examples)
    store.close()


def test_the_brands_own_messages_tell_no_crisis_story() -> None:
    tracker = CrisisTracker()
    canned = brand_burst(0, T0, n=12)
    assert tracker.add_all(canned) == []
    assert tracker.stories == [] and not tracker._recent and not tracker._days


def test_crisis_history_leaves_the_brand_out(tmp_path: Path) -> None:
    store = filled(tmp_path, background() + brand_burst(10_000, BURST))
    _, tracker = escalations(store, WS, T0, T0 + timedelta(days=DAYS))
    assert all(not s.own for story in tracker.stories for v in story.seen.values() for s in v)
    store.close()


def test_the_digest_ranks_what_people_said_and_counts_the_brands_posts_apart(
    tmp_path: Path,
) -> None:
    liked = signal(
        30_000, BURST, "Le meilleur croissant de Lille", "fan", metrics=Metrics(likes=40)
    )
    store = filled(tmp_path, background() + brand_burst(10_000, BURST) + [liked])
    d = gather(store, WS, "day", BURST + timedelta(hours=6), base_url="http://x")
    assert [x.id for x in d.engaging] == [liked.id]
    assert d.own == 30
    assert d.volume == 24 * 6 + 1  # a day of customers' posts and the fan's, not the brand's
    assert all("désolés" not in x.text for x in d.representative)
    store.close()
