"""The unified wall (newest first, facets, search, live updates) and the signal detail page."""

from __future__ import annotations

from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from pouls.access import may
from pouls.corrections import ENTITY_TYPES, SENTIMENTS, TOXICITY
from pouls.query import QueryError
from pouls.query.period import zone
from pouls.store import Page
from pouls.web.i18n import language
from pouls.web.params import FACETS, Selection, selection, wall_selection
from pouls.web.ranges import picker
from pouls.web.templating import templates

router = APIRouter(include_in_schema=False)
pages = templates()


@router.get("/", response_class=HTMLResponse)
def wall(request: Request, sel: Annotated[Selection, Depends(wall_selection)]) -> HTMLResponse:
    """The wall; an htmx request for more gets only the next cards. A range that cannot be
    read is explained above the empty wall, beside the picker that replaces it (a 400)."""
    store = request.app.state.store
    settings = request.app.state.settings
    tz = zone(settings.workspace(sel.workspace).timezone)
    context: dict[str, object] = {
        "sel": sel,
        "facet_names": FACETS,
        "workspaces": [w for w in settings.workspaces if w.id in request.state.user.roles],
        "exporter": may(request.state.user.roles.get(sel.workspace), "export"),
        "corrector": may(request.state.user.roles.get(sel.workspace), "correct"),
        "picker": picker(sel.period, tz, language(request)),
        "range_action": "/",
    }
    if sel.range_error:
        context.update(page=Page(signals=[], total=0), facets={})
        return pages.TemplateResponse(request, "wall.html", context, status_code=400)
    try:
        page = store.search(
            sel.workspace,
            sel.q,
            sel.filters,
            after=sel.after,
            limit=settings.file.web.page_size,
            count=sel.after is None,
        )
    except QueryError as exc:
        context.update(page=Page(signals=[], total=0), facets={}, error=exc)
        return pages.TemplateResponse(request, "wall.html", context, status_code=400)
    context["page"] = page
    context["marked"] = store.corrections.marked(sel.workspace, [s.id for s in page.signals])
    if request.headers.get("HX-Request") and sel.after:
        return pages.TemplateResponse(request, "_cards.html", context)
    context["facets"] = store.facets(sel.workspace, sel.q, sel.filters)
    return pages.TemplateResponse(request, "wall.html", context)


@router.get("/signals/{signal_id}", response_class=HTMLResponse)
def detail(
    request: Request, signal_id: str, sel: Annotated[Selection, Depends(selection)]
) -> HTMLResponse:
    """Everything pouls knows of one signal, its enrichments and its raw payload."""
    signal = request.app.state.store.get(sel.workspace, signal_id)
    if signal is None:
        raise HTTPException(404, "no such signal in this workspace")
    as_json = msgspec.json.format(msgspec.json.encode(signal), indent=2).decode()
    context = {
        "sel": sel,
        "s": signal,
        "as_json": as_json,
        "corrections": {
            c.field: c for c in request.app.state.store.corrections.of(sel.workspace, signal_id)
        },
        "corrector": may(request.state.user.roles.get(sel.workspace), "correct"),
        "choices": {"sentiment": SENTIMENTS, "toxicity": TOXICITY},
        "entity_types": ENTITY_TYPES,
    }
    return pages.TemplateResponse(request, "signal.html", context)
