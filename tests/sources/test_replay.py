"""Replay of a JSONL stream at N times its pace: order, retiming, cursor, loops.

Times are checked on the `created_at` values the source computes, never on wall-clock durations.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pouls import pipeline
from pouls.signals import Signal, utcnow
from pouls.sources.replay import ReplaySource
from pouls.store.sqlite import SQLiteStore

WS, NAME = "acme", "crise"
T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
# A bad buzz: a post, replies within minutes, then the press an hour and a day later.
OFFSETS = [0, 60, 61, 3_600, 86_400]
SPEED = 1e6


def _write(path: Path, lines: list[str] | None = None) -> Path:
    if lines is None:
        lines = [
            json.dumps(
                {
                    "id": f"p{i}",
                    "text": f"message {i} : le pain était brûlé",
                    "created_at": (T0 + timedelta(seconds=s)).isoformat(),
                }
            )
            for i, s in enumerate(OFFSETS)
        ]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _source(path: Path, **options: object) -> ReplaySource:
    return ReplaySource(name=NAME, workspace=WS, path=path, speed=SPEED, **options)  # type: ignore[arg-type]


async def _replay(store: SQLiteStore, source: ReplaySource, **options: object) -> list[Signal]:
    """Run the pipeline and return the signals in the order they were committed."""
    seen: list[Signal] = []
    await pipeline.run([source], store, listeners=[seen.extend], **options)  # type: ignore[arg-type]
    return seen


async def test_replay_keeps_the_order_of_the_file(tmp_path: Path, store: SQLiteStore):
    seen = await _replay(store, _source(_write(tmp_path / "buzz.jsonl")))
    assert [s.native_id for s in seen] == ["p0", "p1", "p2", "p3", "p4"]
    newest_first = [s.native_id for s in store.search(WS).signals]
    assert newest_first == ["p4", "p3", "p2", "p1", "p0"]


async def test_replay_retimes_the_first_signal_to_now_and_shrinks_gaps_by_speed(
    tmp_path: Path, store: SQLiteStore
):
    before = utcnow()
    seen = await _replay(store, _source(_write(tmp_path / "buzz.jsonl")))
    after = utcnow()
    first = seen[0].created_at
    assert before <= first <= after
    gaps = [(s.created_at - first).total_seconds() for s in seen]
    expected = [o / SPEED for o in OFFSETS]
    assert all(abs(g - e) <= 1e-6 for g, e in zip(gaps, expected, strict=True)), gaps
    assert all(s.observed_at >= first for s in seen)


async def test_replay_without_retime_keeps_the_original_times(tmp_path: Path, store: SQLiteStore):
    seen = await _replay(store, _source(_write(tmp_path / "buzz.jsonl"), retime=False))
    assert [s.created_at for s in seen] == [T0 + timedelta(seconds=o) for o in OFFSETS]


async def test_replay_resumes_from_its_cursor(tmp_path: Path, store: SQLiteStore):
    path = _write(tmp_path / "buzz.jsonl")
    lines = path.read_bytes().splitlines(keepends=True)
    store.put([], cursors={(WS, NAME): f"{len(lines[0]) + len(lines[1])}:0"})
    seen = await _replay(store, _source(path))
    assert [s.native_id for s in seen] == ["p2", "p3", "p4"]
    # The resumed part is retimed from its own first line.
    gap = (seen[1].created_at - seen[0].created_at).total_seconds()
    assert abs(gap - (3_600 - 61) / SPEED) <= 1e-6
    assert store.cursor(WS, NAME) == f"{path.stat().st_size}:0"
    again = await _replay(store, _source(path))
    assert again == []


async def test_replay_loop_gives_distinct_ids_to_each_round(tmp_path: Path, store: SQLiteStore):
    stop = asyncio.Event()
    seen: list[Signal] = []

    def enough(batch: list[Signal]) -> None:
        seen.extend(batch)
        if len(seen) >= 2 * len(OFFSETS):
            stop.set()

    source = _source(_write(tmp_path / "buzz.jsonl"), loop=True)
    await pipeline.run([source], store, listeners=[enough], stop=stop)
    assert len(seen) >= 2 * len(OFFSETS)
    assert len({s.id for s in seen}) == len(seen) == store.count(WS)
    rounds = [s.native_id for s in seen[: 2 * len(OFFSETS)]]
    assert rounds == [f"p{i}" for i in range(5)] + [f"p{i}#1" for i in range(5)]
    second = seen[len(OFFSETS) :]
    assert second[0].created_at >= seen[len(OFFSETS) - 1].created_at  # a new round is retimed on


async def test_replay_bad_line_goes_to_dead_letters_once(tmp_path: Path, store: SQLiteStore):
    good = json.dumps({"id": "ok", "text": "bonjour", "created_at": T0.isoformat()})
    path = _write(tmp_path / "bad.jsonl", [good, '{"id": "cut", "te', good.replace("ok", "ok2")])
    seen = await _replay(store, _source(path))
    assert [s.native_id for s in seen] == ["ok", "ok2"]
    [dead] = store.dead_letters(WS)
    assert dead.reason.startswith(f"bad.jsonl at byte {len(good) + 1}: not valid JSON")
    store.put([], cursors={(WS, NAME): None})
    await _replay(store, _source(path))
    assert len(store.dead_letters(WS)) == 1
