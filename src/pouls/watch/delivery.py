"""How notices leave the watcher: to each named sink in the background, in order per sink,
held through quiet hours and snoozes, every attempt recorded.

A notice held by a snooze follows the alert's state in the store, not the end the snooze had
when it was held: once the team acknowledges, reopens or snoozes the alert again, the next
`release` sends the notice (after any quiet hours), waits for the new end, or, when the alert
was resolved meanwhile, records it as not sent: the team closed the matter, as a resolved
conversation in Agorapulse or a resolved alert in Brandwatch stops telling (docs/alerts.md).

Separate from `watcher.py`, which decides *what* to tell and *when*: this changes with sinks
and delivery policy, not with rules; `pouls digest --send` uses it without a watcher.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import msgspec

from pouls.signals import utcnow
from pouls.sinks import Sink
from pouls.sinks.notice import Attempt, Notice, OnAttempt
from pouls.store.watch import WatchStore
from pouls.watch.workflow import current

log = logging.getLogger("pouls.watch")


def recorder(book: WatchStore) -> OnAttempt:
    """The callback sinks report each attempt to: one `deliveries` row per try."""

    def record(attempt: Attempt) -> None:
        n = attempt.notice
        book.record_delivery(
            n.workspace,
            alert_id=n.alert_id,
            subject=n.subject,
            sink=attempt.sink,
            attempt=attempt.number,
            ok=attempt.ok,
            final=attempt.final,
            detail=attempt.detail,
        )

    return record


class Held(msgspec.Struct, kw_only=True):
    """A notice waiting: for the end of quiet hours, of the alert's snooze, or both."""

    notice: Notice
    names: list[str]
    quiet_until: datetime | None  # the end of the rule's quiet hours
    snoozed: bool  # held for the alert's snooze: its end is read from the store


class Outbox:
    """Notices on their way to the sinks; those held by quiet hours wait here for their time."""

    def __init__(
        self,
        book: WatchStore,
        sinks: Mapping[str, Sink] | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.book = book
        self.sinks = dict(sinks or {})
        self.clock = clock
        self.record = recorder(book)
        self._held: dict[int, Held] = {}  # by alert: the latest notice wins
        self._tasks: set[asyncio.Task] = set()
        self._last: dict[str, asyncio.Future] = {}  # each sink's latest delivery

    def send(
        self,
        notice: Notice,
        names: Sequence[str],
        *,
        quiet_until: datetime | None = None,
        snoozed_until: datetime | None = None,
    ) -> None:
        """Deliver `notice` to the named sinks in the background, or hold it until the later
        of `quiet_until` (the rule's quiet hours) and `snoozed_until` (the alert's snooze,
        which the team may end sooner). A notice sent replaces one its alert had held."""
        if not names:
            return
        alert_id = notice.alert_id
        due = max((t for t in (quiet_until, snoozed_until) if t is not None), default=None)
        if due is not None and alert_id is not None:
            snoozed = snoozed_until is not None
            self._held[alert_id] = Held(
                notice=notice, names=list(names), quiet_until=quiet_until, snoozed=snoozed
            )
            why = "snoozed" if snoozed_until == due else "quiet hours"
            for name in names:
                self.record(
                    Attempt(
                        sink=name,
                        notice=notice,
                        number=0,
                        ok=False,
                        final=False,
                        detail=f"held: {why} until {due.isoformat()}",
                    )
                )
            return
        if alert_id is not None and alert_id in self._held:
            self._drop(alert_id, "not sent: a later notice of the alert went instead")
        for name in names:  # in the background, but in order for each sink
            task = asyncio.ensure_future(self._deliver(name, notice, self._last.get(name)))
            self._last[name] = task
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def release(self) -> None:
        """Send the held notices whose wait is over: quiet hours ended, snooze ended or ended
        by the team; drop those of alerts resolved while snoozed."""
        now = self.clock()
        for alert_id, held in list(self._held.items()):
            due = held.quiet_until
            if held.snoozed:
                alert = self.book.alert(held.notice.workspace, alert_id)
                state = current(alert.state, alert.snoozed_until, now) if alert else "open"
                if state == "resolved":
                    self._drop(alert_id, "not sent: the alert was resolved while snoozed")
                    continue
                if state == "snoozed" and alert is not None and alert.snoozed_until is not None:
                    due = max(due, alert.snoozed_until) if due else alert.snoozed_until
            if due is None or due <= now:
                del self._held[alert_id]
                self.send(held.notice, held.names)

    def _drop(self, alert_id: int, detail: str) -> None:
        held = self._held.pop(alert_id)
        for name in held.names:
            self.record(
                Attempt(
                    sink=name, notice=held.notice, number=0, ok=False, final=True, detail=detail
                )
            )

    async def drain(self) -> None:
        """Release what is due, then wait for every delivery under way."""
        self.release()
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    def abandon(self) -> None:
        """Record the notices still held as not sent (pouls stops during quiet hours)."""
        for alert_id in list(self._held):
            self._drop(alert_id, "not sent: pouls stopped while it was held")

    async def _deliver(self, name: str, notice: Notice, previous: asyncio.Future | None) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        sink = self.sinks.get(name)
        if sink is None:
            self.record(
                Attempt(
                    sink=name,
                    notice=notice,
                    number=0,
                    ok=False,
                    final=True,
                    detail="no such sink",
                )
            )
            return
        delivery = await sink.send(notice)
        if delivery.status != "sent":
            log.error("%s not delivered to %s: %s", notice.subject, name, delivery.error)
