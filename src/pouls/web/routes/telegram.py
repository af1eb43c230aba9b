"""`POST /hooks/telegram/{source}`: Telegram Bot API webhook deliveries, checked and stored.

Telegram sends the secret given to `setWebhook` (`secret_token`) in
`X-Telegram-Bot-Api-Secret-Token`; a delivery without the right one gets 401 and nothing is
stored. An accepted update is journaled durably before the 200, then goes through the
pipeline's stages (`pouls.web.intake`): Telegram redelivers what was not acknowledged, and ids
make that a no-op.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from pouls import config
from pouls.signals import Batch, DeadLetter
from pouls.sources.telegram import read_updates
from pouls.web.errors import Refusal
from pouls.web.intake import accept

router = APIRouter(tags=["webhooks"])


def _settings(request: Request, source: str) -> config.TelegramSource:
    for s in request.app.state.settings.file.sources:
        if isinstance(s, config.TelegramSource) and s.name == source and s.mode == "webhook":
            return s
    raise Refusal(404, "no Telegram webhook source %(name)r", name=source)


async def receive(request: Request) -> Response:
    """Store one Update sent by Telegram to this source's webhook."""
    s = _settings(request, request.path_params["source"])
    expected = config.read_secret(s.secret_token, s.secret_token_env) or ""
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(401, "wrong or missing X-Telegram-Bot-Api-Secret-Token")
    body = await request.body()
    try:
        update = json.loads(body)
    except (ValueError, RecursionError) as exc:  # too deeply nested: not readable either
        dead = DeadLetter(
            workspace=s.workspace,
            source=s.name,
            reason=f"webhook body is not JSON ({exc})",
            raw=body[:10_000].decode("utf-8", "replace"),
            position="body:" + hashlib.blake2b(body, digest_size=8).hexdigest(),
        )
        batch = Batch(dead_letters=[dead], cursor=None)
    else:
        batch = read_updates([update], s.workspace, s.name)
    if batch.cursor is None:  # keep the last acknowledged offset rather than clearing it
        batch.cursor = await _saved_cursor(request, s)
    await accept(request, s.workspace, s.name, batch)
    return JSONResponse({"ok": True})


# A plain Starlette route, as `POST /ingest/{source}` (pouls.web.routes.ingest): FastAPI's
# parameter resolution would cost each update more than its journaling.
router.add_route("/hooks/telegram/{source}", receive, methods=["POST"], include_in_schema=False)


async def _saved_cursor(request: Request, s: config.TelegramSource) -> str | None:
    return await asyncio.to_thread(request.app.state.store.cursor, s.workspace, s.name)
