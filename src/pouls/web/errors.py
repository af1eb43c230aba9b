"""Errors as people see them: a page in their language for a browser, JSON for the API.

Webhooks, the API and the live stream keep FastAPI's JSON answers (`{"detail": ...}`), which
scripts and platforms read; a person who follows a stale link or opens a workspace they have
no role in gets a page that says what happened and where to go.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from pouls.web.i18n import language, translate
from pouls.web.templating import templates

pages = templates()

TITLES = {
    400: "This request cannot be read",
    401: "Sign in first",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    422: "This request cannot be read",
    429: "Too many tries",
}
MACHINE_PATHS = ("/api/", "/ingest/", "/hooks/", "/stream")


async def page_or_json(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    wants_page = "text/html" in request.headers.get("accept", "") or request.method == "POST"
    if request.url.path.startswith(MACHINE_PATHS) or not wants_page or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    lang = language(request)
    title = translate(lang, TITLES.get(exc.status_code, "Something went wrong"))
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    context = {"title": title, "detail": translate(lang, detail)}
    return pages.TemplateResponse(
        request, "error.html", context, status_code=exc.status_code, headers=exc.headers
    )
