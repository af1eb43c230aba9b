"""A workspace's corrections as a labelled dataset: CSV or JSON lines, one correction a row.

What a team takes away to train or evaluate its own models: the text as stored, the field,
the person's value and the models' value. Authors are never in it; in a pseudonymous workspace
neither is the name of the person who corrected (the dataset names no one the store does not
need to). CSV cells that a spreadsheet would run as formulas are defused, as in every export.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pouls.corrections import Correction, label
from pouls.export.delimited import BOM, defuse
from pouls.signals import Signal

Format = Literal["csv", "jsonl"]
FORMATS: tuple[str, ...] = ("csv", "jsonl")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
COLUMNS = (
    "signal_id",
    "field",
    "value",
    "model",
    "corrected_by",
    "corrected_at",
    "lang",
    "channel",
    "title",
    "text",
)
CHUNK_ROWS = 500


def record(c: Correction, s: Signal, *, named: bool) -> dict[str, Any]:
    """One row of the dataset; `named` False (a pseudonymous workspace) leaves out who."""
    model = c.model
    if c.field == "sentiment" and isinstance(model, dict):
        model = model.get("label")
    return {
        "signal_id": c.signal_id,
        "field": c.field,
        "value": c.value,
        "model": model,
        "corrected_by": c.by if named else None,
        "corrected_at": c.at.isoformat(),
        "lang": s.lang,
        "channel": s.channel,
        "title": s.title,
        "text": s.text,
    }


def chunks(
    rows: Iterable[tuple[Correction, Signal]], format: Format, *, named: bool
) -> Iterator[bytes]:
    """The dataset in `format`, a few hundred rows at a time."""
    if format == "jsonl":
        lines: list[str] = []
        for c, s in rows:
            lines.append(json.dumps(record(c, s, named=named), ensure_ascii=False))
            if len(lines) >= CHUNK_ROWS:
                yield ("\n".join(lines) + "\n").encode()
                lines = []
        if lines:
            yield ("\n".join(lines) + "\n").encode()
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(COLUMNS)
    for n, (c, s) in enumerate(rows, 1):
        writer.writerow([_cell(v) for v in record(c, s, named=named).values()])
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        text = label(value) if isinstance(value, list) else json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return defuse(text)
