"""The workspace a settings page or API call acts on, and the caller's role in it.

Lighter than `params.selection` (no filters): the topics, rules and settings routes declare
only `ws`, so the API's check of unknown parameters names the right ones.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from fastapi import Depends, HTTPException, Query, Request

from pouls.access import Action, may
from pouls.store.users import User
from pouls.web.auth import same_origin, viewer
from pouls.web.params import default_workspace


class Member(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in account acting in one workspace where it has a role."""

    workspace: str
    role: str
    user: User

    def may(self, action: Action) -> bool:
        return may(self.role, action)


def member(
    request: Request,
    user: Annotated[User, Depends(viewer)],
    ws: Annotated[str | None, Query(description="Workspace id (default: the first).")] = None,
) -> Member:
    """FastAPI dependency: the workspace (declared, and one the account has a role in)."""
    workspace = ws or default_workspace(request, user)
    if request.app.state.settings.workspace(workspace) is None:
        raise HTTPException(404, "no such workspace")
    role = user.roles.get(workspace)
    if role is None:
        raise HTTPException(403, "You have no role in this workspace: ask one of its admins.")
    return Member(workspace=workspace, role=role, user=user)


def changing(request: Request, who: Member, action: Action) -> None:
    """Refuse a change from another site, or by a role that may not make it (403)."""
    if not same_origin(request):
        raise HTTPException(403, "this form must be sent from pouls itself")
    if not who.may(action):
        if action in ("watch", "correct"):
            raise HTTPException(403, "Only admins and analysts may change this: ask one of them.")
        raise HTTPException(403, "Only admins may change this: ask one of them.")
