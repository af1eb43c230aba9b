"""Exports of a selection as CSV, JSON lines or XLSX, streamed from the store in pages.

One column schema (`columns.COLUMNS`, documented in docs/export.md) for every format; the web
app, the API and `pouls search` all export through here, so they write the same file.
"""

from pouls.export.columns import COLUMNS, NAMES
from pouls.export.delimited import SEPARATORS
from pouls.export.output import MEDIA_TYPES, Format, chunks, filename, save
from pouls.export.reading import read

__all__ = [
    "COLUMNS",
    "MEDIA_TYPES",
    "NAMES",
    "SEPARATORS",
    "Format",
    "chunks",
    "filename",
    "read",
    "save",
]
