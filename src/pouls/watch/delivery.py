"""How notices leave the watcher: to each named sink in the background, in order per sink,
held through quiet hours, every attempt recorded.

Separate from `watcher.py`, which decides *what* to tell and *when*: this changes with sinks
and delivery policy, not with rules; `pouls digest --send` uses it without a watcher.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from pouls.signals import utcnow
from pouls.sinks import Sink
from pouls.sinks.notice import Attempt, Notice, OnAttempt
from pouls.store.watch import WatchStore

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
        self._held: dict[int, tuple[datetime, Notice, list[str]]] = {}  # by alert: latest wins
        self._tasks: set[asyncio.Task] = set()
        self._last: dict[str, asyncio.Future] = {}  # each sink's latest delivery

    def send(
        self,
        notice: Notice,
        names: Sequence[str],
        *,
        quiet_until: datetime | None = None,
        why: str = "quiet hours",
    ) -> None:
        """Deliver `notice` to the named sinks in the background, or hold it until
        `quiet_until` (`why`: quiet hours, or the alert's snooze)."""
        if not names:
            return
        if quiet_until is not None and notice.alert_id is not None:
            self._held[notice.alert_id] = (quiet_until, notice, list(names))
            for name in names:
                self.record(
                    Attempt(
                        sink=name,
                        notice=notice,
                        number=0,
                        ok=False,
                        final=False,
                        detail=f"held: {why} until {quiet_until.isoformat()}",
                    )
                )
            return
        for name in names:  # in the background, but in order for each sink
            task = asyncio.ensure_future(self._deliver(name, notice, self._last.get(name)))
            self._last[name] = task
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def release(self) -> None:
        """Send the held notices whose quiet hours are over."""
        now = self.clock()
        for alert_id, (due, notice, names) in list(self._held.items()):
            if due <= now:
                del self._held[alert_id]
                self.send(notice, names)

    async def drain(self) -> None:
        """Release what is due, then wait for every delivery under way."""
        self.release()
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    def abandon(self) -> None:
        """Record the notices still held as not sent (pouls stops during quiet hours)."""
        for alert_id, (due, notice, names) in self._held.items():
            for name in names:
                self.book.record_delivery(
                    notice.workspace,
                    alert_id=alert_id,
                    subject=notice.subject,
                    sink=name,
                    attempt=0,
                    ok=False,
                    final=True,
                    detail=f"not sent: pouls stopped while it was held (due {due.isoformat()})",
                )
        self._held.clear()

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
