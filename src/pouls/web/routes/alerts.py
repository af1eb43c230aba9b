"""Alerts (list, explanation, the team's actions) and crisis stories, each scoped to the `?ws=`
workspace."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

import msgspec
from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pouls.query.period import Period, preset_period, zone
from pouls.signals import utcnow
from pouls.store.watch import WatchStore
from pouls.watch import titles
from pouls.watch.crisis import LEVELS, Escalation, Stories
from pouls.watch.explain import Explanation
from pouls.watch.rules import parse_duration
from pouls.watch.workflow import COMMENT_LENGTH, SNOOZES, STATES, Refused, State, perform
from pouls.watch.workflow import Request as ActionRequest
from pouls.web.alerting import TEAM, check_respond, may_respond, show, team_lines
from pouls.web.auth import same_origin
from pouls.web.i18n import language, translate
from pouls.web.params import Selection, selection
from pouls.web.ranges import picker
from pouls.web.templating import templates

router = APIRouter(include_in_schema=False)
pages = templates()


@router.get("/alerts", response_class=HTMLResponse)
def alert_list(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    state: Annotated[State | None, Query(description="Team state as of now.")] = None,
    rule: Annotated[str | None, Query(max_length=200)] = None,
    assignee: Annotated[
        str | None, Query(max_length=320, description="A login, `me` or `none`.")
    ] = None,
    status: Annotated[Literal["open", "closed"] | None, Query()] = None,
) -> HTMLResponse:
    """Alerts of the workspace, newest first, with their state, peak and deliveries; filtered
    on state, rule, assignee and range, and acted on in place."""
    book = WatchStore(request.app.state.store)
    now = utcnow()
    lang = language(request)
    who, unassigned = _assignee(request, assignee)
    found = book.alerts(
        sel.workspace,
        since=sel.filters.since,
        until=sel.filters.until,
        rule=rule or None,
        status=status,
        state=state,
        assignee=who,
        unassigned=unassigned,
        now=now,
        limit=LIST_LENGTH,
    )
    overview = book.overview(sel.workspace, [a.id for a in found])
    rows = [(show(a, lang, now, overview[a.id].peak), overview[a.id]) for a in found]
    chosen = {"state": state, "rule": rule, "assignee": assignee, "status": status}
    tz = zone(request.app.state.settings.workspace(sel.workspace).timezone)
    context = {
        "sel": sel,
        "listing": Listing(sel, {k: v for k, v in chosen.items() if v}),
        "picker": picker(sel.period, tz, lang),
        "range_action": "/alerts",
        "rows": rows,
        "status": status,
        "chosen": chosen,
        "filtered": bool(state or rule or assignee or status or sel.period),
        "rules": book.alert_rules(sel.workspace),
        **_work_context(request, sel),
    }
    return pages.TemplateResponse(request, "alerts.html", context)


LIST_LENGTH = 200


class Listing:
    """The list's selection as the range picker (`_range.html`) reads it: its links and form
    keep the list's own filters (state, rule, assignee) beside the range."""

    def __init__(self, sel: Selection, filters: dict[str, str]) -> None:
        self.sel = sel
        self.filters = filters
        self.period = sel.period

    def params(self, **changes: str | None) -> dict[str, str]:
        return {**self.sel.params(**changes), **self.filters}


def _assignee(request: Request, assignee: str | None) -> tuple[str | None, bool]:
    """The `assignee` filter: a login, `me` (the signed-in account) or `none` (unassigned)."""
    value = (assignee or "").strip()
    if value == "none":
        return None, True
    if value == "me":
        return request.state.user.login, False
    return value or None, False


def _work_context(request: Request, sel: Selection) -> dict[str, Any]:
    members = request.app.state.store.users.members(sel.workspace)
    return {
        "members": members,
        "names": {m.login: m.label for m in members},
        "may_respond": may_respond(request, sel.workspace),
        "snoozes": SNOOZES,
        "states": STATES,
    }


@router.post("/alerts/{alert_id}/actions", response_model=None)
def alert_action(
    request: Request,
    alert_id: Annotated[int, Path(ge=0, le=2**63 - 1)],
    sel: Annotated[Selection, Depends(selection)],
    action: Annotated[str, Form(max_length=40)],
    assignee: Annotated[str | None, Form(max_length=320)] = None,
    duration: Annotated[str | None, Form(alias="for", max_length=40)] = None,
    until: Annotated[str | None, Form(max_length=40)] = None,
    text: Annotated[str | None, Form(max_length=COMMENT_LENGTH + 100)] = None,
    view: Annotated[Literal["row", "work"], Form()] = "work",
) -> Response:
    """Act on an alert from its page or the list: the updated part for htmx, else back to
    the page it was sent from. A refusal says why, in the page's language."""
    if not same_origin(request):
        raise HTTPException(403, "this form must be sent from pouls itself")
    lang = language(request)
    check_respond(request, sel.workspace, lang)
    ask = ActionRequest(
        action=action,
        assignee=assignee if action == "assign" else None,
        duration=(duration or None) if action == "snooze" else None,
        until=(until or None) if action == "snooze" and not duration else None,
        text=text if action == "comment" else None,
    )
    error, status = None, 200
    try:
        perform(
            WatchStore(request.app.state.store),
            sel.workspace,
            alert_id,
            ask,
            actor=request.state.user.login,
            members={m.login for m in request.app.state.store.users.members(sel.workspace)},
            timezone=request.app.state.settings.workspace(sel.workspace).timezone,
            now=utcnow(),
        )
    except Refused as exc:
        if exc.status == 404:
            raise HTTPException(404, translate(lang, exc.message)) from None
        error, status = translate(lang, exc.message) % exc.values, exc.status
    if not request.headers.get("HX-Request"):
        if error is not None:
            raise HTTPException(status, error)
        back = "/alerts" if view == "row" else f"/alerts/{alert_id}"
        return RedirectResponse(f"{back}?ws={sel.workspace}", status_code=303)
    return _part(request, sel, alert_id, view, error, status)


