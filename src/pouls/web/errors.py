"""Errors as people see them: a page in their language for a browser, JSON for the API.

Webhooks, the API and the live stream keep FastAPI's JSON answers (`{"detail": ...}`), which
scripts and platforms read; a person who follows a stale link or opens a workspace they have
no role in gets a page that says what happened and where to go.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import fastapi
from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from pouls.locale import N_
from pouls.query import QueryError
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

API_DESCRIPTION = """\
**Errors.** A refused request answers `{"detail": "..."}`: one sentence naming the parameter,
why it was refused and what is accepted (`limit: 0 is too small; at least 1`). A value of the
wrong type or out of range is a 422; an unknown parameter or an unreadable range is a 400.
The sentence is in the language `Accept-Language` names first among French and English
(`Accept-Language: fr` gives `limit : 0 est trop petit ; au moins 1`), in English when it
names neither: a script that sends no header reads what its author wrote.
"""

# Why a value was refused, by pydantic's error type; `%(name)s` is the parameter.
REASONS = {
    "missing": N_("%(name)s: required"),
    "enum": N_("%(name)s: %(value)s is not accepted; accepted values: %(accepted)s"),
    "literal_error": N_("%(name)s: %(value)s is not accepted; accepted values: %(accepted)s"),
    "greater_than_equal": N_("%(name)s: %(value)s is too small; at least %(limit)s"),
    "greater_than": N_("%(name)s: %(value)s is too small; more than %(limit)s"),
    "less_than_equal": N_("%(name)s: %(value)s is too large; at most %(limit)s"),
    "less_than": N_("%(name)s: %(value)s is too large; less than %(limit)s"),
    "int_parsing": N_("%(name)s: %(value)s is not a whole number"),
    "int_from_float": N_("%(name)s: %(value)s is not a whole number"),
    "float_parsing": N_("%(name)s: %(value)s is not a number"),
    "bool_parsing": N_("%(name)s: %(value)s is not accepted; accepted values: true, false"),
    "string_too_short": N_("%(name)s: too short; at least %(limit)s characters"),
    "string_too_long": N_("%(name)s: too long; at most %(limit)s characters"),
    "string_pattern_mismatch": N_("%(name)s: %(value)s does not have the expected form"),
    "json_invalid": N_("%(name)s: not valid JSON"),
    "extra_forbidden": N_("%(name)s: unknown field"),
}
OTHER_REASON = N_("%(name)s: %(value)s cannot be read")
_LIMITS = ("ge", "gt", "le", "lt", "min_length", "max_length")


class Refusal(fastapi.HTTPException):
    """An HTTP error whose sentence is translated where it is shown: `message` is an English
    msgid with `%(name)s` holes (extracted by `make translations`), `values` fill them after
    translation. Its `detail` is the English, for logs and for handlers that do not translate.

    `fields` makes the API's detail an object (`{"error": sentence, **fields}`), as query errors
    answer with their column and code."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        fields: Mapping[str, Any] | None = None,
        **values: Any,
    ) -> None:
        self.message, self.values, self.fields = message, values, fields
        super().__init__(status, self.said("en"), dict(headers) if headers else None)

    def sentence(self, lang: str) -> str:
        """The message in `lang`, its holes filled."""
        return translate(lang, self.message, **self.values)

    def said(self, lang: str) -> Any:
        """The JSON `detail` in `lang`: the sentence, or an object when there are `fields`."""
        text = self.sentence(lang)
        return text if self.fields is None else {"error": text, **self.fields}


def query_refusal(exc: QueryError) -> Refusal:
    """The API's 400 for a query that cannot be read: `{"error", "column", "code"}`, the error
    in the language Accept-Language names."""
    values: dict[str, Any] = dict(exc.values)
    return Refusal(400, exc.template, fields={"column": exc.column, "code": exc.code}, **values)


def api_language(request: Request) -> str:
    """The language of an API answer: the first of French or English that Accept-Language
    names, else English; a script sends no header and reads what its author wrote
    (docs/api: errors)."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in ("fr", "en"):
            return code
    return "en"


def reason(lang: str, error: Mapping[str, Any]) -> str:
    """One refused value as a person reads it: `limit: 0 is too small; at least 1`, or
    `format: pdf is not accepted; accepted values: csv, jsonl, xlsx`."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in ("query", "body", "path", "header", "cookie"):
        loc = loc[1:]  # where the value came from: a field may itself be named `query`
    name = loc[-1] if loc else "body"
    ctx = error.get("ctx") or {}
    value = error.get("input")
    limit = next((ctx[key] for key in _LIMITS if key in ctx), "")
    accepted = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
    template = REASONS.get(str(error.get("type")), OTHER_REASON)
    shown = value if isinstance(value, str | int | float) else "…"
    return translate(lang, template, name=name, value=shown, limit=limit, accepted=accepted)


def reasons(lang: str, exc: RequestValidationError) -> str:
    """Every refused value of a request, one after the other, each said once."""
    return " — ".join(dict.fromkeys(reason(lang, error) for error in exc.errors()))


def _wants_page(request: Request) -> bool:
    if request.url.path.startswith(MACHINE_PATHS):
        return False
    return "text/html" in request.headers.get("accept", "") or request.method == "POST"


def _page(
    request: Request,
    status: int,
    detail: str,
    headers: Mapping[str, str] | None,
    *,
    translated: bool = False,
) -> Response:
    lang = language(request)
    title = translate(lang, TITLES.get(status, UNKNOWN))
    context = {"title": title, "detail": detail if translated else translate(lang, detail)}
    return pages.TemplateResponse(
        request, "error.html", context, status_code=status, headers=headers
    )


async def page_or_json(request: Request, exc: Exception) -> Response:
    """An HTTP error: the translated error page for a person, FastAPI's JSON for a script."""
    assert isinstance(exc, HTTPException)
    if isinstance(exc, Refusal):
        if not _wants_page(request):
            return JSONResponse(
                {"detail": exc.said(api_language(request))}, exc.status_code, headers=exc.headers
            )
        lang = language(request)
        return _page(request, exc.status_code, exc.sentence(lang), exc.headers, translated=True)
    if exc.status_code >= 400 and not _wants_page(request) and isinstance(exc.detail, str):
        detail = translate(api_language(request), exc.detail)
        return JSONResponse({"detail": detail}, exc.status_code, headers=exc.headers)
    if not _wants_page(request) or exc.status_code < 400:
        return await http_exception_handler(request, exc)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return _page(request, exc.status_code, detail, exc.headers)


async def invalid_request(request: Request, exc: Exception) -> Response:
    """A query, form or body value of the wrong type or out of range (`/?flag=rude`,
    `/api/v1/signals?limit=0`): a 422 that names each parameter, why it was refused and what
    is accepted, as a page for a person and as the API's `{"detail": "..."}` for a script,
    never pydantic's own list."""
    assert isinstance(exc, RequestValidationError)
    if not _wants_page(request):
        return JSONResponse({"detail": reasons(api_language(request), exc)}, 422)
    lang = language(request)
    names = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
    detail = translate(lang, "Unexpected value for: %(names)s.", names=", ".join(names))
    return _page(request, 422, f"{detail} {reasons(lang, exc)}", None)
