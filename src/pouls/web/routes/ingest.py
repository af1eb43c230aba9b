"""`POST /ingest/{source}`: the generic webhook, authenticated by its own HMAC or bearer token.

The batch is stored before the answer (see pouls.web.intake): `202` lists the ids stored and
the entries refused with their reason; a wrong signature or token is `401` and nothing is stored.
"""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from pouls.config import WebhookSource, read_secret
from pouls.signals import utcnow
from pouls.sources import webhook
from pouls.sources.records import Defaults
from pouls.web.intake import store_batch

router = APIRouter(tags=["webhooks"])


def _json(value: Any, status: int) -> Response:
    return Response(msgspec.json.encode(value), status_code=status, media_type="application/json")


def configured(request: Request, kind: type[Any], name: str, workspace: str | None) -> Any:
    """The source of type `kind` named `name` (in `workspace` when given); 404 or 400 otherwise."""
    found = [
        s
        for s in request.app.state.settings.file.sources
        if isinstance(s, kind) and s.name == name and workspace in (None, s.workspace)
    ]
    if not found:
        raise HTTPException(404, f"no {kind.__name__} named {name!r}")
    if len(found) > 1:
        raise HTTPException(400, f"{name!r} exists in several workspaces: add ?workspace=")
    return found[0]


@router.post("/ingest/{source}", status_code=202)
async def ingest(request: Request, source: str, workspace: str | None = None) -> Response:
    """Store the posted JSON object, JSON array or JSON lines; 202 with the ids."""
    s: WebhookSource = configured(request, WebhookSource, source, workspace)
    secret = read_secret(s.secret, s.secret_env)
    if not secret:
        # Refuse rather than accept unauthenticated data; the message names the setting only.
        raise HTTPException(503, f"source {s.name} has no secret: set `secret_env` in pouls.toml")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > s.max_bytes:
        raise HTTPException(413, f"body over {s.max_bytes} bytes")
    body = await request.body()
    if len(body) > s.max_bytes:
        raise HTTPException(413, f"body over {s.max_bytes} bytes")
    if s.auth == "bearer":
        if not webhook.bearer_ok(secret, request.headers.get("authorization")):
            raise HTTPException(
                401, "wrong or missing bearer token", {"WWW-Authenticate": "Bearer"}
            )
    elif not webhook.signature_ok(secret, body, request.headers.get(s.signature_header)):
        raise HTTPException(401, f"wrong or missing {s.signature_header} signature")
    defaults = Defaults(
        workspace=s.workspace,
        source=s.name,
        channel=s.channel,
        kind=s.kind,
        visibility=s.visibility,
    )
    batch = webhook.parse(body, defaults=defaults, observed_at=utcnow(), mapping=s.mapping)
    outcome = await store_batch(request, s.workspace, s.name, batch)
    dead = batch.dead_letters + outcome.refused
    refused = [{"position": d.position, "reason": d.reason} for d in dead]
    status = 400 if refused and not outcome.stored else 202
    return _json(
        {
            "ids": [x.id for x in outcome.stored],
            "stored": outcome.result.inserted,
            "already_stored": outcome.result.existing,
            "dead_letters": refused,
        },
        status,
    )
