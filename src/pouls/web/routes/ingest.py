"""`POST /ingest/{source}`: the generic webhook, authenticated by its own HMAC or bearer token.

The batch is journaled durably before the answer and stored just after (see pouls.web.intake):
`202` lists the ids accepted and the entries refused with their reason; a wrong signature or
token is `401` and nothing is kept; a full backlog is `503` with `Retry-After`.
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
from pouls.web.errors import Refusal
from pouls.web.intake import accept

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
        raise Refusal(404, "no %(kind)s named %(name)r", kind=kind.__name__, name=name)
    if len(found) > 1:
        raise Refusal(400, "%(name)r exists in several workspaces: add ?workspace=", name=name)
    return found[0]


async def ingest(request: Request) -> Response:
    """Accept the posted JSON object, JSON array or JSON lines; 202 with the ids."""
    source, workspace = request.path_params["source"], request.query_params.get("workspace")
    s: WebhookSource = configured(request, WebhookSource, source, workspace)
    secret = read_secret(s.secret, s.secret_env)
    if not secret:
        # Refuse rather than accept unauthenticated data; the message names the setting only.
        raise Refusal(
            503, "source %(name)s has no secret: set `secret_env` in pouls.toml", name=s.name
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > s.max_bytes:
        raise Refusal(413, "body over %(limit)s bytes", limit=s.max_bytes)
    body = await request.body()
    if len(body) > s.max_bytes:
        raise Refusal(413, "body over %(limit)s bytes", limit=s.max_bytes)
    if s.auth == "bearer":
        if not webhook.bearer_ok(secret, request.headers.get("authorization")):
            raise HTTPException(
                401, "wrong or missing bearer token", {"WWW-Authenticate": "Bearer"}
            )
    elif not webhook.signature_ok(secret, body, request.headers.get(s.signature_header)):
        raise Refusal(401, "wrong or missing %(header)s signature", header=s.signature_header)
    defaults = Defaults(
        workspace=s.workspace,
        source=s.name,
        channel=s.channel,
        kind=s.kind,
        visibility=s.visibility,
    )
    batch = webhook.parse(body, defaults=defaults, observed_at=utcnow(), mapping=s.mapping)
    receipt = await accept(request, s.workspace, s.name, batch)
    refused = [{"position": d.position, "reason": d.reason} for d in receipt.dead_letters]
    status = 400 if refused and not receipt.accepted else 202
    return _json(
        {
            "ids": [x.id for x in receipt.accepted],
            "accepted": len(receipt.accepted),
            "dead_letters": refused,
        },
        status,
    )


# A plain Starlette route: FastAPI's parameter resolution was a third of a delivery's time in
# the app (bench/webhooks.py), and the route reads nothing but its path and `?workspace=`.
router.add_route("/ingest/{source}", ingest, methods=["POST"], include_in_schema=False)
