"""The ward server's app: the kiosks' API (``sync.server.api``) and the staff dashboard (``sync.server.web``).

``create_app`` makes the engine and a lifespan that disposes of it when the server stops; every
route reaches the database, the limits and the packs through dependencies (``api.deps``,
``web.deps``) that a test may override with ``app.dependency_overrides``.
"""
import threading
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any, AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from sync.records import Batch
from sync.server.api import kiosks, releases
from sync.server.api.body import DEFAULT_BODY_LIMIT, component_schemas
from sync.server.api.deps import KioskApi
from sync.server.api.packsource import PackSource
from sync.server.api.releasesource import ReleaseSource, default_releases_dir
from sync.server.api.schemas import HeartbeatBody
from sync.server.db import make_engine, make_sessions
from sync.server.keys import BundleKeys, default_key_file
from sync.server.ratelimit import RateLimiter
from sync.server.web.mount import mount as mount_dashboard

RATE_PER_S = 10.0
BURST = 60
FAILURE_RATE_PER_S = 0.5  # enrollment attempts and wrong tokens per client address
FAILURE_BURST = 20


def create_app(database_url: str, *, packs_dir: Path | None = None, rate_per_s: float = RATE_PER_S,
               burst: float = BURST, bundle_key_file: Path | None = None,
               failure_rate_per_s: float = FAILURE_RATE_PER_S, failure_burst: float = FAILURE_BURST,
               releases_dir: Path | None = None) -> FastAPI:
    """The server bound to the database at ``database_url`` (already migrated).

    ``bundle_key_file`` holds the master key of USB bundle keys (default: beside the SQLite file,
    or ``var/ward-bundle.key``); ``failure_*`` limit enrollment attempts and wrong tokens per address;
    ``releases_dir`` holds the kiosk releases published with ``ward-server release add`` (default: beside the
    SQLite file, or ``var/releases``).
    """
    engine = make_engine(database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    sessions = make_sessions(engine)
    bundle_keys = BundleKeys(bundle_key_file or default_key_file(database_url)).ensure()
    packs = PackSource(packs_dir)
    app = FastAPI(title="Bình Dân Học Vụ Số ward server", version="1", max_body_size=DEFAULT_BODY_LIMIT,
                  lifespan=lifespan)
    app.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=5)
    app.state.engine = engine
    app.state.bundle_keys = bundle_keys
    app.state.kiosk_api = KioskApi(
        sessions, RateLimiter(rate_per_s, burst), RateLimiter(failure_rate_per_s, failure_burst), bundle_keys, packs,
        threading.Lock() if engine.dialect.name == "sqlite" else nullcontext())
    app.state.releases = ReleaseSource(releases_dir or default_releases_dir(database_url))
    app.include_router(kiosks.router)
    app.include_router(releases.router)
    schemas = {name: schema for model in (Batch, HeartbeatBody) for name, schema in component_schemas(model).items()}
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        document = plain_openapi()
        document.setdefault("components", {}).setdefault("schemas", {}).update(schemas)
        return document

    app.openapi = openapi
    mount_dashboard(app, sessions, bundle_keys, packs)
    return app
