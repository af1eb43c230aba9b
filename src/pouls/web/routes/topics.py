"""Topics in the web app: list with counts, a query editor that checks as one types, and
create, edit and delete for the roles that may (`pouls.access.may(role, "watch")`).

A saved topic is backfilled over the stored history in a background thread; the page shows
how far it got until it is done. The live pipeline picks the change up by itself (its topic
stage reloads when `Topics.version` moves). A topic of pouls.toml may be changed or deleted
here too: the store is the one source of truth, the file only seeds it (docs/settings.md).
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pouls.access import may
from pouls.locale import N_
from pouls.pipeline import remove_topic
from pouls.query import QueryError, parse, render
from pouls.query.period import zone
from pouls.store import Filters
from pouls.store.declined import Declined
from pouls.store.topics import Topic
from pouls.web.auth import same_origin
from pouls.web.i18n import language
from pouls.web.params import Selection, selection
from pouls.web.ranges import picker
from pouls.web.templating import templates

router = APIRouter(include_in_schema=False)
pages = templates()

NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def _editor(request: Request, sel: Selection) -> None:
    if not same_origin(request):
        raise HTTPException(403, "this form must be sent from pouls itself")
    role = request.state.user.roles.get(sel.workspace)
    if not may(role, "watch"):
        raise HTTPException(403, N_("Your role cannot change topics: ask an admin or an analyst."))


def _progress(request: Request, workspace: str, topics: list[Topic]) -> dict[str, int]:
    """Percent of the history matched so far, for topics still being backfilled."""
    newest = request.app.state.store.topics.history_end()
    running: set[tuple[str, str]] = request.app.state.backfills
    out = {}
    for t in topics:
        if (workspace, t.name) in running:
            done = t.backfilled_seq or 0
            out[t.name] = min(99, int(100 * done / newest)) if newest else 0
    return out


@router.get("/topics", response_class=HTMLResponse)
def topic_list(
    request: Request, sel: Annotated[Selection, Depends(selection)], edit: str | None = None
) -> HTMLResponse:
    """The workspace's topics with their counts; the editor (filled with the topic named by
    `edit`) for those who may change them."""
    topic = request.app.state.store.topics.get(sel.workspace, edit) if edit else None
    form = None
    if topic is not None:
        tags = ", ".join(topic.tags)
        form = {"name": topic.name, "query": topic.query, "tags": tags, "color": topic.color or ""}
    return _list(request, sel, form)


def _list(
    request: Request,
    sel: Selection,
    form: dict[str, str] | None = None,
    error: QueryError | str | None = None,
    status: int = 200,
) -> HTMLResponse:
    store = request.app.state.store
    topics = store.topics.list(sel.workspace)
    # The counts follow the range picker, as the wall's do (all time when none is chosen).
    period = sel.period
    within = Filters(since=period.since, until=period.until) if period else Filters()
    counts = store.facets(sel.workspace, None, within)["topic"]
    progress = _progress(request, sel.workspace, topics)
    tz = zone(request.app.state.settings.workspace(sel.workspace).timezone)
    context = {
        "sel": sel,
        "picker": picker(period, tz, language(request)),
        "range_action": "/topics",
        "topics": topics,
        "rendered": {t.name: _render(t.query) for t in topics},
        "counts": counts,
        "progress": progress,
        "editor": may(request.state.user.roles.get(sel.workspace), "watch"),
        "declared": {
            t.name for t in request.app.state.settings.file.topics if t.workspace == sel.workspace
        },
        "form": form or {},
        "error": error,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "topic-rows":
        return pages.TemplateResponse(request, "_topic_rows.html", context)
    return pages.TemplateResponse(request, "topics.html", context, status_code=status)


def _render(query: str) -> str:
    try:
        return render(parse(query))
    except QueryError:
        return query


@router.post("/topics/check", response_class=HTMLResponse)
def check(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    query: Annotated[str, Form(max_length=4096)] = "",
) -> HTMLResponse:
    """What the editor shows under the query as one types: the error and its column, or the
    normalised query and how many stored signals it finds."""
    context: dict[str, Any] = {"sel": sel, "query": query}
    if query.strip():
        try:
            context["rendered"] = render(parse(query))
            page = request.app.state.store.search(
                sel.workspace, query, Filters(), limit=3, count=True
            )
            context["page"] = page
        except QueryError as exc:
            context["error"] = exc
    return pages.TemplateResponse(request, "_topic_check.html", context)


@router.post("/topics", response_model=None)
async def save(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    name: Annotated[str, Form(max_length=63)],
    query: Annotated[str, Form(max_length=4096)],
    tags: Annotated[str, Form(max_length=500)] = "",
    color: Annotated[str, Form(max_length=7)] = "",
) -> Response:
    """Create or change a topic, then backfill it in the background."""
    _editor(request, sel)
    form = {"name": name, "query": query, "tags": tags, "color": color}
    name = name.strip()
    if not NAME.fullmatch(name):
        message = "a topic name uses lowercase letters, digits, - and _ (e.g. bad-buzz)"
        return _list(request, sel, form, message, 400)
    if color and not COLOR.fullmatch(color):
        return _list(request, sel, form, "a colour is written #rrggbb, e.g. #c2410c", 400)
    store = request.app.state.store
    try:
        parse(query)
    except QueryError as exc:
        return _list(request, sel, form, exc, 400)
    labels = [t.strip() for t in tags.split(",") if t.strip()]
    topic = Topic(
        workspace=sel.workspace,
        name=name,
        query=query,
        tags=labels,
        color=color or None,
        origin="web",
    )
    if store.topics.save(topic):
        start_backfill(request, sel.workspace, name)
    Declined(store).forget(sel.workspace, "topic", name)
    return RedirectResponse(f"/topics?ws={sel.workspace}", status_code=303)


@router.post("/topics/{name}/delete", response_model=None)
def delete(request: Request, name: str, sel: Annotated[Selection, Depends(selection)]) -> Response:
    """Delete a topic and its matches (the signals stay)."""
    _editor(request, sel)
    store = request.app.state.store
    topic = store.topics.get(sel.workspace, name)
    if topic is None:
        raise HTTPException(404, "no such topic in this workspace")
    remove_topic(request.app.state.settings, store, sel.workspace, name)
    return RedirectResponse(f"/topics?ws={sel.workspace}", status_code=303)


def start_backfill(request: Request, workspace: str, name: str) -> None:
    """Match the topic over history in a thread; the page polls while it runs."""
    app = request.app
    key = (workspace, name)
    app.state.backfills.add(key)

    def run() -> None:
        try:
            app.state.store.topics.backfill(workspace, name, stop=app.state.halt.is_set)
        finally:
            app.state.backfills.discard(key)

    task = asyncio.get_running_loop().run_in_executor(None, run)
    app.state.backfill_tasks.add(task)
    task.add_done_callback(app.state.backfill_tasks.discard)
