"""The watcher and the team's work on alerts: a snoozed alert tells nothing until its snooze
ends, a resolved alert that gets worse is open again, and alerts keep their facts as data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pouls.config import Rule
from pouls.sinks import Delivery
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import AlertChanged, WatchStore
from pouls.watch import titles
from pouls.watch.watcher import Watcher
from pouls.watch.workflow import Refused, Request, current, decide, perform
from tests.conftest import make_signal

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
RULE = Rule(name="vip", workspace="acme", kind="match", query="journaliste", sinks=["hook"])


class Hook:
    """A sink that keeps what it is sent."""

    name = "hook"

    def __init__(self) -> None:
        self.sent: list[object] = []

    async def send(self, notice: object) -> Delivery:
        self.sent.append(notice)
        return Delivery(status="sent")


def setup(tmp_path: Path) -> tuple[SQLiteStore, Watcher, Hook, list[datetime]]:
    store = SQLiteStore(tmp_path / "pouls.db")
    hook, clock = Hook(), [NOW]
    watcher = Watcher([RULE], store, sinks={"hook": hook}, clock=lambda: clock[0])
    return store, watcher, hook, clock


async def signal(store: SQLiteStore, watcher: Watcher, n: int, at: datetime) -> None:
    s = make_signal(n, f"Une journaliste du Monde vous cite ({n})", created_at=at)
    store.put([s])
    watcher.listener([s])
    await watcher.drain()


def act(store: SQLiteStore, alert_id: int, now: datetime, **fields: str) -> None:
    perform(
        WatchStore(store), "acme", alert_id, msgspec.convert(fields, type=Request),
        actor="ana@acme.fr", members={"ana@acme.fr"}, timezone="Europe/Paris", now=now,
    )  # fmt: skip


async def test_a_snoozed_alert_tells_its_news_only_once_the_snooze_is_over(
    tmp_path: Path,
) -> None:
    store, watcher, hook, clock = setup(tmp_path)
    await signal(store, watcher, 1, NOW)
    (alert,) = WatchStore(store).alerts("acme")
    assert len(hook.sent) == 1
    act(store, alert.id, NOW, action="snooze", **{"for": "2h"})
    await signal(store, watcher, 2, NOW + timedelta(minutes=5))
    await signal(store, watcher, 3, NOW + timedelta(minutes=6))
    assert len(hook.sent) == 1  # snoozed: held, the latest change only
    held = WatchStore(store).deliveries("acme", alert_id=alert.id)
    assert held[0].detail is not None and held[0].detail.startswith("held: snoozed until")
    clock[0] = NOW + timedelta(hours=2, minutes=1)
    await watcher.drain()
    assert len(hook.sent) == 2 and "3" in hook.sent[-1].subject  # type: ignore[attr-defined]
    stored = WatchStore(store).alert("acme", alert.id)
    assert stored is not None and current(stored.state, stored.snoozed_until, clock[0]) == "open"
    store.close()


async def test_a_resolved_alert_that_gets_worse_is_open_again_by_pouls(tmp_path: Path) -> None:
    store, watcher, hook, _ = setup(tmp_path)
    await signal(store, watcher, 1, NOW)
    (alert,) = WatchStore(store).alerts("acme")
    act(store, alert.id, NOW, action="resolve")
    await signal(store, watcher, 2, NOW + timedelta(minutes=5))
    book = WatchStore(store)
    again = book.alert("acme", alert.id)
    assert again is not None and again.state == "open"
    reopened = [h for h in book.history("acme", alert.id) if h.change == "reopened"]
    assert [(h.actor, h.value) for h in reopened] == [(None, "worse")]
    assert len(hook.sent) == 2  # told: it got worse after being resolved
    store.close()


async def test_alerts_keep_their_facts_and_read_in_french_and_english(tmp_path: Path) -> None:
    store, watcher, _, _ = setup(tmp_path)
    await signal(store, watcher, 1, NOW)
    await signal(store, watcher, 2, NOW + timedelta(minutes=1))
    (alert,) = WatchStore(store).alerts("acme")
    facts = msgspec.json.decode(alert.facts or b"", type=titles.Facts)
    assert facts.what == "journaliste" and facts.count == 2
    assert titles.title("match", facts, "en") == "2 new signals for “journaliste”"
    assert titles.title("match", facts, "fr") == "2 nouveaux signaux pour « journaliste »"
    one = msgspec.structs.replace(facts, count=1)
    assert titles.title("match", one, "fr") == "1 nouveau signal pour « journaliste »"
    store.close()


def test_actions_follow_the_states_and_a_concurrent_change_is_refused(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    i = book.open_alert(
        "acme", rule="r", kind="spike", title="t", at=NOW, observed=3, baseline=1, score=1
    )

    def step(state: str, **fields: str) -> str:
        ask = msgspec.convert(fields, type=Request)
        return decide(state, None, None, ask, now=NOW, members={"ana"}).state  # type: ignore[arg-type]

    assert step("open", action="ack") == "acknowledged"
    assert step("acknowledged", action="resolve") == "resolved"
    assert step("snoozed", action="ack") == "acknowledged"
    assert step("resolved", action="reopen") == "open"
    assert step("resolved", action="comment", text="vu") == "resolved"
    for state, fields in [
        ("acknowledged", {"action": "ack"}),
        ("resolved", {"action": "snooze", "for": "1h"}),
        ("resolved", {"action": "assign", "assignee": "ana"}),
        ("open", {"action": "reopen"}),
    ]:
        with pytest.raises(Refused) as refused:
            step(state, **fields)
        assert refused.value.status == 409
    with pytest.raises(Refused, match="in the future"):
        step("open", action="snooze", until="2026-10-01T09:30")  # UTC here: before NOW
    until = decide(
        "open", None, None, Request(action="snooze", until="2026-10-01T14:00"),
        now=NOW, members=(), timezone="Europe/Paris",
    ).snoozed_until  # fmt: skip
    assert until == datetime(2026, 10, 1, 12, 0, tzinfo=UTC)  # Paris time, in UTC
    book.act(
        "acme", i, change="acknowledged", actor="bob", at=NOW, state="acknowledged",
        assignee=None, snoozed_until=None,
    )  # fmt: skip
    with pytest.raises(AlertChanged):  # decided on the alert as it was before bob's action
        book.act(
            "acme", i, change="acknowledged", actor="ana", at=NOW, state="acknowledged",
            assignee=None, snoozed_until=None, expected=("open", None, None),
        )  # fmt: skip
    assert [h.actor for h in book.history("acme", i) if h.actor] == ["bob"]
    store.close()


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    state=st.sampled_from(["open", "acknowledged", "snoozed", "resolved"]),
    action=st.one_of(st.sampled_from(["ack", "assign", "snooze", "comment", "resolve", "reopen"]), st.text(max_size=12)),
    assignee=st.one_of(st.none(), st.sampled_from(["ana", "", " "]), st.text(max_size=20)),
    duration=st.one_of(st.none(), st.from_regex(r"\d{0,7}\s?(min|h|d|w|m|s)?", fullmatch=True), st.text(max_size=12)),
    until=st.one_of(st.none(), st.text(max_size=30), st.dates().map(str), st.datetimes().map(datetime.isoformat)),
    text=st.one_of(st.none(), st.text(max_size=50)),
)  # fmt: skip
def test_any_action_is_decided_or_refused_with_a_reason(
    state: str,
    action: str,
    assignee: str | None,
    duration: str | None,
    until: str | None,
    text: str | None,
) -> None:
    ask = Request(action=action, assignee=assignee, duration=duration, until=until, text=text)
    try:
        snooze = NOW + timedelta(hours=1) if state == "snoozed" else None
        step = decide(state, None, snooze, ask, now=NOW, members={"ana"}, timezone="Europe/Paris")  # type: ignore[arg-type]
    except Refused as refused:
        assert 400 <= refused.status < 500 and refused.message
        assert str(refused)  # its values fill its holes
        return
    assert (step.snoozed_until is not None) == (step.state == "snoozed")
    if step.change == "snoozed":
        assert step.snoozed_until is not None
        assert timedelta(minutes=1) <= step.snoozed_until - NOW <= timedelta(days=30)
    assert step.change in {
        "acknowledged", "assigned", "unassigned", "snoozed", "commented", "resolved", "reopened"
    }  # fmt: skip


async def snoozed_with_news(tmp_path: Path) -> tuple[SQLiteStore, Watcher, Hook, list, int]:
    """An alert told once, snoozed for 2 h, then worse twice: one notice held."""
    store, watcher, hook, clock = setup(tmp_path)
    await signal(store, watcher, 1, NOW)
    (alert,) = WatchStore(store).alerts("acme")
    act(store, alert.id, NOW, action="snooze", **{"for": "2h"})
    await signal(store, watcher, 2, NOW + timedelta(minutes=5))
    await signal(store, watcher, 3, NOW + timedelta(minutes=6))
    assert len(hook.sent) == 1
    return store, watcher, hook, clock, alert.id


@pytest.mark.parametrize("action", ["ack", "reopen"])
async def test_ending_a_snooze_early_delivers_the_held_notice_at_once(
    tmp_path: Path, action: str
) -> None:
    store, watcher, hook, clock, alert_id = await snoozed_with_news(tmp_path)
    clock[0] = NOW + timedelta(minutes=10)  # long before the snooze's end
    act(store, alert_id, clock[0], action=action)
    await watcher.drain()
    assert len(hook.sent) == 2 and "3" in hook.sent[-1].subject  # type: ignore[attr-defined]
    clock[0] = NOW + timedelta(hours=3)
    await watcher.drain()
    assert len(hook.sent) == 2  # told once, not again when the old snooze would have ended
    store.close()


async def test_a_snoozed_alert_resolved_meanwhile_drops_its_held_notice(tmp_path: Path) -> None:
    store, watcher, hook, clock, alert_id = await snoozed_with_news(tmp_path)
    clock[0] = NOW + timedelta(minutes=10)
    act(store, alert_id, clock[0], action="resolve")
    await watcher.drain()
    clock[0] = NOW + timedelta(hours=3)
    await watcher.drain()
    assert len(hook.sent) == 1  # the team closed the matter: nothing more to tell
    last = WatchStore(store).deliveries("acme", alert_id=alert_id)[0]
    assert last.final and not last.ok
    assert last.detail == "not sent: the alert was resolved while snoozed"
    store.close()


async def test_a_snooze_made_longer_holds_the_notice_until_its_new_end(tmp_path: Path) -> None:
    store, watcher, hook, clock, alert_id = await snoozed_with_news(tmp_path)
    clock[0] = NOW + timedelta(minutes=10)
    act(store, alert_id, clock[0], action="snooze", **{"for": "4h"})
    clock[0] = NOW + timedelta(hours=2, minutes=30)  # after the first end, before the new one
    await watcher.drain()
    assert len(hook.sent) == 1
    clock[0] = NOW + timedelta(hours=4, minutes=11)
    await watcher.drain()
    assert len(hook.sent) == 2
    store.close()


async def test_an_acknowledged_alert_still_waits_for_its_quiet_hours(tmp_path: Path) -> None:
    from pouls.sinks.notice import Notice
    from pouls.watch.delivery import Outbox

    store, _, hook, clock = setup(tmp_path)
    book = WatchStore(store)
    i = book.open_alert(
        "acme", rule="vip", kind="match", title="t", at=NOW, observed=3, baseline=1, score=1
    )
    act(store, i, NOW, action="snooze", **{"for": "1h"})
    outbox = Outbox(book, {"hook": hook}, clock=lambda: clock[0])  # type: ignore[dict-item]
    notice = Notice(kind="alert", workspace="acme", subject="s", text="t", alert_id=i)
    quiet = NOW + timedelta(hours=8)  # the night
    outbox.send(notice, ["hook"], quiet_until=quiet, snoozed_until=NOW + timedelta(hours=1))
    act(store, i, NOW, action="ack")
    await outbox.drain()
    assert hook.sent == []  # no longer snoozed, but the night goes on
    clock[0] = quiet
    await outbox.drain()
    assert hook.sent == [notice]
    store.close()


async def test_a_notice_sent_replaces_the_one_its_alert_held(tmp_path: Path) -> None:
    from pouls.sinks.notice import Notice
    from pouls.watch.delivery import Outbox

    store, _, hook, clock = setup(tmp_path)
    book = WatchStore(store)
    i = book.open_alert(
        "acme", rule="vip", kind="match", title="t", at=NOW, observed=3, baseline=1, score=1
    )
    outbox = Outbox(book, {"hook": hook}, clock=lambda: clock[0])  # type: ignore[dict-item]
    old = Notice(kind="alert", workspace="acme", subject="old", text="t", alert_id=i)
    new = Notice(kind="alert", workspace="acme", subject="new", text="t", alert_id=i)
    outbox.send(old, ["hook"], quiet_until=NOW + timedelta(hours=8))
    outbox.send(new, ["hook"])  # told at once (the alert is no longer held)
    clock[0] = NOW + timedelta(hours=9)
    await outbox.drain()
    assert hook.sent == [new]  # the older news never comes after the newer
    dropped = book.deliveries("acme", alert_id=i)
    assert any(d.detail == "not sent: a later notice of the alert went instead" for d in dropped)
    store.close()
