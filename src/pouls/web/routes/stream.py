"""Live updates by Server-Sent Events: each newly stored signal of the selection, as a card."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from pouls.query import Matcher, QueryError
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
        matcher = Matcher({"q": sel.q}) if sel.q else None
    except QueryError:
        matcher = None  # the page shows the error; the stream then sends nothing
        sel = msgspec.structs.replace(sel, workspace="")
    try:
        yield ServerSentEvent(event="ready", data={"workspace": sel.workspace})
        while not await request.is_disconnected():
            batch = await queue.get()
            for s in batch:
                if selected(s, sel) and (matcher is None or matcher.match(s)):
                    html = card.render(s=s, sel=sel, fresh=True)
                    yield ServerSentEvent(event="signal", id=s.id, raw_data=html)
    finally:
        hub.unsubscribe(queue)


def selected(s: Signal, sel: Selection) -> bool:
    """Whether a new signal passes the page's filters (the query is checked by the matcher)."""
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
    return True
