"""GET /api/v1/dashboard: the figures of the dashboard page (and of anyone's script) as JSON.

The selection, the range and the rights are those of /api/v1/signals; `bucket` forces the
series' step and `sov` names the topics compared in the share of voice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from pouls.analyse.figures import FigureError, dashboard
from pouls.locale import translate
from pouls.query import QueryError
from pouls.query.period import preset_period, zone
from pouls.web.i18n import language
from pouls.web.params import Selection, selection

router = APIRouter(prefix="/api/v1", tags=["dashboard"])
DEFAULT_RANGE = "30d"  # what a dashboard shows when the request names no range


@router.get("/dashboard")
def get_dashboard(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    bucket: Annotated[str | None, Query(description="Series step: hour, day or week.")] = None,
    sov: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="Topics compared in the share of voice, comma-separated"
            " (default: those tagged share-of-voice).",
        ),
    ] = None,
) -> Response:
    """Volumes, sentiment, share of voice, tops, mix and map, each against the period before."""
    settings = request.app.state.settings
    period = sel.period
    tz = zone(settings.workspace(sel.workspace).timezone)
    if period is None:
        period = preset_period(DEFAULT_RANGE, tz=tz)
    topics = None if sov is None else [t.strip() for t in sov.split(",") if t.strip()]
    store = request.app.state.store
    topic = sel.filters.topic
    if topic and topic not in {t.name for t in store.topics.list(sel.workspace)}:
        # A misspelt topic must not read as a topic with nothing said about it.
        message = "no topic %(topic)s in this workspace"
        raise HTTPException(404, translate(language(request), message, topic=topic))
    try:
        found = dashboard(
            store,
            settings,
            sel.workspace,
            sel.q,
            sel.filters,
            period,
            topics,
            bucket=bucket or None,
        )
    except FigureError as exc:
        # The page asks for its figures in its own language: its cookie or Accept-Language.
        raise HTTPException(400, translate(language(request), exc.message, **exc.values)) from None
    except QueryError as exc:
        raise HTTPException(
            400, {"error": exc.message, "column": exc.column, "code": exc.code}
        ) from None
    return Response(msgspec.json.encode(local_times(found, tz)), media_type="application/json")


def local_times(found: object, tz: ZoneInfo) -> object:
    """The figures with every moment on the workspace's clock (`2026-12-07T00:00:00+01:00`),
    as GET /api/v1/series writes them, and the zone's name beside the period: a day bucket then
    reads as the local day it counts, not as 23:00Z the evening before."""

    def local(value: object) -> object:
        if isinstance(value, datetime):
            return value.astimezone(tz)
        if isinstance(value, dict):
            return {k: local(v) for k, v in value.items()}
        if isinstance(value, list):
            return [local(v) for v in value]
        return value

    out = local(msgspec.to_builtins(found, builtin_types=(datetime,)))
    if isinstance(out, dict) and isinstance(out.get("period"), dict):
        out["period"]["timezone"] = tz.key
    return out
