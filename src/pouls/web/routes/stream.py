"""Live updates by Server-Sent Events: each newly stored signal of the selection, as a card."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from pouls.access import may
from pouls.query import Matcher, QueryError
from pouls.signals import Signal
from pouls.store.rows import toxic
from pouls.web.i18n import language
from pouls.web.params import FACETS, Selection, selection
from pouls.web.routes.wall import pages

router = APIRouter()


@router.get("/stream", response_class=EventSourceResponse, include_in_schema=False)
async def live(
    request: Request, sel: Annotated[Selection, Depends(selection)]
) -> AsyncIterator[ServerSentEvent]:
    """One `signal` event per new signal that the page's selection would show, as HTML."""
    wanted = _wanted(sel)
    hub = request.app.state.live
    queue = hub.subscribe()
    card = pages.get_template("_card.html")
    lang = language(request)
    corrector = may(request.state.user.roles.get(sel.workspace), "correct")  # the bulk checkbox
    try:
        yield ServerSentEvent(event="ready", data={"workspace": sel.workspace})
        while not await request.is_disconnected():
            batch = await queue.get()
            for s in batch:
                if wanted(s):
                    html = card.render(s=s, sel=sel, fresh=True, lang=lang, corrector=corrector)
                    yield ServerSentEvent(event="signal", id=s.id, raw_data=html)
    finally:
        hub.unsubscribe(queue)


def _wanted(sel: Selection) -> Callable[[Signal], bool]:
    """The test a new signal must pass to be sent to a page showing `sel`."""
    try:
        matcher = Matcher({"q": sel.q}) if sel.q else None
    except QueryError:
        # The page shows the error; the stream stays open (no reconnection storm), silent.
        return lambda s: False
    if matcher is None:
        return lambda s: selected(s, sel)
    return lambda s: selected(s, sel) and bool(matcher.match(s))


def selected(s: Signal, sel: Selection) -> bool:
    """Whether a new signal passes the page's range and filters (the matcher checks the query)."""
    if s.workspace != sel.workspace or not sel.admits(s.created_at):
        return False
    for facet in FACETS:
        wanted = getattr(sel.filters, facet)
        if wanted is None:
            continue
        if facet == "topic":
            if wanted not in s.topics:
                return False
        elif facet == "sentiment":
            if s.sentiment is None or s.sentiment.label != wanted:
                return False
        elif facet == "flag":
            score = toxic(s) if wanted == "toxic" else s.scam
            if score is None or score < 0.5:
                return False
        elif facet == "place":
            if s.geo is None or s.geo.place != wanted:
                return False
        elif getattr(s, facet) != wanted:
            return False
    return True
