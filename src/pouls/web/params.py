"""Query-string parameters shared by pages, API and stream: the workspace and the selection."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from fastapi import Depends, HTTPException, Query, Request

from pouls.locale import translate
from pouls.query.period import Period, PeriodError, parse_period, zone
from pouls.store import Filters
from pouls.store.users import User
from pouls.web.auth import viewer
from pouls.web.errors import MACHINE_PATHS, Refusal, api_language
from pouls.web.i18n import language

# A page cursor is `created_us:seq`, two integers SQLite holds in 64 bits: 18 digits at most
# keeps a forged one from overflowing there (a 500) instead of being refused (a 400).
_AFTER = re.compile(r"^\d{1,18}:\d{1,18}$")


class Selection(msgspec.Struct, frozen=True, kw_only=True):
    """Which signals a page shows: workspace, full-text query, facet filters, time range,
    page cursor. `span` keeps the range as it was written (`range=7d`, or `since`/`until`),
    so a shared link stays "the last 7 days" instead of freezing the dates it was opened on."""

    workspace: str
    q: str | None = None
    filters: Filters = Filters()
    after: str | None = None
    period: Period | None = None
    span: dict[str, str] = {}
    range_error: str | None = None  # a range that could not be read, on a page that explains it

    def params(self, **changes: str | None) -> dict[str, str]:
        """Query-string values for a link to this selection with some values changed; changing
        any of `range`, `since`, `until` replaces the whole range."""
        values: dict[str, str | None] = {"ws": self.workspace, "q": self.q}
        values.update({k: self.chosen(k) for k in FACETS})
        if not RANGE.intersection(changes):
            values.update(self.span)
        values.update(changes)
        return {k: v for k, v in values.items() if v}

    def admits(self, moment: datetime) -> bool:
        """Whether a signal created at `moment` is in the range. A range that ends now (a preset
        such as 7d, or no `until`) stays open to the signals stored after the page opened."""
        period = self.period
        if period is None:
            return True
        if moment < period.since:
            return False
        rolling = "until" not in self.span and period.preset != "last-month"
        return rolling or moment < period.until

    def chosen(self, facet: str) -> str | None:
        """A facet's filter as the query string writes it (`own` as true or false)."""
        value = getattr(self.filters, facet)
        if isinstance(value, bool):
            return "true" if value else "false"
        return value  # type: ignore[no-any-return]


FACETS = (
    "channel",
    "source",
    "kind",
    "visibility",
    "lang",
    "sentiment",
    "flag",
    "own",
    "topic",
    "place",
)
RANGE = frozenset({"range", "since", "until"})


class Selector:
    """FastAPI dependency: the selection, in a workspace where the signed-in account has a role.

    A range that cannot be read is a 400; a `lenient` selector (the wall's) instead hands the
    page the reason in `range_error`, with no range, so that it can show the reason beside the
    picker. Such a page must check `range_error` before selecting anything.
    """

    def __init__(self, *, lenient: bool = False) -> None:
        self.lenient = lenient

    def __call__(
        self,
        request: Request,
        user: Annotated[User, Depends(viewer)],
        ws: Annotated[str | None, Query(description="Workspace id (default: the first).")] = None,
        q: Annotated[str | None, Query(max_length=4096, description="Full-text query.")] = None,
        channel: str | None = None,
        source: str | None = None,
        kind: str | None = None,
        visibility: str | None = None,
        lang: str | None = None,
        sentiment: Annotated[
            Literal["negative", "neutral", "positive"] | None,
            Query(description="Sentiment label."),
        ] = None,
        flag: Annotated[
            Literal["toxic", "scam"] | None,
            Query(description="Only signals whose toxicity or scam score is at least 0.5."),
        ] = None,
        topic: str | None = None,
        own: Annotated[
            bool | None,
            Query(
                description="true: only the workspace's own accounts' signals; false: the others'."
            ),
        ] = None,
        place: Annotated[
            str | None,
            Query(
                max_length=1000,
                description="Geolocated place name, exactly as the dashboard's map labels it.",
            ),
        ] = None,
        after: Annotated[str | None, Query(description="Cursor of the next page.")] = None,
        range: Annotated[
            str | None,
            Query(description="Preset range: 24h, 7d, 30d, 90d, month, last-month."),
        ] = None,
        since: Annotated[
            str | None,
            Query(
                description="Start (included): 2026-11-30, 2026-11-30T14:00, or back from now: 24h, 7d.",
            ),
        ] = None,
        until: Annotated[
            str | None,
            Query(
                description="End (excluded; a bare date includes that day): same forms as since.",
            ),
        ] = None,
    ) -> Selection:
        workspace = ws or default_workspace(request, user)
        if request.app.state.settings.workspace(workspace) is None:
            raise Refusal(404, "no workspace %(workspace)r", workspace=workspace)
        if workspace not in user.roles:
            raise Refusal(
                403,
                "%(login)s has no role in workspace %(workspace)r: ask one of its admins",
                login=user.login,
                workspace=workspace,
            )
        if after is not None and not _AFTER.match(after):
            raise HTTPException(
                400, "after: not a page cursor; use the `next` value of a previous page"
            )
        tz = request.app.state.settings.workspace(workspace).timezone
        period, range_error = None, None
        try:
            period = parse_period(since, until, preset=range, tz=zone(tz))
        except PeriodError as exc:
            if not self.lenient:
                raise refusal(request, exc) from None
            range_error = translate(language(request), exc.message, **exc.values)
        filters = Filters(
            channel=channel or None,
            source=source or None,
            kind=kind or None,
            visibility=visibility or None,
            lang=lang or None,
            sentiment=sentiment,
            flag=flag,
            topic=topic or None,
            own=own,
            place=place or None,
            since=period.since if period else None,
            until=period.until if period else None,
        )
        span = {
            k: v.strip() for k, v in (("range", range), ("since", since), ("until", until)) if v
        }
        return Selection(
            workspace=workspace,
            q=(q or "").strip() or None,
            filters=filters,
            after=after,
            period=period,
            span=span if period else {},
            range_error=range_error,
        )


selection = Selector()
wall_selection = Selector(lenient=True)


def refusal(request: Request, exc: PeriodError) -> HTTPException:
    """The 400 of a range that cannot be read: in the page's language for a person; for a
    script, in the language its Accept-Language names, else English (errors.api_language)."""
    lang = (
        api_language(request) if request.url.path.startswith(MACHINE_PATHS) else language(request)
    )
    return HTTPException(400, translate(lang, exc.message, **exc.values))


def default_workspace(request: Request, user: User) -> str:
    """The first declared workspace the account belongs to."""
    for w in request.app.state.settings.workspaces:
        if w.id in user.roles:
            return str(w.id)
    raise Refusal(
        403,
        "%(login)s belongs to no workspace yet: an admin can run"
        " `pouls user grant %(login)s WORKSPACE --role viewer`",
        login=user.login,
    )
