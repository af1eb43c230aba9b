"""Exports of the wall's selection: `/export` for the browser, `/api/v1/export` for scripts.

Both stream the file as it is read from the store (XLSX once written to a temporary file), so
an export of millions of signals holds one page in memory. The range, query and filters are the
wall's (`Selection`); only roles with the `export` right may, and a selection with nothing in it
is answered with a message, never an empty file.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from pouls.access import may
from pouls.export import MEDIA_TYPES, Format, chunks, filename, read
from pouls.locale import N_, translate
from pouls.query import QueryError
from pouls.query.period import zone
from pouls.signals import Signal, utcnow
from pouls.web.errors import query_refusal
from pouls.web.i18n import language
from pouls.web.params import Selection, selection

router = APIRouter()

NOT_ALLOWED = N_("Your role in this workspace does not allow exports: ask an admin or an analyst.")
NOTHING = N_(
    "Nothing to export: no signal matches this selection. Widen the range or clear a filter."
)
FormatParam = Annotated[
    Format, Query(description="csv (UTF-8 with BOM), jsonl (JSON lines) or xlsx.")
]
SepParam = Annotated[
    Literal[",", ";"],
    Query(description="CSV separator: `,` or `;` (French Excel; decimals then use a comma)."),
]


@router.get("/export", include_in_schema=False)
def export_page(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    format: FormatParam = Format.csv,
    sep: SepParam = ",",
) -> StreamingResponse:
    """The wall's selection as a download; a refusal or an empty selection is a page."""
    return _export(request, sel, format, sep, lang=language(request))


@router.get(
    "/api/v1/export",
    tags=["signals"],
    response_class=StreamingResponse,
    responses={
        200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "The file."},
        400: {"description": "The query or the range cannot be read."},
        403: {"description": "The role in this workspace does not allow exports."},
        404: {"description": "No signal matches the selection."},
    },
)
def export_api(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    format: FormatParam = Format.csv,
    sep: SepParam = ",",
) -> StreamingResponse:
    """Every signal of the selection (query, filters, range), newest first, as one file.

    Columns: docs/export.md. Streamed without a size limit; pseudonymous workspaces export
    pseudonyms, as stored.
    """
    return _export(request, sel, format, sep, lang=None)


def _export(
    request: Request, sel: Selection, format: Format, sep: str, *, lang: str | None
) -> StreamingResponse:
    """The download; `lang` None for the API, whose query errors keep their JSON shape."""
    if not may(request.state.user.roles.get(sel.workspace), "export"):
        raise HTTPException(403, NOT_ALLOWED)
    store = request.app.state.store
    found = read(store, sel.workspace, sel.q, sel.filters)
    try:
        first = next(found, None)
    except QueryError as exc:
        if lang is None:
            raise query_refusal(exc) from None
        reason = translate(lang, exc.template, **exc.values)
        said = translate(lang, "This query cannot be read: %(reason)s", reason=reason)
        raise HTTPException(400, said) from None
    if first is None:
        raise HTTPException(404, NOTHING)
    workspace = request.app.state.settings.workspace(sel.workspace)
    tz = zone(workspace.timezone)
    since, until = (sel.period.since, sel.period.until) if sel.period else (None, None)
    name = filename(sel.workspace, format, since, until, tz, utcnow().astimezone(tz).date())
    signals: Iterator[Signal] = itertools.chain([first], found)
    return StreamingResponse(
        chunks(format, signals, tz, sep=sep),
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
