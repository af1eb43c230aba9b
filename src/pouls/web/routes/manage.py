"""Workspace settings in the web app: the settings index, sources with their health and
pause/resume, and members with their roles (docs/settings.md).

Every role sees these pages; only admins pause sources and change members
(`may(role, "manage")`), and a workspace always keeps at least one admin.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pouls.access import ROLES, new_secret, normalize_login
from pouls.access.passwords import hash_password
from pouls.pipeline import read_here
from pouls.store.pauses import Pauses
from pouls.store.users import LastAdmin, UserExists
from pouls.web.member import Member, changing, member
from pouls.web.params import Selection
from pouls.web.templating import templates

router = APIRouter(include_in_schema=False)
pages = templates()


def _page(
    request: Request, who: Member, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    context = {"sel": Selection(workspace=who.workspace), "who": who, **context}
    return pages.TemplateResponse(request, name, context, status_code=status)


@router.get("/settings", response_class=HTMLResponse)
def index(request: Request, who: Annotated[Member, Depends(member)]) -> HTMLResponse:
    """What can be set, and who may set it."""
    return _page(request, who, "settings.html", {})


class SourceRow(msgspec.Struct, kw_only=True):
    """A source as the sources page shows it."""

    name: str
    type: str
    declared: bool
    pausable: bool
    paused_by: str | None
    paused_at: datetime | None
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    newest: datetime | None  # its newest stored signal: the lag is how long ago that was
    signals: int
    dead_letters: int


def sources_of(request: Request, workspace: str) -> list[SourceRow]:
    """The workspace's sources as the page and `/api/v1/sources` show them, by name."""
    settings = request.app.state.settings
    store = request.app.state.store
    states = {s.source: s for s in store.sources(workspace)}
    pauses = Pauses(store).list(workspace)
    declared = {s.name: s for s in settings.file.sources if s.workspace == workspace}
    rows = []
    for name in sorted(set(declared) | set(states)):
        state, conf = states.get(name), declared.get(name)
        pause = pauses.get(name)
        kind = type(conf).__struct_config__.tag if conf is not None else None
        rows.append(
            SourceRow(
                name=name,
                type=str(kind or "–"),
                declared=conf is not None,
                pausable=conf is not None and read_here(conf),
                paused_by=pause.by if pause else None,
                paused_at=pause.at if pause else None,
                last_success=state.updated_at if state else None,
                last_error=state.last_error if state else None,
                last_error_at=state.last_error_at if state else None,
                newest=state.newest if state else None,
                signals=state.signals if state else 0,
                dead_letters=state.dead_letters if state else 0,
            )
        )
    return rows


@router.get("/settings/sources", response_class=HTMLResponse)
def sources(request: Request, who: Annotated[Member, Depends(member)]) -> HTMLResponse:
    """Each source's health: last success, last error and when, lag, counts; pause/resume."""
    context = {"sources": sources_of(request, who.workspace), "manager": who.may("manage")}
    return _page(request, who, "settings_sources.html", context)


@router.post("/settings/sources/{name}/pause", response_model=None)
def pause(request: Request, name: str, who: Annotated[Member, Depends(member)]) -> Response:
    """Stop reading a source; its cursor stays, and the pause outlives a restart."""
    changing(request, who, "manage")
    row = next((s for s in sources_of(request, who.workspace) if s.name == name), None)
    if row is None:
        raise HTTPException(404, "no such source in this workspace")
    if not row.pausable:
        raise HTTPException(400, "This source is received by the web app: it cannot be paused.")
    Pauses(request.app.state.store).pause(who.workspace, name, who.user.login)
    return RedirectResponse(f"/settings/sources?ws={who.workspace}", status_code=303)


@router.post("/settings/sources/{name}/resume", response_model=None)
def resume(request: Request, name: str, who: Annotated[Member, Depends(member)]) -> Response:
    """Read a paused source again, from its cursor."""
    changing(request, who, "manage")
    if not Pauses(request.app.state.store).resume(who.workspace, name):
        raise HTTPException(404, "This source is not paused.")
    return RedirectResponse(f"/settings/sources?ws={who.workspace}", status_code=303)


