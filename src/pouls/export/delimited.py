"""CSV as spreadsheets open it: UTF-8 with a BOM, `,` or `;`, formulas defused, in chunks.

The BOM is what makes Excel read the file as UTF-8 (without it, `é` shows as `Ã©`). A `;`
file is the one French Excel opens in columns; it also writes decimals with a comma (`0,82`),
as that Excel reads numbers. A text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage
return gets a leading `'`, so a spreadsheet shows it as text instead of running it as a formula
(CSV injection: a signal's text is written by strangers).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import tzinfo

from pouls.export.columns import COLUMNS, NAMES, Value, values
from pouls.signals import Signal

BOM = "\ufeff"
SEPARATORS = (",", ";")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset("".join(FORMULA_STARTS))
CHUNK_ROWS = 500  # rows per chunk handed to the response or the file: ~100 KB


def defuse(text: str) -> str:
    """Text a spreadsheet shows as text, never evaluates.

    >>> [defuse(t) for t in ["=1+1", "-20 % ce soir", "@zoe", "bonjour"]]
    ["'=1+1", "'-20 % ce soir", "'@zoe", 'bonjour']
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(signals: Iterable[Signal], tz: tzinfo, sep: str = ",") -> Iterator[bytes]:
    """The header, then the signals' rows, as UTF-8 bytes a few hundred rows at a time."""
    if sep not in SEPARATORS:
        raise ValueError(f"separator must be one of {SEPARATORS}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(NAMES)
    cells = _cells(decimal_comma=sep == ";")
    remaining = iter(signals)
    while batch := list(itertools.islice(remaining, CHUNK_ROWS)):
        writer.writerows([cells(values(s, tz)) for s in batch])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # nothing to export: the header alone
        yield buffer.getvalue().encode()


def _cells(decimal_comma: bool) -> Callable[[tuple[Value, ...]], list[Value]]:
    """A row's values made CSV cells: text defused, times ISO 8601, flags true/false, decimal
    commas for `;`. None and integers are left to the csv writer (empty, digits)."""
    kinds = [c.kind for c in COLUMNS]
    text = [i for i, k in enumerate(kinds) if k == "text"]
    utc, local = (i for i, k in enumerate(kinds) if k == "time")
    flag = kinds.index("flag")
    numbers = [i for i, k in enumerate(kinds) if k == "number"] if decimal_comma else []

    def cells(values: tuple[Value, ...]) -> list[Value]:
        row = list(values)
        for i in text:
            v = row[i]
            if v and v[0] in FORMULA_FIRST:  # type: ignore[index]
                row[i] = "'" + v  # type: ignore[operator]
        row[utc] = row[utc].isoformat()  # type: ignore[union-attr]
        row[local] = row[local].isoformat(" ")  # type: ignore[union-attr]
        row[flag] = "true" if row[flag] else "false"
        for i in numbers:
            v = row[i]
            if isinstance(v, float):
                row[i] = repr(v).replace(".", ",")
        return row

    return cells
