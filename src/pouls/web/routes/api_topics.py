"""JSON API of topics: list, read, create, update, delete; the same roles as the topics page
(admins and analysts change them). A saved topic is matched over history in the background."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from pouls.pipeline import remove_topic
from pouls.query import QueryError, parse
from pouls.store.declined import Declined
from pouls.store.topics import Topic
from pouls.web.errors import query_refusal
from pouls.web.member import Member, changing, member
from pouls.web.routes.topics import start_backfill

router = APIRouter(prefix="/api/v1", tags=["topics"])

NAME = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class TopicFields(BaseModel):
    """What a topic is made of; unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(max_length=4096, description="Query in the query language.")
    tags: list[str] = Field(default_factory=list, max_length=50, description="Labels.")
    color: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$", description="#rrggbb.")


class NewTopic(TopicFields):
    name: str = Field(pattern=NAME, description="Topic id: lowercase letters, digits, - and _.")


def _json(value: Any, status: int = 200) -> Response:
    return Response(msgspec.json.encode(value), status_code=status, media_type="application/json")


def _out(request: Request, t: Topic, counts: dict[str, int]) -> dict[str, Any]:
    declared = any(
        f.workspace == t.workspace and f.name == t.name
        for f in request.app.state.settings.file.topics
    )
    return {
        "name": t.name,
        "query": t.query,
        "tags": t.tags,
        "color": t.color,
        "origin": t.origin,
        "in_file": declared,
        "signals": counts.get(t.name, 0),
    }


def _counts(request: Request, workspace: str) -> dict[str, int]:
    return dict(request.app.state.store.facets(workspace)["topic"])


@router.get("/topics")
def list_topics(request: Request, who: Annotated[Member, Depends(member)]) -> Response:
    """The workspace's topics with how many stored signals each matches; `origin` says where
    each came from (`config`: seeded from pouls.toml, `cli`, `web`)."""
    counts = _counts(request, who.workspace)
    topics = request.app.state.store.topics.list(who.workspace)
    return _json({"topics": [_out(request, t, counts) for t in topics]})


@router.get("/topics/{name}")
def get_topic(request: Request, name: str, who: Annotated[Member, Depends(member)]) -> Response:
    """One topic."""
    topic = request.app.state.store.topics.get(who.workspace, name)
    if topic is None:
        raise HTTPException(404, "no such topic in this workspace")
    return _json(_out(request, topic, _counts(request, who.workspace)))


@router.post("/topics", status_code=201)
async def create_topic(
    request: Request, body: NewTopic, who: Annotated[Member, Depends(member)]
) -> Response:
    """Create a topic (409 when the name is taken) and match it over history."""
    changing(request, who, "watch")
    if request.app.state.store.topics.get(who.workspace, body.name) is not None:
        raise HTTPException(409, "a topic of that name exists already: PUT changes it")
    return _save(request, who, body.name, body, 201)


@router.put("/topics/{name}")
async def update_topic(
    request: Request, name: str, body: TopicFields, who: Annotated[Member, Depends(member)]
) -> Response:
    """Change a topic's query, tags or colour (404 when there is none)."""
    changing(request, who, "watch")
    if request.app.state.store.topics.get(who.workspace, name) is None:
        raise HTTPException(404, "no such topic in this workspace")
    return _save(request, who, name, body, 200)


def _save(request: Request, who: Member, name: str, body: TopicFields, status: int) -> Response:
    try:
        parse(body.query)
    except QueryError as exc:
        raise query_refusal(exc) from None
    store = request.app.state.store
    tags = [t.strip() for t in body.tags if t.strip()]
    topic = Topic(
        workspace=who.workspace,
        name=name,
        query=body.query,
        tags=tags,
        color=body.color,
        origin="web",
    )
    if store.topics.save(topic):
        start_backfill(request, who.workspace, name)
    Declined(store).forget(who.workspace, "topic", name)
    saved = store.topics.get(who.workspace, name)
    return _json(_out(request, saved, _counts(request, who.workspace)), status)


@router.delete("/topics/{name}", status_code=204)
def delete_topic(request: Request, name: str, who: Annotated[Member, Depends(member)]) -> Response:
    """Delete a topic and its matches (the signals stay)."""
    changing(request, who, "watch")
    settings = request.app.state.settings
    if not remove_topic(settings, request.app.state.store, who.workspace, name):
        raise HTTPException(404, "no such topic in this workspace")
    return Response(status_code=204)
