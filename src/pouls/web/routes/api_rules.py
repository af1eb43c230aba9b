"""JSON API of alert rules: list, read, create, update, delete; the same roles as the rules
page (admins and analysts change them). A running `pouls up` takes a change up within seconds.

A rule's body is `pouls.config.Rule` without `workspace` (given by `ws`), in JSON; unknown
fields, wrong types and rules that cannot run are refused with the reason (400).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from pouls.config import Rule
from pouls.locale import N_
from pouls.store.watch import RuleExists, WatchStore
from pouls.watch import ruleset
from pouls.web.errors import Refusal
from pouls.web.member import Member, changing, member

router = APIRouter(prefix="/api/v1", tags=["rules"])


def _schema() -> dict[str, Any]:
    """The JSON Schema of a rule's body, from the settings struct itself (one declaration)."""
    whole = msgspec.json.schema(Rule)
    body = dict(whole["$defs"]["Rule"])
    body["properties"] = {k: v for k, v in body["properties"].items() if k != "workspace"}
    body["required"] = [k for k in body.get("required", []) if k != "workspace"]
    return body


BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": _schema()}}}}


def _json(value: Any, status: int = 200) -> Response:
    return Response(msgspec.json.encode(value), status_code=status, media_type="application/json")


def _out(e: ruleset.Entry) -> dict[str, Any]:
    doc = msgspec.to_builtins(e.rule)
    doc.pop("workspace", None)
    return {**doc, "origin": e.origin, "in_file": e.in_file, "updated_at": e.updated_at}


def _entry(request: Request, who: Member, name: str) -> ruleset.Entry:
    book = WatchStore(request.app.state.store)
    found = ruleset.entries(request.app.state.settings, book, who.workspace)
    entry = next((e for e in found if e.rule.name == name), None)
    if entry is None:
        raise HTTPException(404, "no such rule in this workspace")
    return entry


def _refused(reason: str, problems: list[str] | None = None, **values: Any) -> Refusal:
    """A 400 whose JSON says why: `{"detail": {"error": ..., "problems": [...]}}`, `error` in
    the language Accept-Language names (English when none)."""
    return Refusal(400, reason, fields={"problems": problems} if problems else {}, **values)


async def _read(request: Request, who: Member, name: str | None) -> Rule:
    """The body as a rule of the workspace; 400 with msgspec's reason when it is not one."""
    raw = await request.body()
    try:
        fields = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise _refused(N_("the body is not JSON: %(why)s"), why=str(exc)) from None
    if not isinstance(fields, dict):
        raise _refused(N_("the body is a JSON object of the rule's fields"))
    if "workspace" in fields:
        raise _refused(N_("workspace: given by `ws`, not in the body"))
    if name is not None and fields.setdefault("name", name) != name:
        raise _refused(N_("name: a rule keeps its name"))
    try:
        return msgspec.convert({**fields, "workspace": who.workspace}, Rule)
    except msgspec.ValidationError as exc:
        raise _refused(N_("not a rule: %(why)s"), why=str(exc)) from None


@router.get("/rules")
def list_rules(request: Request, who: Annotated[Member, Depends(member)]) -> Response:
    """The workspace's rules; `origin` says where each came from (`config`: seeded from
    pouls.toml, `cli`, `web`) and `in_file` whether pouls.toml declares it."""
    book = WatchStore(request.app.state.store)
    found = ruleset.entries(request.app.state.settings, book, who.workspace)
    return _json({"rules": [_out(e) for e in found]})


@router.get("/rules/{name}")
def get_rule(request: Request, name: str, who: Annotated[Member, Depends(member)]) -> Response:
    """One rule."""
    return _json(_out(_entry(request, who, name)))


@router.post("/rules", status_code=201, openapi_extra=BODY)
async def create_rule(request: Request, who: Annotated[Member, Depends(member)]) -> Response:
    """Create a rule (409 when the name is taken); try it first with `pouls rule test` or the
    editor's replay."""
    changing(request, who, "watch")
    rule = await _read(request, who, None)
    return _save(request, who, rule, create=True)


@router.put("/rules/{name}", openapi_extra=BODY)
async def update_rule(
    request: Request, name: str, who: Annotated[Member, Depends(member)]
) -> Response:
    """Replace a rule's settings (404 when there is none); fields left out take their default."""
    changing(request, who, "watch")
    rule = await _read(request, who, name)
    return _save(request, who, rule, create=False)


def _save(request: Request, who: Member, rule: Rule, *, create: bool) -> Response:
    settings = request.app.state.settings
    try:
        ruleset.save(settings, request.app.state.store, rule, origin="web", create=create)
    except ruleset.RuleRefused as exc:
        raise _refused(N_("this rule cannot run"), exc.problems) from None
    except RuleExists:
        raise HTTPException(409, "a rule of that name exists already: PUT changes it") from None
    except KeyError:
        raise HTTPException(404, "no such rule in this workspace") from None
    return _json(_out(_entry(request, who, rule.name)), 201 if create else 200)


@router.delete("/rules/{name}", status_code=204)
def delete_rule(request: Request, name: str, who: Annotated[Member, Depends(member)]) -> Response:
    """Delete a rule; a running `pouls up` closes its open alerts."""
    changing(request, who, "watch")
    if not ruleset.delete(request.app.state.settings, request.app.state.store, who.workspace, name):
        raise HTTPException(404, "no such rule in this workspace")
    return Response(status_code=204)
