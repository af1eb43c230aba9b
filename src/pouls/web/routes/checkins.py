"""`POST /api/v1/checkins`: record a mood or a personal measure from a phone or a script.

The check-in source named in the body (or the workspace's first one) decides the token: when
it sets `token`/`token_env`, `Authorization: Bearer <that token>` is required; otherwise the
caller signs in like for any API route (a pouls API token or a session) and needs a role in the
workspace.
"""

from __future__ import annotations

import msgspec
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from pouls.config import CheckinSource, Settings, read_secret
from pouls.signals import Batch, utcnow
from pouls.sources import webhook
from pouls.sources.checkin import InvalidCheckin, decode, to_signal
from pouls.web.auth import viewer
from pouls.web.errors import Refusal
from pouls.web.intake import store_batch

router = APIRouter(prefix="/api/v1", tags=["checkins"])

DEFAULT_SOURCE = "checkin"


class NoTarget(InvalidCheckin, LookupError):
    """No such workspace or check-in source: a 404 for the API, exit 1 for the CLI."""


def target(settings: Settings, workspace: str | None, source: str | None) -> CheckinSource:
    """The check-in source to write to; a default one (no token) when none is configured."""
    ws = workspace or settings.workspaces[0].id
    if settings.workspace(ws) is None:
        raise NoTarget("no workspace %(workspace)r", workspace=ws)
    declared = [
        s for s in settings.file.sources if isinstance(s, CheckinSource) and s.workspace == ws
    ]
    if source:
        found = next((s for s in declared if s.name == source), None)
        if found is None and declared:
            raise NoTarget(
                "no check-in source %(source)r in workspace %(workspace)r",
                source=source,
                workspace=ws,
            )
        return found or CheckinSource(name=source, workspace=ws)
    return declared[0] if declared else CheckinSource(name=DEFAULT_SOURCE, workspace=ws)


@router.post("/checkins", status_code=201)
async def create_checkin(request: Request) -> Response:
    """Store one check-in; 201 with its id."""
    try:
        checkin = decode(await request.body())
    except InvalidCheckin as exc:
        raise Refusal(422, exc.template, **exc.values) from None
    try:
        s = target(request.app.state.settings, checkin.workspace, checkin.source)
    except NoTarget as exc:
        raise Refusal(404, exc.template, **exc.values) from None
    token = read_secret(s.token, s.token_env)
    if token:
        if not webhook.bearer_ok(token, request.headers.get("authorization")):
            raise HTTPException(
                401, "wrong or missing bearer token", {"WWW-Authenticate": "Bearer"}
            )
    elif s.workspace not in viewer(request).roles:
        raise Refusal(403, "no role in workspace %(workspace)r", workspace=s.workspace)
    try:
        signal = to_signal(checkin, workspace=s.workspace, source=s.name, observed_at=utcnow())
    except InvalidCheckin as exc:
        raise Refusal(422, exc.template, **exc.values) from None
    outcome = await store_batch(
        request, s.workspace, s.name, Batch(signals=[signal], cursor=signal.id)
    )
    if outcome.refused:  # kept as a dead letter with its reason: say why it was not stored
        raise HTTPException(422, outcome.refused[0].reason)
    body = {"id": signal.id, "workspace": s.workspace, "source": s.name}
    return Response(msgspec.json.encode(body), status_code=201, media_type="application/json")
