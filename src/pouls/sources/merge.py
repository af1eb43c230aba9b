"""Several feeds of one source run at once and merge into batches that share one JSON cursor.

A feed is an async iterator of `Step`s, each carrying that feed's new position. The merged
cursor maps every feed's key to the position of the last step yielded, so it describes exactly
what was handed to the pipeline, whatever order the feeds produced in.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import msgspec

from pouls.signals import Batch, DeadLetter, Signal


class Step(msgspec.Struct):
    """What one feed read: signals, unreadable input, and the feed's position after them."""

    signals: list[Signal]
    dead_letters: list[DeadLetter]
    position: Any


def load(cursor: str | None) -> dict[str, Any]:
    """A merged cursor back to {feed key: position}; an unreadable one starts afresh."""
    if not cursor:
        return {}
    try:
        state = json.loads(cursor)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


async def merge(
    feeds: Mapping[str, AsyncIterator[Step]], state: dict[str, Any]
) -> AsyncIterator[Batch]:
    """Run every feed concurrently; yield one batch per step; end when all feeds end.

    A feed that raises stops the others and the error propagates to the pipeline.
    """
    queue: asyncio.Queue[tuple[str, Step | BaseException | None]] = asyncio.Queue(1)

    async def pump(key: str, feed: AsyncIterator[Step]) -> None:
        try:
            async for step in feed:
                await queue.put((key, step))
        except Exception as exc:
            await queue.put((key, exc))
        else:
            await queue.put((key, None))

    tasks = [asyncio.create_task(pump(k, f), name=f"feed:{k}") for k, f in feeds.items()]
    running = len(tasks)
    try:
        while running:
            key, item = await queue.get()
            if item is None:
                running -= 1
                continue
            if isinstance(item, BaseException):
                raise item
            moved = state.get(key) != item.position
            state[key] = item.position
            if item.signals or item.dead_letters or moved:
                yield Batch(
                    signals=item.signals,
                    dead_letters=item.dead_letters,
                    cursor=json.dumps(state, sort_keys=True),
                )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
