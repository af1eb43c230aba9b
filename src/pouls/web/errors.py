"""Errors as people see them: a page in their language for a browser, JSON for the API.

Webhooks, the API and the live stream keep FastAPI's JSON answers (`{"detail": ...}`), which
scripts and platforms read; a person who follows a stale link or opens a workspace they have
no role in gets a page that says what happened and where to go.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from pouls.locale import N_
from pouls.web.i18n import language, translate
from pouls.web.templating import templates

pages = templates()

TITLES = {
    400: N_("This request cannot be read"),
    401: N_("Sign in first"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not allowed"),
    422: N_("This request cannot be read"),
    413: N_("Request too large"),
    429: N_("Too many tries"),
}
UNKNOWN = N_("Something went wrong")
NOT_FOUND = N_("Not Found")  # Starlette's detail for a path no route serves
MACHINE_PATHS = ("/api/", "/ingest/", "/hooks/", "/stream")


def _wants_page(request: Request) -> bool:
    if request.url.path.startswith(MACHINE_PATHS):
        return False
    return "text/html" in request.headers.get("accept", "") or request.method == "POST"


def _page(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None
) -> Response:
    lang = language(request)
    title = translate(lang, TITLES.get(status, UNKNOWN))
    context = {"title": title, "detail": translate(lang, detail)}
    return pages.TemplateResponse(
        request, "error.html", context, status_code=status, headers=headers
    )


async def page_or_json(request: Request, exc: Exception) -> Response:
    """An HTTP error: the translated error page for a person, FastAPI's JSON for a script."""
    assert isinstance(exc, HTTPException)
    if not _wants_page(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return _page(request, exc.status_code, detail, exc.headers)


async def invalid_request(request: Request, exc: Exception) -> Response:
    """A query or form value of the wrong type or out of range (`/?flag=rude`): a page that
    names the parameters for a person, FastAPI's 422 JSON with every detail for a script."""
    assert isinstance(exc, RequestValidationError)
    if not _wants_page(request):
        return await request_validation_exception_handler(request, exc)
    names = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
    detail = translate(
        language(request), "Unexpected value for: %(names)s.", names=", ".join(names)
    )
    return _page(request, 422, detail, None)
