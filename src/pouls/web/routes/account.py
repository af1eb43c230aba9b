"""One's own account in the web app: API tokens (made, shown once, listed, revoked) and the
password (the current one required; other sessions are signed out).

Every account manages its own; the store keeps only digests and scrypt hashes.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pouls.access import digest, new_secret
from pouls.access.passwords import WeakPassword, check_strength, hash_password, verify
from pouls.store.users import UserExists
from pouls.web.auth import open_session, same_origin
from pouls.web.member import Member, member
from pouls.web.params import Selection
from pouls.web.templating import templates

router = APIRouter(include_in_schema=False)
pages = templates()

TOKEN_NAME = re.compile(r"[\w .-]{1,60}")


def _page(
    request: Request, who: Member, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    context = {"sel": Selection(workspace=who.workspace), "who": who, **context}
    return pages.TemplateResponse(request, name, context, status_code=status)


def _from_here(request: Request) -> None:
    if not same_origin(request):
        raise HTTPException(403, "this form must be sent from pouls itself")


def _tokens(
    request: Request,
    who: Member,
    *,
    made: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    tokens = request.app.state.store.users.tokens(who.user.login)
    context = {"tokens": tokens, "made": made, "error": error}
    return _page(request, who, "settings_tokens.html", context, status)


@router.get("/settings/tokens", response_class=HTMLResponse)
def tokens(request: Request, who: Annotated[Member, Depends(member)]) -> HTMLResponse:
    """One's API tokens: name, workspace, made, last used."""
    return _tokens(request, who)


@router.post("/settings/tokens", response_class=HTMLResponse)
def make_token(
    request: Request,
    who: Annotated[Member, Depends(member)],
    name: Annotated[str, Form(max_length=60)],
    scope: Annotated[str, Form(max_length=10)] = "this",
) -> HTMLResponse:
    """A new token, shown once on this page: the store keeps only its digest."""
    _from_here(request)
    name = name.strip()
    if not TOKEN_NAME.fullmatch(name):
        return _tokens(request, who, error="name", status=400)
    workspace = None if scope == "all" else who.workspace
    secret = new_secret("pouls_")
    try:
        request.app.state.store.users.add_token(who.user.id, name, digest(secret), workspace)
    except UserExists:
        return _tokens(request, who, error="taken", status=400)
    response = _tokens(request, who, made=secret, status=201)
    response.headers["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@router.post("/settings/tokens/{token_id}/revoke", response_model=None)
def revoke_token(
    request: Request, token_id: int, who: Annotated[Member, Depends(member)]
) -> Response:
    """Revoke one of one's tokens: scripts using it get 401 from now on."""
    _from_here(request)
    users = request.app.state.store.users
    token = next((t for t in users.tokens(who.user.login) if t.id == token_id), None)
    if token is None:
        raise HTTPException(404, "no such token of yours")
    users.remove_token(who.user.id, token.name)
    return RedirectResponse(f"/settings/tokens?ws={who.workspace}", status_code=303)


@router.get("/settings/password", response_class=HTMLResponse)
def password_page(
    request: Request, who: Annotated[Member, Depends(member)], changed: bool = False
) -> HTMLResponse:
    """The form to change one's password."""
    return _page(request, who, "settings_password.html", {"changed": changed, "error": None})


@router.post("/settings/password", response_model=None)
def change_password(
    request: Request,
    who: Annotated[Member, Depends(member)],
    current: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
    again: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Check the current password, set the new one, sign out every other session."""
    _from_here(request)
    users = request.app.state.store.users
    error = None
    if not verify(current, who.user.password):
        error = "current"
    elif new != again:
        error = "again"
    else:
        try:
            check_strength(new)
        except WeakPassword:
            error = "weak"
    if error is not None:
        context = {"changed": False, "error": error}
        return _page(request, who, "settings_password.html", context, 400)
    users.set_password(who.user.id, hash_password(new))  # every session closed
    done = RedirectResponse(f"/settings/password?ws={who.workspace}&changed=1", 303)
    return open_session(request, who.user.id, done)
