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
from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo

from pouls.export.columns import COLUMNS, NAMES, values
from pouls.signals import Signal

BOM = "\ufeff"
SEPARATORS = (",", ";")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
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
    comma = sep == ";"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(NAMES)
    kinds = [c.kind for c in COLUMNS]
    for rows, s in enumerate(signals, 1):
        writer.writerow([_cell(v, k, comma) for v, k in zip(values(s, tz), kinds, strict=True)])
        if rows % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _cell(value: object, kind: str, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if kind == "text":
        return defuse(str(value))
    if kind == "time" and isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.tzinfo is None else value.isoformat()
    if kind == "flag":
        return "true" if value else "false"
    text = str(value)
    return text.replace(".", ",") if decimal_comma and isinstance(value, float) else text
