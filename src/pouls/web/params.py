"""Query-string parameters shared by pages, API and stream: the workspace and the selection."""

from __future__ import annotations

import re
from typing import Annotated

import msgspec
from fastapi import HTTPException, Query, Request

from pouls.store import Filters

_AFTER = re.compile(r"^\d+:\d+$")


class Selection(msgspec.Struct, frozen=True, kw_only=True):
    """Which signals a page shows: workspace, full-text query, facet filters, page cursor."""

    workspace: str
    q: str | None = None
    filters: Filters = Filters()
    after: str | None = None

    def params(self, **changes: str | None) -> dict[str, str]:
        """Query-string values for a link to this selection with some values changed."""
        values: dict[str, str | None] = {"ws": self.workspace, "q": self.q}
        values.update({k: getattr(self.filters, k) for k in FACETS})
        values.update(changes)
        return {k: v for k, v in values.items() if v}


FACETS = ("channel", "source", "kind", "visibility", "lang", "topic")


def selection(
    request: Request,
    ws: Annotated[str | None, Query(description="Workspace id (default: the first).")] = None,
    q: Annotated[str | None, Query(max_length=4096, description="Full-text query.")] = None,
    channel: str | None = None,
    source: str | None = None,
    kind: str | None = None,
    visibility: str | None = None,
    lang: str | None = None,
    topic: str | None = None,
    after: Annotated[str | None, Query(description="Cursor of the next page.")] = None,
) -> Selection:
    """FastAPI dependency: the selection, with the workspace checked against the settings."""
    settings = request.app.state.settings
    workspace = ws or settings.workspaces[0].id
    if settings.workspace(workspace) is None:
        raise HTTPException(404, f"no workspace {workspace!r}")
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
        topic=topic or None,
    )
    return Selection(workspace=workspace, q=(q or "").strip() or None, filters=filters, after=after)
