"""Meta webhooks (WhatsApp Cloud API, Messenger, Instagram) at `/hooks/meta/{source}`.

GET answers the subscription handshake; every POST must carry `X-Hub-Signature-256`, the
HMAC-SHA256 of the raw body with the app secret, or it is refused (401 missing, 403 wrong) and
nothing is stored. A signed POST is journaled before the 200 (pouls.web.intake); what cannot be
read becomes a dead letter and is still answered 200, since Meta retries and then disables a
webhook that keeps failing.
"""

from __future__ import annotations

import asyncio
import hmac

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse

from pouls.config import MetaSource, read_secret
from pouls.signals import utcnow
from pouls.sources import meta
from pouls.web.errors import Refusal
from pouls.web.intake import accept
from pouls.web.routes.ingest import configured

router = APIRouter(tags=["webhooks"])


@router.get("/hooks/meta/{source}", response_class=PlainTextResponse)
def verify(
    request: Request,
    source: str,
    mode: str = Query("", alias="hub.mode"),
    token: str = Query("", alias="hub.verify_token"),
    challenge: str = Query("", alias="hub.challenge"),
    workspace: str | None = None,
) -> str:
    """The subscription handshake: echo `hub.challenge` when the verify token matches."""
    s: MetaSource = configured(request, MetaSource, source, workspace)
    expected = read_secret(s.verify_token, s.verify_token_env)
    if (
        mode != "subscribe"
        or not expected
        or not hmac.compare_digest(token.encode(), expected.encode())
    ):
        raise HTTPException(403, "wrong hub.mode or hub.verify_token")
    return challenge


async def receive(request: Request) -> PlainTextResponse:
    """Store the messages and comments of one signed delivery."""
    source, workspace = request.path_params["source"], request.query_params.get("workspace")
    s: MetaSource = configured(request, MetaSource, source, workspace)
    secret = read_secret(s.app_secret, s.app_secret_env)
    if not secret:
        raise Refusal(503, "source %(name)s has no app secret: set `app_secret_env`", name=s.name)
    body = await request.body()
    signature = request.headers.get("x-hub-signature-256")
    if not signature:
        raise HTTPException(401, "missing X-Hub-Signature-256")
    if not meta.signature_ok(secret, body, signature):
        raise HTTPException(403, "X-Hub-Signature-256 does not match the body")
    delivery = meta.parse(body, workspace=s.workspace, source=s.name, observed_at=utcnow())
    await accept(request, s.workspace, s.name, delivery.batch)
    failed = [st for st in delivery.statuses if st.status == "failed"]
    if failed:
        # A WhatsApp message id encodes the customer's number: named workspaces only see it.
        named = any(
            w.id == s.workspace and w.identities == "named"
            for w in request.app.state.settings.workspaces
        )
        message = "; ".join(
            f"{st.channel} message {st.message_id if named else ''} failed: {st.error}".replace(
                "  ", " "
            )
            for st in failed
        )
        await asyncio.to_thread(request.app.state.store.record_error, s.workspace, s.name, message)
    return PlainTextResponse("EVENT_RECEIVED")


# A plain Starlette route, as `POST /ingest/{source}` (pouls.web.routes.ingest): FastAPI's
# parameter resolution would cost each delivery more than its journaling.
router.add_route("/hooks/meta/{source}", receive, methods=["POST"], include_in_schema=False)
