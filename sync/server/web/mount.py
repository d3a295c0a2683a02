"""Adding the dashboard to the ward server's app: its routers, static files and error pages."""
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.server.api.packsource import PackSource
from sync.server.keys import BundleKeys
from sync.server.settings import WardSettings
from sync.server.web import admin, pages, uploads
from sync.server.web import packs as pack_pages
from sync.server.web.deps import NotAllowed, SignInNeeded, language, make_dashboard
from sync.server.web.render import page

STATIC = Path(__file__).parent / "static"
API_PREFIXES = ("/api/", "/healthz", "/docs", "/openapi.json")


def mount(app: FastAPI, sessions: sessionmaker, bundle_keys: BundleKeys, packs: PackSource,
          settings: WardSettings | None = None) -> None:
    board = make_dashboard(sessions, settings or getattr(app.state, "settings", None) or WardSettings(),
                           bundle_keys, packs)
    app.state.dashboard = board
    for router in (pages.router, admin.router, pack_pages.router, uploads.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(SignInNeeded)
    def sign_in_needed(_request: Request, _exc: SignInNeeded) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(NotAllowed)
    def not_allowed(request: Request, exc: NotAllowed) -> Response:
        viewer = language(request, board)
        return page(request, board, viewer, "error.html", 403, message=viewer.gettext(exc.reason))

    @app.exception_handler(StarletteHTTPException)
    async def problem(request: Request, exc: StarletteHTTPException) -> Response:
        """Kiosks get the API's JSON; people get a page in their language."""
        if request.url.path.startswith(API_PREFIXES) or exc.status_code in (304,):
            return await http_exception_handler(request, exc)
        viewer = language(request, board)
        return page(request, board, viewer, "error.html", exc.status_code, message=viewer.gettext(str(exc.detail)))
