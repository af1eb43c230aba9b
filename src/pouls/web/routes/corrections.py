"""Corrections from the pages: the signal page's forms, the wall's bulk form, the dataset link.

Plain HTML forms (they work without script): each answers with a redirect back where it came
from, or with the error page saying why (in the page's language). The rules are the API's
(`api_corrections.apply`): the `correct` right, a value checked with its reason, all or none.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, StreamingResponse

from pouls.corrections import ENTITY_TYPES
from pouls.locale import N_
from pouls.web.auth import safe_next
from pouls.web.errors import Refusal
from pouls.web.member import Member, changing, member
from pouls.web.routes.api_corrections import apply, dataset
from pouls.web.routes.api_corrections import withdraw as undo

router = APIRouter(include_in_schema=False)

BAD_ENTITY = N_(
    "entities: line %(line)s cannot be read; write one entity a line as type: text,"
    " type one of %(accepted)s"
)


@router.post("/signals/{signal_id}/correct")
def correct_signal(
    request: Request,
    signal_id: str,
    who: Annotated[Member, Depends(member)],
    field: Annotated[str, Form(max_length=20)],
    value: Annotated[str, Form(max_length=20_000)] = "",
) -> RedirectResponse:
    """The signal page's form: one field corrected, then the page again with its mark."""
    changing(request, who, "correct")
    found: object = entities(value) if field == "entities" else value
    apply(request, who, [signal_id], field, found)
    return _back(f"/signals/{signal_id}?" + urlencode({"ws": who.workspace}))


@router.post("/signals/{signal_id}/withdraw")
def withdraw(
    request: Request,
    signal_id: str,
    who: Annotated[Member, Depends(member)],
    field: Annotated[Literal["sentiment", "toxicity", "lang", "entities"], Form()],
) -> RedirectResponse:
    """The signal page's "use the models' value again"."""
    changing(request, who, "correct")
    undo(request, who, signal_id, field)
    return _back(f"/signals/{signal_id}?" + urlencode({"ws": who.workspace}))


@router.post("/corrections")
def correct_many(
    request: Request,
    who: Annotated[Member, Depends(member)],
    change: Annotated[str, Form(max_length=40)],
    ids: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    back: Annotated[str, Form(max_length=4096)] = "/",
) -> RedirectResponse:
    """The wall's bulk form: the chosen signals given one value (`field:value`), all or none."""
    changing(request, who, "correct")
    if not ids:
        raise Refusal(400, N_("Choose at least one signal to correct."))
    field, _, value = change.partition(":")
    apply(request, who, ids[:500], field, value)
    target = safe_next(back)
    return _back(target + ("&" if "?" in target else "?") + urlencode({"corrected": len(ids)}))


@router.get("/corrections/export")
def export_page(
    request: Request,
    who: Annotated[Member, Depends(member)],
    format: Annotated[Literal["csv", "jsonl"], Query()] = "csv",
) -> StreamingResponse:
    """The wall's link to the corrections dataset."""
    return dataset(request, who, format, None)


def entities(text: str) -> list[dict[str, str]]:
    """The entities form's lines (`org: Maison Lumière`) as the API's list; 400 with the line
    that cannot be read."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        kind, sep, name = line.partition(":")
        if not sep or kind.strip().casefold() not in ENTITY_TYPES or not name.strip():
            raise Refusal(400, BAD_ENTITY, line=n, accepted=", ".join(ENTITY_TYPES))
        out.append({"type": kind.strip().casefold(), "text": name.strip()})
    return out


def _back(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)