class Created(msgspec.Struct, frozen=True, kw_only=True):
    """An account just made on the members page, with the password shown this once."""

    login: str
    role: str
    password: str


def _members(
    request: Request,
    who: Member,
    error: str | None = None,
    status: int = 200,
    created: Created | None = None,
) -> HTMLResponse:
    users = request.app.state.store.users.members(who.workspace)
    context = {
        "members": users,
        "roles": ROLES,
        "manager": who.may("manage"),
        "error": error,
        "created": created,
    }
    return _page(request, who, "settings_members.html", context, status)


@router.get("/settings/members", response_class=HTMLResponse)
def members(request: Request, who: Annotated[Member, Depends(member)]) -> HTMLResponse:
    """The workspace's members and their roles."""
    return _members(request, who)


def _role(role: str) -> str:
    if role not in ROLES:
        raise HTTPException(400, "Unknown role: choose one of the list.")
    return role


@router.post("/settings/members", response_model=None)
def add_member(
    request: Request,
    who: Annotated[Member, Depends(member)],
    login: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=40)],
) -> Response:
    """Give an existing account a role in the workspace."""
    changing(request, who, "manage")
    users = request.app.state.store.users
    account = users.get(login)
    if account is None:
        return _members(request, who, "no-account", 400)
    if who.workspace in account.roles:
        return _members(request, who, "already", 400)
    users.set_role(account.id, who.workspace, _role(role))
    return RedirectResponse(f"/settings/members?ws={who.workspace}", status_code=303)


@router.post("/settings/members/new", response_model=None)
def create_member(
    request: Request,
    who: Annotated[Member, Depends(member)],
    login: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form(max_length=40)],
    name: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    """Create an account with a role in this workspace, so an admin need not reach the server's
    command line; its generated password is shown once, here, and stored only as a hash."""
    changing(request, who, "manage")
    login = normalize_login(login)  # as `pouls user add`: sign-in looks up this form
    if not login:
        return _members(request, who, "no-login", 400)
    role = _role(role)
    password = new_secret()
    try:
        request.app.state.store.users.add(
            login,
            hash_password(password),
            name.strip() or None,
            member_of=(who.workspace, role),
            must_change=True,  # the admin saw it: the first sign-in asks for a new one
        )
    except UserExists:
        return _members(request, who, "exists", 400)
    created = Created(login=login, role=role, password=password)
    response = _members(request, who, status=201, created=created)
    response.headers["Cache-Control"] = "no-store"  # the password must not stay in a cache
    return response


def _account(request: Request, who: Member, user_id: int) -> Any:
    account = request.app.state.store.users.by_id(user_id)
    if account is None or who.workspace not in account.roles:
        raise HTTPException(404, "no such member in this workspace")
    return account


@router.post("/settings/members/{user_id}/role", response_model=None)
def change_role(
    request: Request,
    user_id: int,
    who: Annotated[Member, Depends(member)],
    role: Annotated[str, Form(max_length=40)],
) -> Response:
    """Change a member's role; the last admin stays an admin."""
    changing(request, who, "manage")
    account = _account(request, who, user_id)
    try:
        request.app.state.store.users.set_role(account.id, who.workspace, _role(role))
    except LastAdmin:
        return _members(request, who, "last-admin", 400)
    return RedirectResponse(f"/settings/members?ws={who.workspace}", status_code=303)


@router.post("/settings/members/{user_id}/remove", response_model=None)
def remove_member(
    request: Request, user_id: int, who: Annotated[Member, Depends(member)]
) -> Response:
    """Take a member out of the workspace (the account stays); never the last admin."""
    changing(request, who, "manage")
    account = _account(request, who, user_id)
    try:
        request.app.state.store.users.set_role(account.id, who.workspace, None)
    except LastAdmin:
        return _members(request, who, "last-admin", 400)
    return RedirectResponse(f"/settings/members?ws={who.workspace}", status_code=303)
