"""`create_app(settings, store)`: the FastAPI application, its templates and static files."""

from __future__ import annotations

import threading
from importlib import resources
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from pouls import __version__
from pouls.config import Settings
from pouls.store import Store
from pouls.store.users import User
from pouls.web import auth, errors
from pouls.web.live import Live
from pouls.web.routes import (
    alerts,
    api,
    checkins,
    ingest,
    meta,
    rules,
    stream,
    telegram,
    topics,
    wall,
)
from pouls.web.throttle import Throttle

SignedIn = [Depends(auth.viewer)]


def create_app(settings: Settings, store: Store, live: Live | None = None) -> FastAPI:
    """The web app over one store; `live` receives what the pipeline stores (SSE).

    Pages and the signals API need a signed-in account (`auth.viewer`); health, static files,
    the login page and webhooks (which check their own signatures) do not.
    """
    app = FastAPI(
        title="pouls", version=__version__, docs_url=None, redoc_url=None, openapi_url=None
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

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(_: Annotated[User, Depends(auth.viewer)]) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request, _: Annotated[User, Depends(auth.viewer)]) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="pouls API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon.png",
        )

    app.include_router(auth.router)
    app.include_router(wall.router, dependencies=SignedIn)
    app.include_router(api.router, dependencies=SignedIn)
    app.include_router(stream.router, dependencies=SignedIn)
    app.include_router(alerts.router, dependencies=SignedIn)
    app.include_router(topics.router, dependencies=SignedIn)
    app.include_router(rules.router, dependencies=SignedIn)
    # Webhooks prove themselves with their platform's signature or their source's token.
    app.include_router(ingest.router)
    app.include_router(checkins.router)
    app.include_router(meta.router)
    app.include_router(telegram.router)
    return app
