"""XLSX with XlsxWriter in constant-memory mode: each row goes to disk as it is written.

Text cells are always written as strings, never read as formulas, numbers or links; one that
begins like a formula also gets Excel's "quote prefix" style, so editing it keeps it text.
Excel holds 1,048,576 rows a sheet: past that the export goes on in a sheet `signals 2`, and so
on, rather than stopping. A cell holds at most 32,767 characters: a longer text is cut with `…`.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from datetime import tzinfo
from pathlib import Path
from typing import Any

import xlsxwriter

from pouls.export.columns import COLUMNS, NAMES, values
from pouls.export.delimited import FORMULA_STARTS
from pouls.signals import Signal
from pouls.signals.inputs import text as writable

SHEET_ROWS = 1_048_576  # Excel's limit, the header included
CELL_CHARS = 32_767
WIDTHS = {"text": 80, "title": 40, "url": 40, "created_at": 20, "local_time": 20, "id": 18}


def write_xlsx(
    signals: Iterable[Signal], tz: tzinfo, path: Path, *, sheet_rows: int = SHEET_ROWS
) -> int:
    """Write the signals to a new workbook at `path`; the number of signals written.

    Rows wait in a private folder beside `path`, removed in every case; `path` is written only
    when the workbook is assembled, at the end (`output.save` gives it a temporary name, renamed
    once whole).
    """
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".pouls-rows-") as rows:
        book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "tmpdir": rows,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "remove_timezone": True,
            },
        )
        styles = {
            "header": book.add_format({"bold": True}),
            "time": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "quoted": book.add_format({"quote_prefix": True}),
        }
        try:
            written = _rows(book, signals, tz, styles, sheet_rows)
        except BaseException:
            _drop(book)
            raise
        book.close()
    return written


def _rows(
    book: Any, signals: Iterable[Signal], tz: tzinfo, styles: dict[str, Any], sheet_rows: int
) -> int:
    kinds = [c.kind for c in COLUMNS]
    written = 0
    sheet, row = _sheet(book, 1, styles), 1
    for s in signals:
        if row == sheet_rows:
            sheet, row = _sheet(book, len(book.worksheets()) + 1, styles), 1
        for col, (value, kind) in enumerate(zip(values(s, tz), kinds, strict=True)):
            if value is not None:
                _write(sheet, row, col, value, kind, styles)
        row += 1
        written += 1
    return written


def _drop(book: Any) -> None:
    """Close the row files of a workbook that will not be finished (XlsxWriter closes them
    only in `close()`, which would assemble the workbook); the folder goes with them."""
    for sheet in book.worksheets():
        handle = getattr(sheet, "row_data_fh", None)
        if handle is not None:
            handle.close()


def _sheet(book: Any, number: int, styles: dict[str, Any]) -> Any:
    sheet = book.add_worksheet("signals" if number == 1 else f"signals {number}")
    for col, name in enumerate(NAMES):
        sheet.set_column(col, col, WIDTHS.get(name, 14))
        sheet.write_string(0, col, name, styles["header"])
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, 0, len(NAMES) - 1)
    return sheet


def _write(
    sheet: Any, row: int, col: int, value: object, kind: str, styles: dict[str, Any]
) -> None:
    if kind == "time":
        sheet.write_datetime(row, col, value, styles["time"])
    elif kind == "number":
        sheet.write_number(row, col, value)
    elif kind == "flag":
        sheet.write_boolean(row, col, bool(value))
    elif kind == "label":
        sheet.write_string(row, col, str(value))
    else:
        _write_text(sheet, row, col, str(value), styles)


def _write_text(sheet: Any, row: int, col: int, text: str, styles: dict[str, Any]) -> None:
    # XlsxWriter writes control characters (and text shaped like its `_xHHHH_` escape) as
    # OOXML's `_xHHHH_` escapes, which Excel reads back; a lone surrogate cannot be written at
    # all (the workbook would fail at its end), so it becomes U+FFFD, as the store reads input.
    text = writable(text)
    if len(text) > CELL_CHARS // 2:  # UTF-16 units: an emoji counts two
        text = _cut(text)
    if text.startswith("<r>") and text.endswith("</r>"):
        # XlsxWriter's constant-memory mode copies a string shaped like its own rich-text
        # markup into the XML unescaped; written as plain fragments (at least three, none
        # empty) it is escaped.
        sheet.write_rich_string(row, col, *_fragments(text))
    elif text.startswith(FORMULA_STARTS):
        sheet.write_string(row, col, text, styles["quoted"])
    else:
        sheet.write_string(row, col, text)


def _fragments(text: str) -> list[str]:
    """A `<r>…</r>` text as rich-string fragments that read back as the text.

    XlsxWriter escapes a rich string twice (`_x0001_` becomes `_x005F_x0001_`, shown as is):
    a control character, which no escape brings back then, becomes U+FFFD, and a fragment ends
    after each `_` followed by `x`, so that no text shaped like an escape is taken for one.
    """
    text = _CONTROL.sub("\ufffd", text)
    return [text[:1], text[1:3], *_ESCAPE_START.split(text[3:])]


# What XlsxWriter writes as `_xHHHH_` (xmlwriter.py): C0 controls but tab and line feed.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_ESCAPE_START = re.compile("(?<=_)(?=x)")


def _cut(text: str) -> str:
    """At most CELL_CHARS UTF-16 units, ending with `…` when something was cut."""
    if len(text.encode("utf-16-le")) // 2 <= CELL_CHARS:
        return text
    out, units = [], 0
    for ch in text:
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > CELL_CHARS - 1:
            break
        out.append(ch)
    return "".join(out) + "…"
