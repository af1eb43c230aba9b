"""The dashboard page: a workspace's or a topic's figures on a range, against the period before.

The figures come from `pouls.analyse.figures` (the same ones `/api/v1/dashboard` answers).
The page renders the key numbers itself and hands the rest to `static/dashboard.js` as a JSON
data island (a `<script type="application/json">`, which the CSP lets through because it never
runs), so the page costs one request and no inline script.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from pouls.analyse import figures
from pouls.locale import N_, translate
from pouls.query import QueryError
from pouls.query.period import preset_period, zone
from pouls.store.topics import Topic
from pouls.web import i18n
from pouls.web.dashboard_text import labels, tiles
from pouls.web.params import Selection, wall_selection
from pouls.web.ranges import picker
from pouls.web.routes.dashboard_api import DEFAULT_RANGE
from pouls.web.templating import templates

router = APIRouter(include_in_schema=False)
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)  # parse_period's start of a range with none
OPEN_START = N_("Choose a first day: a dashboard compares a range with the one just before it.")
NO_TOPIC = N_("no topic %(topic)s in this workspace")
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
pages = templates()


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    sel: Annotated[Selection, Depends(wall_selection)],
    sov: Annotated[
        list[str] | None,
        Query(max_length=2000, description="Topics compared in the share of voice, by comma."),
    ] = None,
) -> HTMLResponse:
    """Key numbers and charts of the selection on its range (by default the API's, 30 days).

    A range that cannot be read (or has no first day) and an unknown topic keep the page, its
    picker and its links, with the reason: the way out is on the page itself.
    """
    settings = request.app.state.settings
    store = request.app.state.store
    tz = zone(settings.workspace(sel.workspace).timezone)
    lang = i18n.language(request)
    problem, status = sel.range_error, 400
    if problem is None and sel.period is not None and sel.period.since == BEGINNING:
        problem = translate(lang, OPEN_START)
    sel = _with_range(sel, tz)
    assert sel.period is not None  # _with_range always sets one
    topics = store.topics.list(sel.workspace)
    if problem is None and sel.filters.topic and sel.filters.topic not in {t.name for t in topics}:
        problem, status = translate(lang, NO_TOPIC, topic=sel.filters.topic), 404
    chosen = [t.strip() for v in sov or [] for t in v.split(",") if t.strip()] or None
    context: dict[str, Any] = {
        "sel": sel,
        "topics": topics,
        "topic_color": _color(next((t for t in topics if t.name == sel.filters.topic), None)),
        "sov": chosen or [],
        "picker": picker(sel.period, tz, lang),
        "previous_words": picker(sel.period.previous(), tz, lang).words,
        "range_action": "/dashboard",
        "wall": wall_params(sel),
        "range_all": False,  # a dashboard compares a range with the one before: never all time
    }
    if problem is not None:
        return _refused(request, context, problem, status)
    try:
        result = figures.dashboard(
            store,
            settings,
            sel.workspace,
            sel.q,
            sel.filters,
            sel.period,
            sov_topics=chosen,
        )
    except QueryError as exc:
        context["error"] = exc
        return pages.TemplateResponse(request, "dashboard.html", context, status_code=400)
    except figures.FigureError as exc:
        return _refused(request, context, translate(lang, exc.message, **exc.values), 400)
    data = msgspec.to_builtins(result)
    context.update(
        data=data,
        tiles=tiles(lang, data["totals"]),
        island={
            "figures": data,
            "wall": wall_params(sel),
            "labels": labels(lang, data),
            "world": request.url_for("static", path="vendor/world-110m.json").path,
        },
    )
    return pages.TemplateResponse(request, "dashboard.html", context)


def _refused(request: Request, context: dict[str, Any], problem: str, status: int) -> HTMLResponse:
    """The page with its picker (custom dates open) and the reason instead of figures."""
    context.update(problem=problem, picker=msgspec.structs.replace(context["picker"], custom=True))
    return pages.TemplateResponse(request, "dashboard.html", context, status_code=status)


def _with_range(sel: Selection, tz: Any) -> Selection:
    """The selection itself when it has a range, else the same over the default range."""
    if sel.period is not None:
        return sel
    period = preset_period(DEFAULT_RANGE, tz=tz)
    filters = msgspec.structs.replace(sel.filters, since=period.since, until=period.until)
    return msgspec.structs.replace(
        sel, period=period, filters=filters, span={"range": DEFAULT_RANGE}
    )


def wall_params(sel: Selection) -> dict[str, str]:
    """The page's selection as the wall reads it. The figures leave the workspace's own accounts
    out unless `own` is chosen, so the wall is told to as well: a bar of 12 opens on 12 signals."""
    return sel.params(own="false") if sel.chosen("own") is None else sel.params()


def _color(topic: Topic | None) -> str | None:
    """A topic's colour for a style attribute: `#rrggbb` only, whatever its origin stored."""
    color = topic.color if topic else None
    return color if color and _HEX.fullmatch(color) else None
