"""Live updates by Server-Sent Events: each newly stored signal of the selection, as a card."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from pouls.signals import Signal
from pouls.web.params import FACETS, Selection, selection
from pouls.web.routes.wall import pages

router = APIRouter()


@router.get("/stream", response_class=EventSourceResponse, include_in_schema=False)
async def live(
    request: Request, sel: Annotated[Selection, Depends(selection)]
) -> AsyncIterator[ServerSentEvent]:
    """One `signal` event per new signal that the page's selection would show, as HTML."""
    hub = request.app.state.live
    queue = hub.subscribe()
    card = pages.get_template("_card.html")
    try:
        yield ServerSentEvent(event="ready", data={"workspace": sel.workspace})
        while not await request.is_disconnected():
            batch = await queue.get()
            for s in batch:
                if selected(s, sel):
                    html = card.render(s=s, sel=sel, fresh=True)
                    yield ServerSentEvent(event="signal", id=s.id, raw_data=html)
    finally:
        hub.unsubscribe(queue)


def selected(s: Signal, sel: Selection) -> bool:
    """Whether a new signal belongs on a page showing this selection."""
    if s.workspace != sel.workspace:
        return False
    for facet in FACETS:
        wanted = getattr(sel.filters, facet)
        if wanted is None:
            continue
        if facet == "topic":
            if wanted not in s.topics:
                return False
        elif getattr(s, facet) != wanted:
            return False
    if sel.q:
        words = _fold(f"{s.title or ''} {s.text}").split()
        return all(any(w == t for t in words) for w in _fold(sel.q).split())
    return True


def _fold(text: str) -> str:
    """Lowercase without accents or punctuation, as the full-text index sees words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    kept = (c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return "".join(kept)
