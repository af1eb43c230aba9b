"""Signing in: the login page, session cookies, API tokens and the `viewer` dependency.

Every page and API route depends on `viewer`; only `/health`, `/static`, `/login` and the
webhooks (which check their platform's signature or their own token) are open. A browser
carries a session cookie; a script sends `Authorization: Bearer <token>` (`pouls token add`).
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from pouls.access import digest, new_secret, normalize_login
from pouls.access.passwords import hash_password, verify
from pouls.locale import N_
from pouls.signals import utcnow
from pouls.store.users import User
from pouls.web.i18n import COOKIE as LANG_COOKIE
from pouls.web.i18n import LANGS, language, translate
from pouls.web.templating import templates
from pouls.web.throttle import Throttle

COOKIE = "pouls_session"
# Compared against when the login is unknown, so that a wrong login costs the same time as a
# wrong password and does not tell which logins exist.
_DECOY = hash_password("decoy password, never valid")

log = logging.getLogger("pouls.web.auth")
router = APIRouter(include_in_schema=False)
pages = templates()


class LoginRequired(Exception):
    """Raised by `viewer` when a request proves no identity; see `login_required`."""


class PasswordChangeRequired(LoginRequired):
    """Raised by `viewer` for a browser whose account must first choose its own password (made
    on the members page, its first password seen by an admin); `login_required` answers it.
    API tokens are not concerned: their owner made them after choosing a password."""


PASSWORD_PAGE = "/settings/password"  # the one page such an account may open


def viewer(request: Request) -> User:
    """FastAPI dependency: the signed-in account (session cookie or bearer token)."""
    users = request.app.state.store.users
    user: User | None = None
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        user = users.token_user(digest(header[7:].strip()))
        if user is None:
            raise HTTPException(401, "unknown API token", {"WWW-Authenticate": "Bearer"})
    else:
        cookie = request.cookies.get(COOKIE)
        if cookie:
            user = users.session_user(digest(cookie))
            if user is not None and user.must_change and request.url.path != PASSWORD_PAGE:
                raise PasswordChangeRequired()
    if user is None:
        raise LoginRequired()
    request.state.user = user
    return user


def login_required(request: Request, exc: Exception) -> Response:
    """Pages send people to the login page and back; the API and streams answer 401. An
    account that must choose its own password is sent to the password page (403 for the API,
    streams and htmx requests, with the reason)."""
    path = request.url.path
    script = path.startswith("/api/") or path == "/stream" or request.headers.get("HX-Request")
    if isinstance(exc, PasswordChangeRequired):
        if not script:
            return RedirectResponse(PASSWORD_PAGE, status_code=303)
        reason = N_("Choose your own password first, on the password page: %(page)s")
        return JSONResponse(
            {"detail": _say(request, reason) % {"page": PASSWORD_PAGE}}, status_code=403
        )
    if script:
        return JSONResponse(
            {"detail": "sign in first: a session cookie or `Authorization: Bearer <token>`"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    target = path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only, never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def same_origin(request: Request) -> bool:
    """Forms posted from another site are refused (the cookie is SameSite=Lax besides)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True
    return urlsplit(origin).netloc == request.url.netloc


def _page(request: Request, next_: str, message: str | None, status: int = 200) -> HTMLResponse:
    context = {"next": next_, "message": message}
    return pages.TemplateResponse(request, "login.html", context, status_code=status)


def _say(request: Request, text: str) -> str:
    return translate(language(request), text)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None, out: bool = False) -> HTMLResponse:
    """The sign-in form; `next` is where to go afterwards."""
    message = _say(request, N_("You are signed out.")) if out else None
    return _page(request, safe_next(next), message)


@router.post("/login", response_model=None)
def login(
    request: Request,
    login: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password, open a session and go back where the person was heading."""
    if not same_origin(request):
        raise HTTPException(403, "this form must be sent from pouls itself")
    throttle: Throttle = request.app.state.throttle
    account = normalize_login(login)
    address = request.client.host if request.client else "unknown"
    wait = throttle.wait(account, address)
    if wait > 0:
        # Checked before the password: a right guess during a pause must not sign in either.
        seconds = math.ceil(wait)
        paused = _say(request, N_("Too many tries: try again in %(seconds)s s."))
        page = _page(request, safe_next(next), paused % {"seconds": seconds}, 429)
        page.headers["Retry-After"] = str(seconds)
        return page
    users = request.app.state.store.users
    user = users.get(account)
    if not verify(password, user.password if user else _DECOY) or user is None:
        failures = throttle.failed(account, address)
        # The login as typed may be a password typed in the wrong field: only a known
        # account's login is written, any other as its digest. The password never is.
        who = user.login if user else f"unknown login sha256:{digest(account)[:16]}"
        log.warning("sign-in failed for %s from %s (%d in a row)", who, address, failures)
        return _page(request, safe_next(next), _say(request, N_("Wrong login or password.")), 401)
    throttle.succeeded(account, address)
    target = PASSWORD_PAGE if user.must_change else safe_next(next)
    return open_session(request, user.id, RedirectResponse(target, status_code=303))


def open_session(request: Request, user_id: int, response: Response) -> Response:
    """A new session for the account, its cookie set on `response` (the store keeps its digest):
    signing in and changing one's password both end here."""
    secret = new_secret()
    hours = request.app.state.settings.file.web.session_hours
    request.app.state.store.users.open_session(
        user_id, digest(secret), utcnow() + timedelta(hours=hours)
    )
    response.set_cookie(
        COOKIE,
        secret,
        max_age=hours * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/lang", response_model=None)
def switch_language(to: str, next: str | None = None) -> Response:
    """The FR/EN switch: remember the choice for a year and go back to the page."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if to in LANGS:
        response.set_cookie(LANG_COOKIE, to, max_age=365 * 86_400, samesite="lax")
    return response


@router.post("/logout", response_model=None)
def logout(request: Request) -> Response:
    """Close the session everywhere it was used and go to the login page."""
    if not same_origin(request):
        raise HTTPException(403, "this form must be sent from pouls itself")
    cookie = request.cookies.get(COOKIE)
    if cookie:
        request.app.state.store.users.close_session(digest(cookie))
    response = RedirectResponse("/login?out=1", status_code=303)
    response.delete_cookie(COOKIE)
    return response
