"""What a team does with an alert: acknowledge, assign, snooze, comment, resolve, reopen.

The rules of these steps (which state allows which action, what each one needs) live here,
apart from the store that records them and the pages and API that offer them, so that both
refuse the same things with the same words. The detector's own `status` (open while the
episode lasts, closed once it is over) is another matter: a team may resolve an alert whose
episode goes on, and an episode may end before anyone looked.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Literal, get_args

import msgspec

from pouls.locale import N_
from pouls.query.period import PeriodError, read_moment, zone
from pouls.store.watch import AlertChanged, StoredAlert, WatchStore

State = Literal["open", "acknowledged", "snoozed", "resolved"]
STATES: tuple[State, ...] = get_args(State)
Verb = Literal["ack", "assign", "snooze", "comment", "resolve", "reopen"]
VERBS: tuple[Verb, ...] = get_args(Verb)

SNOOZES = ("1h", "4h", "24h", "7d")  # the page's snooze buttons
LONGEST_SNOOZE = timedelta(days=30)  # longer than that, resolve it: it would be forgotten
SHORTEST_SNOOZE = timedelta(minutes=1)
COMMENT_LENGTH = 4000
_SPAN = re.compile(r"^\d{1,5}\s*(min|h|d|w)$")


class Refused(Exception):
    """An action that cannot be done. `message` is English with `%(name)s` holes filled from
    `values` (a page shows `_(message, **values)`); `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400, **values: str) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.status = status
        self.values = values


class Request(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An action as the API's JSON body (and the page's form) gives it."""

    action: str
    assignee: str | None = None  # assign: a member's login; "" or null unassigns
    duration: str | None = msgspec.field(default=None, name="for")  # snooze: 1h, 4h, 2d
    until: str | None = None  # snooze: an ISO date or datetime, in the workspace's time zone
    text: str | None = None  # comment


class Step(msgspec.Struct, frozen=True, kw_only=True):
    """An action decided: the history line to record and the alert's state after it."""

    change: str  # acknowledged, assigned, unassigned, snoozed, commented, resolved, reopened
    state: State
    assignee: str | None
    snoozed_until: datetime | None
    value: str | None = None  # the assignee, the snooze's end (ISO), the comment


def current(state: str, snoozed_until: datetime | None, now: datetime) -> State:
    """The state as of `now`: a snooze that is over leaves the alert open again."""
    if state == "snoozed" and (snoozed_until is None or snoozed_until <= now):
        return "open"
    return state if state in STATES else "open"  # type: ignore[return-value,unused-ignore]


def decide(
    state: State,
    assignee: str | None,
    snoozed_until: datetime | None,
    ask: Request,
    *,
    now: datetime,
    members: Collection[str],
    timezone: str | None = None,
) -> Step:
    """What `ask` does to an alert in `state` (already `current`); `Refused` with the reason."""
    verb = ask.action
    if verb not in VERBS:
        raise Refused(
            N_("unknown action %(action)s: use one of %(actions)s"),
            action=verb[:40],
            actions=", ".join(VERBS),
        )
    if verb == "comment":
        text = (ask.text or "").strip()
        if not text:
            raise Refused(N_("a comment needs some text"))
        if len(text) > COMMENT_LENGTH:
            raise Refused(N_("a comment holds %(n)s characters at most"), n=str(COMMENT_LENGTH))
        return Step(
            change="commented",
            state=state,
            assignee=assignee,
            snoozed_until=snoozed_until,
            value=text,
        )
    if verb == "reopen":
        if state == "open":
            raise Refused(N_("the alert is open already"), 409)
        return Step(change="reopened", state="open", assignee=assignee, snoozed_until=None)
    if state == "resolved":
        raise Refused(N_("the alert is resolved: reopen it first"), 409)
    if verb == "ack":
        if state == "acknowledged":
            raise Refused(N_("the alert is acknowledged already"), 409)
        return Step(
            change="acknowledged", state="acknowledged", assignee=assignee, snoozed_until=None
        )
    if verb == "resolve":
        return Step(change="resolved", state="resolved", assignee=assignee, snoozed_until=None)
    if verb == "assign":
        return _assign(state, assignee, snoozed_until, ask.assignee, members)
    end = _snooze_end(ask, now, timezone)
    return Step(
        change="snoozed",
        state="snoozed",
        assignee=assignee,
        snoozed_until=end,
        value=end.isoformat(),
    )


def _assign(
    state: State,
    assignee: str | None,
    snoozed_until: datetime | None,
    login: str | None,
    members: Collection[str],
) -> Step:
    login = (login or "").strip() or None
    if login is None:
        if assignee is None:
            raise Refused(N_("the alert is assigned to no one already"), 409)
        return Step(change="unassigned", state=state, assignee=None, snoozed_until=snoozed_until)
    if login not in members:
        raise Refused(N_("%(login)s is not a member of this workspace"), login=login[:80])
    if login == assignee:
        raise Refused(N_("the alert is assigned to %(login)s already"), 409, login=login)
    return Step(
        change="assigned", state=state, assignee=login, snoozed_until=snoozed_until, value=login
    )


def _snooze_end(ask: Request, now: datetime, timezone: str | None) -> datetime:
    if (ask.duration is None) == (ask.until is None):
        raise Refused(N_("snooze: give either for (1h, 4h, 2d) or until (a date and time)"))
    span = (ask.duration or "").strip().lower()
    if ask.duration is not None and not _SPAN.match(span):
        raise Refused(N_("for: %(value)s is not a span such as 1h, 4h or 2d"), value=span[:40])
    try:
        if ask.duration is not None:
            back = read_moment(span, now=now, tz=zone(timezone), name="for")
            end = now + (now - back)  # read_moment reads a span back from now
        else:
            end = read_moment(str(ask.until).strip(), now=now, tz=zone(timezone), name="until")
    except PeriodError as exc:
        raise Refused(exc.message, 400, **exc.values) from None
    if end - now < SHORTEST_SNOOZE:
        raise Refused(N_("snooze: the end must be in the future"))
    if end - now > LONGEST_SNOOZE:
        raise Refused(N_("snooze: 30 days at most; resolve the alert instead"))
    return end


def perform(
    book: WatchStore,
    workspace: str,
    alert_id: int,
    ask: Request,
    *,
    actor: str,
    members: Collection[str],
    timezone: str | None,
    now: datetime,
) -> StoredAlert:
    """Decide and record `ask` on an alert of the workspace; the alert as it is then.

    `Refused` (404 when there is no such alert in the workspace, 409 when someone else changed
    it between reading and recording: nothing is half-done).
    """
    alert = book.alert(workspace, alert_id)
    if alert is None:
        raise Refused(N_("no such alert in this workspace"), 404)
    state = current(alert.state, alert.snoozed_until, now)
    snooze = alert.snoozed_until if state == "snoozed" else None
    step = decide(state, alert.assignee, snooze, ask, now=now, members=members, timezone=timezone)
    try:
        book.act(
            workspace,
            alert_id,
            change=step.change,
            actor=actor,
            at=now,
            state=step.state,
            assignee=step.assignee,
            snoozed_until=step.snoozed_until,
            value=step.value,
            expected=(alert.state, alert.assignee, alert.snoozed_until),
        )
    except AlertChanged:
        raise Refused(
            N_("someone changed this alert meanwhile: reload it and try again"), 409
        ) from None
    found = book.alert(workspace, alert_id)
    assert found is not None  # alerts are never deleted while a workspace exists
    return found
