"""The demo's history (seed 7) imported through the real pipeline, and its bad buzz's timeline."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pouls import demo, pipeline
from pouls.config import Rule
from pouls.signals import Signal
from pouls.sources.files import FileSource
from pouls.store.sqlite import SQLiteStore

END = datetime(2026, 10, 3, 18, 0, tzinfo=UTC)
WORKSPACE = "demo"
# What a team would watch for a food-safety crisis; hourly steps, a little more sensitive.
RULE = Rule(
    name="intoxication",
    workspace=WORKSPACE,
    kind="spike",
    query="intoxication",
    bucket=60,
    sensitivity=0.6,
)


def records() -> list[dict]:
    return list(demo.generate(END, seed=7))


def write(path: Path) -> list[dict]:
    recs = records()
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n")
    return recs


def load(
    store: SQLiteStore, path: Path, listeners: Sequence[Callable[[list[Signal]], None]] = ()
) -> None:
    source = FileSource(name="demo", workspace=WORKSPACE, path=path)
    asyncio.run(pipeline.run([source], store, listeners=listeners))


def public_peak(recs: list[dict]) -> datetime:
    """Start of the hour with the most public bad-buzz signals."""
    hours = Counter(
        datetime.fromisoformat(r["created_at"]).replace(minute=0, second=0, microsecond=0)
        for r in recs
        if r.get("demo_story") == "badbuzz" and r["visibility"] == "public"
    )
    return max(hours, key=lambda h: hours[h])


def first(recs: list[dict], visibility: str) -> datetime:
    return min(
        datetime.fromisoformat(r["created_at"])
        for r in recs
        if r.get("demo_story") == "badbuzz" and r["visibility"] == visibility
    )


SINCE = END - timedelta(days=30)
