"""JSON API over stored signals: search with filters and paging, one signal by id."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from pouls.query import QueryError
from pouls.web.params import Selection, selection

router = APIRouter(prefix="/api/v1", tags=["signals"])


def _json(value: Any) -> Response:
    return Response(msgspec.json.encode(value), media_type="application/json")


@router.get("/signals")
def list_signals(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """Signals newest first; pass `next` back as `after` for the following page."""
    try:
        page = request.app.state.store.search(
            sel.workspace, sel.q, sel.filters, after=sel.after, limit=limit, count=True
        )
    except QueryError as exc:
        raise HTTPException(
            400, {"error": exc.message, "column": exc.column, "code": exc.code}
        ) from None
    return _json({"total": page.total, "next": page.next, "signals": page.signals})


@router.get("/signals/{signal_id}")
def get_signal(
    request: Request, signal_id: str, sel: Annotated[Selection, Depends(selection)]
) -> Response:
    """One signal with its enrichments."""
    signal = request.app.state.store.get(sel.workspace, signal_id)
    if signal is None:
        raise HTTPException(404, "no such signal in this workspace")
    return _json(signal)


@router.get("/facets")
def facets(request: Request, sel: Annotated[Selection, Depends(selection)]) -> Response:
    """Counts per channel, source, kind, visibility and language for the selection."""
    try:
        return _json(request.app.state.store.facets(sel.workspace, sel.q, sel.filters))
    except QueryError as exc:
        raise HTTPException(
            400, {"error": exc.message, "column": exc.column, "code": exc.code}
        ) from None
