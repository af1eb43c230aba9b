"""`create_app(settings, store)`: the FastAPI application, its templates and static files."""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import resources
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from pouls import __version__
from pouls.config import Settings, WebhookSource
from pouls.store import Store
from pouls.store.users import User
from pouls.web import auth, errors, intake, parameters
from pouls.web.headers import SecurityHeaders
from pouls.web.limits import BodyLimit
from pouls.web.live import Live
from pouls.web.routes import (
    account,
    alerts,
    alerts_api,
    api,
    api_corrections,
    api_manage,
    api_rules,
    api_topics,
    checkins,
    corrections,
    dashboard,
    dashboard_api,
    deadletters,
    export,
    help,
    ingest,
    manage,
    meta,
    reports,
    rules,
    stream,
    telegram,
    topics,
    wall,
)
from pouls.web.templating import templates
from pouls.web.throttle import Throttle

SignedIn = [Depends(auth.viewer)]
docs_page = templates()


def body_limits(settings: Settings) -> Callable[[str], int]:
    """The largest body of each path: a webhook source's `max_bytes` on `/ingest/{its name}`,
    `[web] max_body_bytes` everywhere else."""
    default = settings.file.web.max_body_bytes
    webhooks: dict[str, int] = {}
    for s in settings.file.sources:
        if isinstance(s, WebhookSource):
            webhooks[s.name] = max(s.max_bytes, webhooks.get(s.name, 0))

    def limit_for(path: str) -> int:
        if path.startswith("/ingest/"):
            return webhooks.get(path[len("/ingest/") :].split("/", 1)[0], default)
        return default

    return limit_for


def create_app(settings: Settings, store: Store, live: Live | None = None) -> FastAPI:
    """The web app over one store; `live` receives what the pipeline stores (SSE).

    Pages and the signals API need a signed-in account (`auth.viewer`); health, static files,
    the login page and webhooks (which check their own signatures) do not.
    """
    app = FastAPI(
        title="pouls",
        version=__version__,
        description=errors.API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=intake.lifespan,  # webhooks' group commit; stages warmed before serving
        dependencies=[Depends(parameters.known_only)],  # /api/v1: unknown parameters are 400s
    )
    app.state.settings = settings
    app.state.store = store
    app.state.live = live or Live()
    app.state.throttle = Throttle()
    # Topic backfills started from the web: running (workspace, name) pairs, their futures,
    # and the flag `pouls up` raises at shutdown so they stop between chunks.
    app.state.backfills = set()
    app.state.backfill_tasks = set()
    app.state.halt = threading.Event()
    app.add_exception_handler(auth.LoginRequired, auth.login_required)
    app.add_exception_handler(StarletteHTTPException, errors.page_or_json)
    app.add_exception_handler(RequestValidationError, errors.invalid_request)
    app.add_middleware(BodyLimit, limit_for=body_limits(settings))
    # Added last, so outermost: the 413 of BodyLimit gets the headers too.
    app.add_middleware(SecurityHeaders)
    # Swagger UI's own files, from the fastapi-offline package: FastAPI's default page loads
    # them from a CDN, which a self-hosted instance offline (or a strict CSP) cannot reach.
    # Mounted before /static, which would otherwise answer for them.
    swagger = resources.files("fastapi_offline").joinpath("static")
    app.mount("/static/swagger", StaticFiles(directory=str(swagger)), name="swagger")
    static = resources.files("pouls.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness: the process answers and the store can be read."""
        store.count(settings.workspaces[0].id)
        return {"status": "ok", "version": __version__}

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        """Browsers ask for it whatever the pages link to."""
        return FileResponse(str(static.joinpath("favicon.ico")), media_type="image/x-icon")

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(_: Annotated[User, Depends(auth.viewer)]) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request, _: Annotated[User, Depends(auth.viewer)]) -> HTMLResponse:
        # pouls' own page rather than FastAPI's, whose inline script the CSP forbids.
        return docs_page.TemplateResponse(request, "api_docs.html", {})

    # Webhooks prove themselves with their platform's signature or their source's token.
    # First in the routing table: a delivery is matched before the ~100 page and API routes
    # are tried (routing was a third of a webhook request's time: bench/webhooks.py).
    app.include_router(ingest.router)
    app.include_router(checkins.router)
    app.include_router(meta.router)
    app.include_router(telegram.router)
    app.include_router(auth.router)
    app.include_router(wall.router, dependencies=SignedIn)
    app.include_router(api.router, dependencies=SignedIn)
    app.include_router(dashboard.router, dependencies=SignedIn)
    app.include_router(dashboard_api.router, dependencies=SignedIn)
    app.include_router(export.router, dependencies=SignedIn)
    app.include_router(deadletters.router, dependencies=SignedIn)
    app.include_router(stream.router, dependencies=SignedIn)
    app.include_router(alerts.router, dependencies=SignedIn)
    app.include_router(alerts_api.router, dependencies=SignedIn)
    app.include_router(topics.router, dependencies=SignedIn)
    app.include_router(rules.router, dependencies=SignedIn)
    app.include_router(reports.router, dependencies=SignedIn)
    app.include_router(reports.api, dependencies=SignedIn)
    app.include_router(api_topics.router, dependencies=SignedIn)
    app.include_router(api_rules.router, dependencies=SignedIn)
    app.include_router(api_manage.router, dependencies=SignedIn)
    app.include_router(api_corrections.router, dependencies=SignedIn)
    app.include_router(corrections.router, dependencies=SignedIn)
    app.include_router(manage.router, dependencies=SignedIn)
    app.include_router(account.router, dependencies=SignedIn)
    app.include_router(help.router, dependencies=SignedIn)
    return app
