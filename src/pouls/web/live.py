"""Fan-out of newly stored signals to the pages watching the live stream (SSE).

The store is the truth: a subscriber too slow to keep up loses live updates, never data, and
sees everything on its next page load.
"""

from __future__ import annotations

import asyncio

from pouls.signals import Signal

QUEUE_SIZE = 1000


class Live:
    """Subscribers get the batches stored after they subscribed."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[list[Signal]]] = set()

    def subscribe(self) -> asyncio.Queue[list[Signal]]:
        queue: asyncio.Queue[list[Signal]] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[list[Signal]]) -> None:
        self._subscribers.discard(queue)

    def publish(self, signals: list[Signal]) -> None:
        """Pipeline listener: called on the event loop after each commit."""
        if not signals:
            return
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()  # drop the oldest batch for this slow page
            queue.put_nowait(signals)