def _part(
    request: Request, sel: Selection, alert_id: int, view: str, error: str | None, status: int
) -> HTMLResponse:
    """The list row or the page's team panel of an alert, as htmx swaps it in."""
    book = WatchStore(request.app.state.store)
    alert = book.alert(sel.workspace, alert_id)
    if alert is None:
        raise HTTPException(404, "no such alert in this workspace")
    now, lang = utcnow(), language(request)
    overview = book.overview(sel.workspace, [alert_id])[alert_id]
    context = {
        "sel": sel,
        "error": error,
        **_work_context(request, sel),
    }
    if view == "row":
        context["row"] = (show(alert, lang, now, overview.peak), overview)
        return pages.TemplateResponse(request, "_alert_row.html", context, status_code=status)
    context["s"] = show(alert, lang, now, overview.peak)
    context["team"] = team_lines(book.history(sel.workspace, alert_id))
    context["fragment"] = True  # the header's badge is swapped with it (hx-swap-oob)
    return pages.TemplateResponse(request, "_alert_work.html", context, status_code=status)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_detail(
    request: Request,
    alert_id: Annotated[int, Path(ge=0, le=2**63 - 1)],  # what SQLite holds, never a 500
    sel: Annotated[Selection, Depends(selection)],
) -> HTMLResponse:
    """One alert explained: chart, terms, channels, authors, examples, history, deliveries,
    and what the team did with it."""
    book = WatchStore(request.app.state.store)
    alert = book.alert(sel.workspace, alert_id)
    if alert is None:
        raise HTTPException(404, "no such alert in this workspace")
    lang = language(request)
    explanation = chart = None
    if alert.explanation:
        explanation = msgspec.json.decode(alert.explanation, type=Explanation)
        chart = explanation.chart_svg(lang)  # in UTC, as the page's other times
    history = book.history(sel.workspace, alert_id)
    overview = book.overview(sel.workspace, [alert_id])[alert_id]
    context = {
        "sel": sel,
        "a": alert,
        "s": show(alert, lang, utcnow(), overview.peak),
        "e": explanation,
        "chart": chart,
        "history": [h for h in history if h.change not in TEAM],
        "team": team_lines(history),
        "deliveries": list(reversed(book.deliveries(sel.workspace, alert_id=alert_id))),
        "error": None,
        "figure": lambda value, metric: titles.figure(value, metric, lang),
        "lift": lambda value: titles.lift(value, lang),
        **_work_context(request, sel),
    }
    return pages.TemplateResponse(request, "alerts_detail.html", context)


@router.get("/crisis", response_class=HTMLResponse)
def crisis(request: Request, sel: Annotated[Selection, Depends(selection)]) -> HTMLResponse:
    """Stories that escalated, with their timeline across private, public and press, over the
    range of the shared picker (`range`, `since`, `until`; the last 30 days by default)."""
    lang = language(request)
    tz = zone(request.app.state.settings.workspace(sel.workspace).timezone)
    period = sel.period or preset_period(CRISIS_DEFAULT, tz=tz)
    span, within = _crisis_span(sel, period)
    found = _recent(request.app, sel.workspace, span)
    if within is not None:
        found = [e for e in found if within.since <= e.at < within.until]
    # Numbered 1..n as shown: the tracker's own numbers count stories outside the span too
    # (a page whose only story read « Histoire 4 »).
    stories = list({id(e.story): e.story for e in found}.values())
    shown = [(n, s, [e for e in found if e.story is s]) for n, s in enumerate(stories, 1)]
    context = {
        "sel": sel,
        "stories": shown,
        "levels": LEVELS,
        "picker": picker(period, tz, lang),
        "range_action": "/crisis",
        "range_all": False,  # stories are linked over a span: all time would link everything
    }
    return pages.TemplateResponse(request, "crisis.html", context)


CRISIS_DEFAULT = "30d"
_RELATIVE = ("24h", "7d", "30d", "90d")


def _crisis_span(sel: Selection, period: Period) -> tuple[timedelta, Period | None]:
    """The span of stories to follow, and the range to keep of them (None: all the span).

    A range that ends now and counts back (`7d`, `since=12h`) is a span as it is, followed
    between visits (`Stories`). Any other range (this month, custom dates) follows the span
    from its start to now in whole days, the same all day long so that it stays linked, and
    keeps the escalations inside the range."""
    rolling = "until" not in sel.span and period.preset != "last-month"
    relative = period.preset in _RELATIVE or _is_duration(sel.span.get("since"))
    if sel.period is None or (rolling and relative):
        whole = period.until - period.since
        return min(timedelta(minutes=round(whole / timedelta(minutes=1))), CRISIS_LONGEST), None
    back = utcnow() - period.since
    days = min(timedelta(days=-(-back // timedelta(days=1))), CRISIS_LONGEST)
    return max(days, timedelta(days=1)), period


def _is_duration(text: str | None) -> bool:
    try:
        return bool(text) and parse_duration(str(text)) > timedelta(0)
    except (ValueError, OverflowError):
        return False


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
