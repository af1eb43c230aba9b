"""JSON lines: one object a signal, with the export's columns as keys and typed values.

Numbers stay numbers, `own` a boolean, a missing value `null`; times are ISO 8601 (UTC for
`created_at`, the workspace's local time for `local_time`). No formula escaping: JSON is read
by programs, which get the text exactly as stored.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import tzinfo
from typing import Any

import msgspec

from pouls.export.columns import NAMES, values
from pouls.signals import Signal
from pouls.signals.inputs import text as writable

CHUNK_ROWS = 1000

# A struct of the columns, in order: msgspec writes it as an object with these keys, faster
# than a dict made a row.
_Line = msgspec.defstruct("Line", [(name, Any) for name in NAMES])
_encoder = msgspec.json.Encoder()


def jsonl_chunks(signals: Iterable[Signal], tz: tzinfo) -> Iterator[bytes]:
    """One UTF-8 JSON object a line, a thousand lines at a time."""
    remaining = iter(signals)
    while batch := list(itertools.islice(remaining, CHUNK_ROWS)):
        lines = [_Line(*values(s, tz)) for s in batch]
        try:
            data = _encoder.encode_lines(lines)
        except UnicodeEncodeError:  # a lone surrogate, which no stored signal holds
            data = _encoder.encode_lines([_mended(line) for line in lines])
        yield data


def _mended(line: Any) -> Any:
    """The line with each lone surrogate of its texts as U+FFFD, as the store reads input."""
    return _Line(*(writable(v) if isinstance(v, str) else v for v in msgspec.structs.astuple(line)))
