"""JSON API over alerts: list with filters, one alert with its explanation and history, and the
team's actions (acknowledge, assign, snooze, comment, resolve, reopen).

Same sign-in and roles as the pages: every role reads; `pouls.access.may(role, "respond")`
acts. A refusal is a 4xx whose `detail` says why, in English (or in `lang`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response

from pouls.query.period import PeriodError, parse_period, zone
from pouls.signals import utcnow
from pouls.store.rows import from_us, to_us
from pouls.store.users import User
from pouls.store.watch import StoredAlert, WatchStore
from pouls.watch.explain import Explanation
from pouls.watch.workflow import STATES, VERBS, Refused, State, perform
from pouls.watch.workflow import Request as ActionRequest
from pouls.web.alerting import check_respond, show, team_lines
from pouls.web.auth import viewer
from pouls.web.errors import Refusal
from pouls.web.i18n import translate
from pouls.web.params import default_workspace

router = APIRouter(prefix="/api/v1", tags=["alerts"])

Lang = Literal["en", "fr"]
AlertId = Annotated[int, Path(ge=0, le=2**63 - 1, description="The alert's id.")]


def workspace(
    request: Request,
    user: Annotated[User, Depends(viewer)],
    ws: Annotated[str | None, Query(description="Workspace id (default: the first).")] = None,
) -> str:
    """FastAPI dependency: a workspace where the signed-in account has a role."""
    chosen = ws or default_workspace(request, user)
    if request.app.state.settings.workspace(chosen) is None:
        raise Refusal(404, "no workspace %(workspace)r", workspace=chosen)
    if chosen not in user.roles:
        raise Refusal(
            403,
            "%(login)s has no role in workspace %(workspace)r: ask one of its admins",
            login=user.login,
            workspace=chosen,
        )
    return chosen


Workspace = Annotated[str, Depends(workspace)]
LangQuery = Annotated[Lang, Query(description="Language of titles and figures.")]


def _json(value: Any, status: int = 200) -> Response:
    return Response(msgspec.json.encode(value), status_code=status, media_type="application/json")


def _alert(alert: StoredAlert, lang: str, now: datetime, peak: float | None) -> dict[str, Any]:
    s = show(alert, lang, now, peak)
    return {
        "id": alert.id,
        "workspace": alert.workspace,
        "rule": alert.rule,
        "kind": alert.kind,
        "title": s.title,
        "figures": s.figures,
        "facts": s.facts,
        "status": alert.status,
        "state": s.state,
        "assignee": alert.assignee,
        "snoozed_until": alert.snoozed_until if s.state == "snoozed" else None,
        "started_at": alert.started_at,
        "updated_at": alert.updated_at,
        "closed_at": alert.closed_at,
        "observed": alert.observed,
        "baseline": alert.baseline,
        "peak": peak,
        "score": alert.score,
        "link": f"/alerts/{alert.id}?ws={alert.workspace}",
    }


@router.get("/alerts")
def list_alerts(
    request: Request,
    ws: Workspace,
    lang: LangQuery = "en",
    state: Annotated[State | None, Query(description="Team state as of now.")] = None,
    status: Annotated[
        Literal["open", "closed"] | None,
        Query(description="The episode: open while it lasts, closed once over."),
    ] = None,
    rule: Annotated[str | None, Query(max_length=200, description="A rule's name.")] = None,
    assignee: Annotated[
        str | None, Query(max_length=320, description="A member's login, `me` or `none`.")
    ] = None,
    range: Annotated[
        str | None, Query(description="Opened within a preset: 24h, 7d, 30d, 90d, month...")
    ] = None,
    since: Annotated[str | None, Query(description="Opened from: 2026-11-30, 24h, 7d.")] = None,
    until: Annotated[str | None, Query(description="Opened before: same forms.")] = None,
    after: Annotated[
        str | None,
        Query(pattern=r"^\d{1,18}:\d{1,18}$", description="Cursor of the next page (`next`)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """Alerts newest first; pass `next` back as `after` for the following page."""
    tz = request.app.state.settings.workspace(ws).timezone
    try:
        period = parse_period(since, until, preset=range, tz=zone(tz))
    except PeriodError as exc:
        raise HTTPException(400, translate(lang, exc.message, **exc.values)) from None
    who = (assignee or "").strip() or None
    if who == "me":
        who = request.state.user.login
    book = WatchStore(request.app.state.store)
    now = utcnow()
    found = book.alerts(
        ws,
        since=period.since if period else None,
        until=period.until if period else None,
        rule=rule or None,
        status=status,
        state=state,
        assignee=None if who == "none" else who,
        unassigned=who == "none",
        now=now,
        limit=limit,
        after=_cursor(after),
    )
    overview = book.overview(ws, [a.id for a in found])
    alerts = [_alert(a, lang, now, overview[a.id].peak) for a in found]
    last = found[-1] if len(found) == limit else None
    following = f"{to_us(last.started_at)}:{last.id}" if last else None
    return _json({"alerts": alerts, "next": following, "states": STATES})


@router.get("/alerts/{alert_id}")
def get_alert(
    request: Request, alert_id: AlertId, ws: Workspace, lang: LangQuery = "en"
) -> Response:
    """One alert: its explanation, the detector's history, the team's actions, deliveries."""
    book = WatchStore(request.app.state.store)
    alert = book.alert(ws, alert_id)
    if alert is None:
        raise HTTPException(404, "no such alert in this workspace")
    history = book.history(ws, alert_id)
    overview = book.overview(ws, [alert_id])[alert_id]
    out = _alert(alert, lang, utcnow(), overview.peak)
    out["explanation"] = (
        msgspec.json.decode(alert.explanation, type=Explanation) if alert.explanation else None
    )
    out["history"] = [
        {
            "at": h.at,
            "change": h.change,
            "observed": h.observed,
            "baseline": h.baseline,
            "score": h.score,
            "note": h.note,
        }
        for h in history
        if h.actor is None and h.value is None
    ]
    out["actions"] = team_lines(history)
    out["deliveries"] = {
        "attempts": overview.attempts,
        "delivered": overview.delivered,
        "failed": overview.failed,
        "last_error": overview.last_error,
    }
    return _json(out)


def _cursor(after: str | None) -> tuple[datetime, int] | None:
    if after is None:
        return None
    started, alert_id = after.split(":")
    try:
        return from_us(int(started)), int(alert_id)
    except (OverflowError, ValueError, OSError):  # a forged cursor past year 9999
        raise HTTPException(400, "after: not a page cursor; use `next` of a page") from None


ACTION_EXAMPLES = {
    "acknowledge": {"value": {"action": "ack"}},
    "assign": {"value": {"action": "assign", "assignee": "ana@acme.fr"}},
    "unassign": {"value": {"action": "assign", "assignee": None}},
    "snooze for": {"value": {"action": "snooze", "for": "4h"}},
    "snooze until": {"value": {"action": "snooze", "until": "2026-12-08T09:00"}},
    "comment": {"value": {"action": "comment", "text": "Called the shop: on it."}},
    "resolve": {"value": {"action": "resolve"}},
    "reopen": {"value": {"action": "reopen"}},
}


@router.post("/alerts/{alert_id}/actions")
def act_on_alert(
    request: Request,
    alert_id: AlertId,
    ws: Workspace,
    body: Annotated[
        dict[str, Any],
        Body(
            openapi_examples=ACTION_EXAMPLES,
            description=f"`action`: one of {', '.join(VERBS)}; `assignee` (assign), `for` or"
            " `until` (snooze; `until` in the workspace's time zone unless it has an offset),"
            " `text` (comment). Other fields are refused.",
        ),
    ],
    lang: LangQuery = "en",
) -> Response:
    """Act on an alert; the alert as it is afterwards (201: the action is recorded, with who
    and when). 400: a bad action or value; 403: a role that only reads; 404: no such alert;
    409: the alert's state does not allow it (acknowledged already, resolved...)."""
    check_respond(request, ws, lang)
    try:
        ask = msgspec.convert(body, type=ActionRequest)
    except msgspec.ValidationError as exc:
        raise Refusal(400, "body: %(why)s", why=str(exc)) from None
    try:
        alert = perform(
            WatchStore(request.app.state.store),
            ws,
            alert_id,
            ask,
            actor=request.state.user.login,
            members={m.login for m in request.app.state.store.users.members(ws)},
            timezone=request.app.state.settings.workspace(ws).timezone,
            now=utcnow(),
        )
    except Refused as exc:
        raise HTTPException(exc.status, translate(lang, exc.message) % exc.values) from None
    overview = WatchStore(request.app.state.store).overview(ws, [alert_id])[alert_id]
    return _json(_alert(alert, lang, utcnow(), overview.peak), 201)
