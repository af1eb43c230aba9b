"""`create_app(settings, store)`: the FastAPI application, its templates and static files."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from pouls import __version__
from pouls.config import Settings
from pouls.store import Store
from pouls.web.live import Live
from pouls.web.routes import alerts, api, checkins, ingest, meta, stream, telegram, wall


def create_app(settings: Settings, store: Store, live: Live | None = None) -> FastAPI:
    """The web app over one store; `live` receives what the pipeline stores (SSE)."""
    app = FastAPI(title="pouls", version=__version__, docs_url="/api/docs", redoc_url=None)
    app.state.settings = settings
    app.state.store = store
    app.state.live = live or Live()
    static = resources.files("pouls.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness: the process answers and the store can be read."""
        store.count(settings.workspaces[0].id)
        return {"status": "ok", "version": __version__}

    app.include_router(wall.router)
    app.include_router(api.router)
    app.include_router(stream.router)
    app.include_router(ingest.router)
    app.include_router(checkins.router)
    app.include_router(meta.router)
    app.include_router(telegram.router)
    app.include_router(alerts.router)
    return app
