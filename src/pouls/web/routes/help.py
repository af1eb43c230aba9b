"""`/help/query`: the query language reference, in the page's language, served by pouls itself.

The package works without the repository's docs/ folder, so the reference the wall links to
is a page of the app: the operators and fields of docs/query-language.md, in short.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from pouls.web.params import Selection, selection
from pouls.web.templating import templates

router = APIRouter(include_in_schema=False)
pages = templates()


@router.get("/help/query", response_class=HTMLResponse)
def query_language(request: Request, sel: Annotated[Selection, Depends(selection)]) -> HTMLResponse:
    """The operators and fields of the query language, with an example each."""
    return pages.TemplateResponse(request, "help_query.html", {"sel": sel})
