"""`GET /api/v1/dead-letters`: input that could not be read, with its reason and position.

The raw input may name people (pseudonymous workspaces keep it redacted, named ones as it
came), so only the workspace's admins get it; every other role sees when, where and why.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from pouls.store.users import User
from pouls.web.auth import viewer
from pouls.web.params import Selection, selection

router = APIRouter(prefix="/api/v1", tags=["dead letters"])


@router.get("/dead-letters")
def list_dead_letters(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    user: Annotated[User, Depends(viewer)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Response:
    """The workspace's dead letters, newest first; `raw` only for its admins."""
    admin = user.roles.get(sel.workspace) == "admin"
    rows = request.app.state.store.dead_letters(sel.workspace, limit)
    out: list[dict[str, Any]] = []
    for d in rows:
        item: dict[str, Any] = {
            "id": d.id,
            "source": d.source,
            "position": d.position,
            "reason": d.reason,
            "at": d.at,
        }
        if admin:
            item["raw"] = d.raw
        out.append(item)
    return Response(msgspec.json.encode({"dead_letters": out}), media_type="application/json")
