"""JSON API over stored signals: search with filters and paging, one signal by id, facet counts
and the series of a selection over its time range."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from pouls.query import QueryError
from pouls.query.period import DAY, HOUR, WEEK, origin, preset_period, zone
from pouls.web.errors import Refusal, query_refusal
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
        raise query_refusal(exc) from None
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
        raise query_refusal(exc) from None


STEPS = {"hour": HOUR, "day": DAY, "week": WEEK}
MAX_BUCKETS = 5000  # a decade of days; ten years of hours would be 87,600 points
DEFAULT_RANGE = "30d"


class Point(msgspec.Struct, kw_only=True):
    """One bucket of `GET /api/v1/series`; `start` in the workspace's time zone."""

    start: str
    volume: int
    positive: int
    neutral: int
    negative: int


@router.get("/series")
def series(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    bucket: Annotated[
        Literal["hour", "day", "week"] | None,
        Query(description="Bucket size; default: hours up to 2 days, days up to 92, else weeks."),
    ] = None,
) -> Response:
    """Volume and sentiment counts per bucket of the selection's range (default: the last 30
    days); buckets follow the workspace's clock (local midnight, Mondays) and empty ones are 0."""
    tz = zone(request.app.state.settings.workspace(sel.workspace).timezone)
    period = sel.period or preset_period(DEFAULT_RANGE, tz=tz)
    step = STEPS[bucket] if bucket else period.bucket()
    start = origin(period, step, tz)
    count = -(-(period.until - start) // step)
    if count > MAX_BUCKETS:
        raise Refusal(
            400,
            "bucket: %(count)s buckets of one %(bucket)s in this range, %(most)s at most;"
            " choose a larger bucket or a shorter range",
            count=count,
            bucket=_name(step),
            most=MAX_BUCKETS,
        )
    try:
        buckets = request.app.state.store.series(
            sel.workspace,
            sel.q,
            sel.filters,
            bucket=step,
            since=period.since,
            until=period.until,
            origin=start,
        )
    except QueryError as exc:
        raise query_refusal(exc) from None
    points = [
        Point(
            start=b.start.astimezone(tz).isoformat(),
            volume=b.volume,
            positive=b.positive,
            neutral=b.neutral,
            negative=b.negative,
        )
        for b in buckets
    ]
    since, until = (moment.astimezone(tz).isoformat() for moment in (period.since, period.until))
    return _json(
        {
            "since": since,
            "until": until,
            "bucket": _name(step),
            "timezone": tz.key,
            "buckets": points,
        }
    )


def _name(step: timedelta) -> str:
    return next(name for name, value in STEPS.items() if value == step)
