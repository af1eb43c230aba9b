"""JSON API of a workspace's sources (health, pause, resume) and members (list, add, create,
change role, remove), with the roles of the settings pages: every role reads, admins change
(`may(role, "manage")`), and a workspace always keeps an admin (docs/settings.md).

The pages' rules are reused from `manage`, so a script and a person are refused the same
things; this module only reads JSON and answers it.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from pouls.access import ROLES, new_secret, normalize_login
from pouls.access.passwords import hash_password
from pouls.store.pauses import Pauses
from pouls.store.users import LastAdmin, User, UserExists
from pouls.web.member import Member, changing, member
from pouls.web.routes.manage import SourceRow, sources_of

router = APIRouter(prefix="/api/v1", tags=["sources and members"])

RoleName = Annotated[str, Field(max_length=40, description=f"One of: {', '.join(ROLES)}.")]


class NewMember(BaseModel):
    """An account to give a role in the workspace; unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1, max_length=320, description="The account's login.")
    role: RoleName
    create: bool = Field(
        False,
        description="Make the account as well: its generated password is in the answer, once,"
        " and must be changed at its first sign-in in the browser.",
    )
    name: str | None = Field(None, max_length=120, description="Display name (with create).")


class RoleChange(BaseModel):
    """A member's new role."""

    model_config = ConfigDict(extra="forbid")

    role: RoleName


def _json(value: Any, status: int = 200) -> Response:
    return Response(msgspec.json.encode(value), status_code=status, media_type="application/json")


def _source(request: Request, workspace: str, name: str) -> SourceRow:
    row = next((s for s in sources_of(request, workspace) if s.name == name), None)
    if row is None:
        raise HTTPException(404, "no such source in this workspace")
    return row


@router.get("/sources")
def list_sources(request: Request, who: Annotated[Member, Depends(member)]) -> Response:
    """Each source of the workspace with its health: last success, last error and when, its
    newest stored signal (the lag), signals and dead letters, and its pause if paused."""
    return _json({"sources": sources_of(request, who.workspace)})


@router.post("/sources/{name}/pause")
def pause_source(request: Request, name: str, who: Annotated[Member, Depends(member)]) -> Response:
    """Stop reading a source (admins); its cursor stays and the pause outlives a restart. 400
    for a source the web app receives (webhooks), 409 when it is paused already."""
    changing(request, who, "manage")
    row = _source(request, who.workspace, name)
    if not row.pausable:
        raise HTTPException(400, "This source is received by the web app: it cannot be paused.")
    if row.paused_by is not None:
        raise HTTPException(409, "This source is paused already.")
    Pauses(request.app.state.store).pause(who.workspace, name, who.user.login)
    return _json(_source(request, who.workspace, name))


@router.post("/sources/{name}/resume")
def resume_source(request: Request, name: str, who: Annotated[Member, Depends(member)]) -> Response:
    """Read a paused source again from its cursor (admins); 409 when it is not paused."""
    changing(request, who, "manage")
    _source(request, who.workspace, name)
    if not Pauses(request.app.state.store).resume(who.workspace, name):
        raise HTTPException(409, "This source is not paused.")
    return _json(_source(request, who.workspace, name))


def _member(account: User, workspace: str) -> dict[str, Any]:
    return {
        "id": account.id,
        "login": account.login,
        "name": account.name,
        "role": account.roles[workspace],
    }


def _role(role: str) -> str:
    if role not in ROLES:
        raise HTTPException(400, "Unknown role: choose one of the list.")
    return role


def _account(request: Request, who: Member, user_id: int) -> User:
    account = request.app.state.store.users.by_id(user_id)
    if account is None or who.workspace not in account.roles:
        raise HTTPException(404, "no such member in this workspace")
    return account


@router.get("/members")
def list_members(request: Request, who: Annotated[Member, Depends(member)]) -> Response:
    """The workspace's members (id, login, name, role), by login."""
    users = request.app.state.store.users.members(who.workspace)
    return _json({"members": [_member(u, who.workspace) for u in users]})


@router.post("/members", status_code=201)
def add_member(
    request: Request, body: NewMember, who: Annotated[Member, Depends(member)]
) -> Response:
    """Give an account a role in the workspace (admins): an existing one (400 when there is
    none, 409 when it is a member already), or, with `create`, a new one whose generated
    password comes in this answer only (409 when the login is taken)."""
    changing(request, who, "manage")
    role = _role(body.role)
    users = request.app.state.store.users
    login = normalize_login(body.login)
    if not login:
        raise HTTPException(400, "A login is needed.")
    if body.create:
        password = new_secret()
        try:
            user_id = users.add(
                login,
                hash_password(password),
                (body.name or "").strip() or None,
                member_of=(who.workspace, role),
                must_change=True,  # the caller saw it
            )
        except UserExists:
            raise HTTPException(409, "An account with that login exists already.") from None
        made = {**_member(users.by_id(user_id), who.workspace), "password": password}
        response = _json(made, 201)
        response.headers["Cache-Control"] = "no-store"  # the password must not stay in a cache
        return response
    account = users.get(login)
    if account is None:
        raise HTTPException(400, 'No account with that login: send "create": true to make it.')
    if who.workspace in account.roles:
        raise HTTPException(409, "This account is a member already: PUT changes its role.")
    users.set_role(account.id, who.workspace, role)
    return _json(_member(users.by_id(account.id), who.workspace), 201)


@router.put("/members/{user_id}")
def change_member(
    request: Request, user_id: int, body: RoleChange, who: Annotated[Member, Depends(member)]
) -> Response:
    """Change a member's role (admins); 409 when it would leave the workspace without admin."""
    changing(request, who, "manage")
    role = _role(body.role)
    account = _account(request, who, user_id)
    users = request.app.state.store.users
    try:
        users.set_role(account.id, who.workspace, role)
    except LastAdmin:
        raise HTTPException(
            409, "A workspace keeps at least one admin: make someone else admin first."
        ) from None
    return _json(_member(users.by_id(account.id), who.workspace))


@router.delete("/members/{user_id}", status_code=204)
def remove_member(
    request: Request, user_id: int, who: Annotated[Member, Depends(member)]
) -> Response:
    """Take a member out of the workspace (admins); the account stays. 409 for the last admin."""
    changing(request, who, "manage")
    account = _account(request, who, user_id)
    try:
        request.app.state.store.users.set_role(account.id, who.workspace, None)
    except LastAdmin:
        raise HTTPException(
            409, "A workspace keeps at least one admin: make someone else admin first."
        ) from None
    return Response(status_code=204)
