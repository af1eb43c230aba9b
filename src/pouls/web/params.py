"""Query-string parameters shared by pages, API and stream: the workspace and the selection."""

from __future__ import annotations

import re
from typing import Annotated, Literal

import msgspec
from fastapi import Depends, HTTPException, Query, Request

from pouls.store import Filters
from pouls.store.users import User
from pouls.web.auth import viewer

# A page cursor is `created_us:seq`, two integers SQLite holds in 64 bits: 18 digits at most
# keeps a forged one from overflowing there (a 500) instead of being refused (a 400).
_AFTER = re.compile(r"^\d{1,18}:\d{1,18}$")


class Selection(msgspec.Struct, frozen=True, kw_only=True):
    """Which signals a page shows: workspace, full-text query, facet filters, page cursor."""

    workspace: str
    q: str | None = None
    filters: Filters = Filters()
    after: str | None = None

    def params(self, **changes: str | None) -> dict[str, str]:
        """Query-string values for a link to this selection with some values changed."""
        values: dict[str, str | None] = {"ws": self.workspace, "q": self.q}
        values.update({k: self.chosen(k) for k in FACETS})
        values.update(changes)
        return {k: v for k, v in values.items() if v}

    def chosen(self, facet: str) -> str | None:
        """A facet's filter as the query string writes it (`own` as true or false)."""
        value = getattr(self.filters, facet)
        if isinstance(value, bool):
            return "true" if value else "false"
        return value  # type: ignore[no-any-return]


FACETS = ("channel", "source", "kind", "visibility", "lang", "sentiment", "flag", "own", "topic")


def selection(
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
        Query(description="true: only the workspace's own accounts' signals; false: the others'."),
    ] = None,
    after: Annotated[str | None, Query(description="Cursor of the next page.")] = None,
) -> Selection:
    """FastAPI dependency: the selection, in a workspace where the signed-in account has a role."""
    workspace = ws or default_workspace(request, user)
    if request.app.state.settings.workspace(workspace) is None:
        raise HTTPException(404, f"no workspace {workspace!r}")
    if workspace not in user.roles:
        raise HTTPException(
            403, f"{user.login} has no role in workspace {workspace!r}: ask one of its admins"
        )
    if after is not None and not _AFTER.match(after):
        raise HTTPException(
            400, "after: not a page cursor; use the `next` value of a previous page"
        )
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
    )
    return Selection(workspace=workspace, q=(q or "").strip() or None, filters=filters, after=after)


def default_workspace(request: Request, user: User) -> str:
    """The first declared workspace the account belongs to."""
    for w in request.app.state.settings.workspaces:
        if w.id in user.roles:
            return str(w.id)
    raise HTTPException(
        403,
        f"{user.login} belongs to no workspace yet: an admin can run"
        f" `pouls user grant {user.login} WORKSPACE --role viewer`",
    )
