"""An export as bytes for a response, or as a file that appears only once it is whole."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, tzinfo
from enum import StrEnum
from pathlib import Path

from pouls.export.delimited import csv_chunks
from pouls.export.lines import jsonl_chunks
from pouls.export.workbook import write_xlsx
from pouls.signals import Signal

FILE_CHUNK = 1 << 20


class Format(StrEnum):
    """The formats of an export."""

    csv = "csv"
    jsonl = "jsonl"
    xlsx = "xlsx"


MEDIA_TYPES = {
    Format.csv: "text/csv; charset=utf-8",
    Format.jsonl: "application/jsonl; charset=utf-8",
    Format.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def chunks(
    format: Format, signals: Iterable[Signal], tz: tzinfo, *, sep: str = ","
) -> Iterator[bytes]:
    """The export as a stream of bytes. CSV and JSON lines are made as they are read; a
    workbook must be whole before its first byte (its zip index), so it is written to a
    temporary file first, sent, then removed."""
    if format is Format.csv:
        yield from csv_chunks(signals, tz, sep)
    elif format is Format.jsonl:
        yield from jsonl_chunks(signals, tz)
    else:
        with tempfile.TemporaryDirectory(prefix="pouls-export-") as folder:
            path = Path(folder) / "export.xlsx"
            write_xlsx(signals, tz, path)
            with path.open("rb") as f:
                while block := f.read(FILE_CHUNK):
                    yield block


def save(
    format: Format, signals: Iterable[Signal], tz: tzinfo, path: Path, *, sep: str = ","
) -> None:
    """Write the export to `path` through a temporary file beside it, renamed at the end: a
    failure (a full disk, a store error, Ctrl-C) leaves no half-written file, and an older
    file at `path` stays as it was."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    part = Path(name)
    try:
        if format is Format.xlsx:
            os.close(fd)
            write_xlsx(signals, tz, part)
        else:
            with os.fdopen(fd, "wb") as f:
                for block in chunks(format, signals, tz, sep=sep):
                    f.write(block)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def filename(
    workspace: str,
    format: Format,
    since: datetime | None,
    until: datetime | None,
    tz: tzinfo,
    today: date,
) -> str:
    """`pouls-acme-2026-11-30_2026-12-06.csv`: the workspace and the range's local days (the
    last day included), or the day of the export when no range was chosen."""
    if since is None and until is None:
        days = f"{today.isoformat()}"
    else:
        first = since.astimezone(tz).date().isoformat() if since else "start"
        last = _last_day(until, tz).isoformat() if until else today.isoformat()
        days = f"{first}_{last}"
    safe = "".join(c if (c.isascii() and c.isalnum()) or c in "-_" else "-" for c in workspace)
    return f"pouls-{safe}-{days}.{format.value}"


def _last_day(until: datetime, tz: tzinfo) -> date:
    """The last local day a half-open range covers: until midnight is the day before."""
    local = until.astimezone(tz)
    day = local.date()
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return date.fromordinal(day.toordinal() - 1)
    return day
