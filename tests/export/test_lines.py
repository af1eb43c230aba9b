"""JSON lines: the export's columns as keys, typed values, text exactly as stored."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from pouls.export import NAMES
from pouls.export.lines import CHUNK_ROWS, jsonl_chunks
from pouls.signals import Sentiment, Signal
from tests.conftest import make_signal


def test_each_line_is_an_object_of_the_columns_with_typed_values() -> None:
    signals = [
        make_signal(1, "=1+1 é", sentiment=Sentiment(label="positive", score=0.9)),
        make_signal(2, "deux", topics=("prix",)),
    ]
    data = b"".join(jsonl_chunks(signals, ZoneInfo("Europe/Paris")))
    first, second = (json.loads(line) for line in data.decode().splitlines())
    assert list(first) == list(NAMES)
    assert first["text"] == "=1+1 é"  # programs get the text as stored
    assert first["sentiment_score"] == 0.9 and first["own"] is False and first["likes"] is None
    assert first["created_at"] == "2026-10-01T08:01:00Z"
    assert first["local_time"] == "2026-10-01T10:01:00"
    assert second["topics"] == "prix"


def test_lines_are_written_as_they_are_read() -> None:
    endless: Iterator[Signal] = (make_signal(n) for n in itertools.count())
    assert next(jsonl_chunks(endless, ZoneInfo("UTC"))).count(b"\n") == CHUNK_ROWS


def test_a_lone_surrogate_is_written_as_a_replacement_character() -> None:
    signals = [make_signal(1, "un"), make_signal(2, "cassé \ud83d ici", title="\udc00")]
    first, second = (
        json.loads(x) for x in b"".join(jsonl_chunks(signals, ZoneInfo("UTC"))).splitlines()
    )
    assert first["text"] == "un"
    assert second["text"] == "cassé \ufffd ici" and second["title"] == "\ufffd"
