"""What the alert pages and the alerts API show of an alert: its title, figures and peak in the
reader's language, its team state as of now, who may act on it.

Shared by `routes/alerts.py` (pages) and `routes/alerts_api.py` (JSON) so that both word and
judge an alert the same way.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

import msgspec
from fastapi import HTTPException, Request

from pouls.access import may
from pouls.locale import N_
from pouls.store.watch import AlertChange, StoredAlert
from pouls.watch import titles
from pouls.watch.workflow import State, current
from pouls.web.i18n import translate
from pouls.web.templating import role_label


class Shown(msgspec.Struct, kw_only=True):
    """An alert as a list or page shows it."""

    alert: StoredAlert
    title: str
    figures: str
    peak: str
    metric: str
    state: State
    facts: titles.Facts


def show(alert: StoredAlert, lang: str, now: datetime, peak: float | None = None) -> Shown:
    """The alert worded in `lang`, its state as of `now`."""
    found = titles.of_alert(alert)
    return Shown(
        alert=alert,
        title=titles.title(alert.kind, found, lang),
        figures=titles.figures(alert.kind, found, lang),
        peak=titles.figure(peak, found.metric, lang) if peak is not None else "–",
        metric=found.metric,
        state=current(alert.state, alert.snoozed_until, now),
        facts=found,
    )


def may_respond(request: Request, workspace: str) -> bool:
    """Whether the signed-in account may act on the workspace's alerts."""
    return may(request.state.user.roles.get(workspace), "respond")


def check_respond(request: Request, workspace: str, lang: str) -> None:
    """403, with the reason, unless the signed-in account may act on the workspace's alerts."""
    if not may_respond(request, workspace):
        role = request.state.user.roles.get(workspace) or "-"
        message = N_(
            "a %(role)s reads alerts but cannot act on them: ask an admin for another role"
        )
        raise HTTPException(403, translate(lang, message) % {"role": role_label(lang, role)})


class TeamLine(msgspec.Struct, kw_only=True):
    """One of the team's actions on an alert, as its page lists it."""

    at: datetime
    change: str
    actor: str | None
    value: str | None
    until: datetime | None = None  # a snooze's end


TEAM = frozenset(
    {"acknowledged", "assigned", "unassigned", "snoozed", "commented", "resolved", "reopened"}
)


def team_lines(history: list[AlertChange]) -> list[TeamLine]:
    """The team's actions among an alert's history lines, oldest first."""
    out = []
    for h in history:
        if h.change not in TEAM:
            continue
        until = None
        if h.change == "snoozed" and h.value:
            with contextlib.suppress(ValueError):
                until = datetime.fromisoformat(h.value)
        out.append(TeamLine(at=h.at, change=h.change, actor=h.actor, value=h.value, until=until))
    return out
