"""Replay of a JSONL stream at N times its original pace, to demo, test or rehearse a crisis.

Each line is a record as for file import; the gap between two `created_at` times, divided by
`speed`, is the wait before the next signal. With `retime`, times are shifted so the first
replayed line happens now, and the wall looks live.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import msgspec

from pouls.signals import Batch, DeadLetter, Signal, signal_id, utcnow
from pouls.sources.records import Defaults, InvalidRecord, decode_json, to_signal

MAX_WAIT = 30.0  # seconds: a long silence in the file is never replayed longer than this


class ReplaySource:
    """Source playing a JSONL file back at `speed`; the cursor is the byte offset and loop count."""

    def __init__(
        self,
        *,
        name: str,
        workspace: str,
        path: Path,
        speed: float = 1.0,
        retime: bool = True,
        loop: bool = False,
        channel: str = "import",
        after: str | None = None,
    ) -> None:
        self.name = name
        self.workspace = workspace
        self.path = path
        self.speed = speed
        self.retime = retime
        self.loop = loop
        self.after = after  # the pipeline starts this source once that one is exhausted
        self.defaults = Defaults(workspace=workspace, source=name, channel=channel)

    async def stream(self, cursor: str | None) -> AsyncIterator[Batch]:
        """One batch per line (or per group of lines with the same time), paced by the clock."""
        offset, rounds = _parse_cursor(cursor)
        while True:
            async for batch in self._play(offset, rounds):
                yield batch
            if not self.loop:
                return
            offset, rounds = 0, rounds + 1

    async def _play(self, offset: int, rounds: int) -> AsyncIterator[Batch]:
        first: datetime | None = None
        start = utcnow()
        started = time.monotonic()
        line_no = 0
        with self.path.open("rb") as f:
            f.seek(offset)
            for line in f:
                line_no += 1
                offset += len(line)
                batch = Batch(cursor=f"{offset}:{rounds}")
                if not line.strip():
                    continue
                try:
                    record = decode_json(line.strip())
                    now = utcnow()
                    signal = to_signal(record, self.defaults, now)
                except InvalidRecord as exc:
                    batch.dead_letters.append(
                        DeadLetter(
                            workspace=self.workspace,
                            source=self.name,
                            reason=f"{self.path.name} at byte {offset - len(line)}: {exc}",
                            raw=line.decode("utf-8", "backslashreplace")[:10_000],
                            position=f"{offset - len(line)}:{rounds}",
                        )
                    )
                    yield batch
                    continue
                if first is None:
                    first, start, started = signal.created_at, now, time.monotonic()
                due = (signal.created_at - first).total_seconds() / self.speed
                wait = due - (time.monotonic() - started)
                if wait > MAX_WAIT:  # a long silence is cut short: later times move up with it
                    skip = wait - MAX_WAIT
                    started -= skip
                    start -= timedelta(seconds=skip)
                    wait = MAX_WAIT
                await asyncio.sleep(max(wait, 0))
                when = start + timedelta(seconds=due) if self.retime else signal.created_at
                batch.signals.append(self._renamed(signal, when, rounds))
                yield batch

    def _renamed(self, signal: Signal, when: datetime, rounds: int) -> Signal:
        native = signal.native_id if rounds == 0 else f"{signal.native_id}#{rounds}"
        return msgspec.structs.replace(
            signal,
            id=signal_id(self.workspace, self.name, native or ""),
            native_id=native,
            created_at=when,
        )


def _parse_cursor(cursor: str | None) -> tuple[int, int]:
    if not cursor:
        return 0, 0
    offset, _, rounds = cursor.partition(":")
    return int(offset), int(rounds or 0)
