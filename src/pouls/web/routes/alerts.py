"""Alerts (list and explanation) and crisis stories, each scoped to the `?ws=` workspace."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Annotated, Any, Literal

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse

from pouls.store.watch import WatchStore
from pouls.watch.crisis import LEVELS, Escalation, Stories
from pouls.watch.escalation import story_chart
from pouls.watch.explain import Explanation
from pouls.watch.rules import parse_duration
from pouls.web.params import Selection, selection
from pouls.web.templating import templates

router = APIRouter(include_in_schema=False)
pages = templates()


@router.get("/alerts", response_class=HTMLResponse)
def alert_list(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    status: Annotated[Literal["open", "closed"] | None, Query()] = None,
) -> HTMLResponse:
    """Alerts of the workspace, newest first, with their peak and how delivery went."""
    book = WatchStore(request.app.state.store)
    found = book.alerts(sel.workspace, status=status, limit=200)
    overview = book.overview(sel.workspace, [a.id for a in found])
    context = {"sel": sel, "alerts": found, "overview": overview, "status": status}
    return pages.TemplateResponse(request, "alerts.html", context)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_detail(
    request: Request,
    alert_id: Annotated[int, Path(ge=0, le=2**63 - 1)],  # what SQLite holds, never a 500
    sel: Annotated[Selection, Depends(selection)],
) -> HTMLResponse:
    """One alert explained: chart, terms, channels, authors, examples, history, deliveries."""
    book = WatchStore(request.app.state.store)
    alert = book.alert(sel.workspace, alert_id)
    if alert is None:
        raise HTTPException(404, "no such alert in this workspace")
    explanation = chart = None
    if alert.explanation:
        explanation = msgspec.json.decode(alert.explanation, type=Explanation)
        png = story_chart(explanation) if alert.kind == "escalation" else explanation.chart()
        chart = "data:image/png;base64," + base64.b64encode(png).decode()
    context = {
        "sel": sel,
        "a": alert,
        "e": explanation,
        "chart": chart,
        "history": book.history(sel.workspace, alert_id),
        "deliveries": list(reversed(book.deliveries(sel.workspace, alert_id=alert_id))),
    }
    return pages.TemplateResponse(request, "alerts_detail.html", context)


@router.get("/crisis", response_class=HTMLResponse)
def crisis(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    since: Annotated[str, Query(description="How far back: 12h, 30d, 2w.")] = "30d",
) -> HTMLResponse:
    """Stories that escalated, with their timeline across private, public and press."""
    try:
        span = parse_duration(since)
    except (ValueError, OverflowError):
        raise HTTPException(400, "since: a duration such as 12h, 30d or 2w") from None
    if span > CRISIS_LONGEST:
        raise HTTPException(400, "since: ten years at most")
    found = _recent(request.app, sel.workspace, span)
    # Numbered 1..n as shown: the tracker's own numbers count stories outside the span too
    # (a page whose only story read « Histoire 4 »).
    stories = list({id(e.story): e.story for e in found}.values())
    shown = [(n, s, [e for e in found if e.story is s]) for n, s in enumerate(stories, 1)]
    context = {"sel": sel, "stories": shown, "levels": LEVELS, "since": since}
    return pages.TemplateResponse(request, "crisis.html", context)


CRISIS_LONGEST = timedelta(days=3653)  # further back, dates leave what datetime holds
CRISIS_SPANS = 8  # spans of stories kept per process (each follows its workspace's new signals)


def _recent(app: Any, workspace: str, span: timedelta) -> list[Escalation]:
    """The escalations of the span, linked once per process and then followed: each visit
    links only the signals stored since the last one (a full linking took seconds)."""
    kept: dict[tuple[str, timedelta], Stories] | None = getattr(app.state, "crisis_stories", None)
    if kept is None:
        kept = app.state.crisis_stories = {}
    stories = kept.pop((workspace, span), None) or Stories(app.state.store, workspace, span)
    kept[(workspace, span)] = stories  # the most recently used last
    while len(kept) > CRISIS_SPANS:
        del kept[next(iter(kept))]
    found, _ = stories.current()
    return found
