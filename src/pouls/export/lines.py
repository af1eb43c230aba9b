"""JSON lines: one object a signal, with the export's columns as keys and typed values.

Numbers stay numbers, `own` a boolean, a missing value `null`; times are ISO 8601 (UTC for
`created_at`, the workspace's local time for `local_time`). No formula escaping: JSON is read
by programs, which get the text exactly as stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import tzinfo

import msgspec

from pouls.export.columns import NAMES, values
from pouls.signals import Signal

CHUNK_ROWS = 500

_encoder = msgspec.json.Encoder()


def jsonl_chunks(signals: Iterable[Signal], tz: tzinfo) -> Iterator[bytes]:
    """One UTF-8 JSON object a line, a few hundred lines at a time."""
    lines: list[bytes] = []
    for s in signals:
        lines.append(_encoder.encode(dict(zip(NAMES, values(s, tz), strict=True))))
        if len(lines) == CHUNK_ROWS:
            yield b"\n".join(lines) + b"\n"
            lines.clear()
    if lines:
        yield b"\n".join(lines) + b"\n"
