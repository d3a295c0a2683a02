"""The ward server's HTTP API (sync protocol v1).

Untrusted input is read defensively: bodies are size-capped before and after gunzip, malformed
JSON gets 422 with nothing stored, a missing or wrong device token gets 401, and a device sending
faster than its rate limit gets 429 with ``Retry-After``.
"""
import json
import math
import threading
import zlib
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.gzip import GZipMiddleware
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from sync.heartbeat import Heartbeat
from sync.packs import encode_pack
from sync.server import identity
from sync.server.clock import DeviceClock, note_anchor
from sync.server.db import Device, make_engine, make_sessions, utcnow
from sync.server.ingest import MAX_BATCH, store_batch
from sync.server.ratelimit import RateLimiter

MAX_BODY_BYTES = 2 * 1024 * 1024
RATE_PER_S = 10.0
BURST = 60


class EnrollRequest(BaseModel):
    token: str = Field(min_length=8, max_length=200)
    device_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")


class EnrollResponse(BaseModel):
    device_id: str
    secret: str
    venue_id: str
    name: str


async def read_json_body(request: Request) -> Any:
    """The request's JSON, gunzipped if sent so; 413 when too big, 422 when not JSON."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, "request body is larger than 2 MB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, "request body is larger than 2 MB")
    if request.headers.get("content-encoding", "").lower() == "gzip":
        try:
            inflater = zlib.decompressobj(wbits=31)
            body = inflater.decompress(bytes(body), MAX_BODY_BYTES + 1)
        except zlib.error:
            raise HTTPException(422, "the body is not valid gzip") from None
        if len(body) > MAX_BODY_BYTES or inflater.unconsumed_tail:
            raise HTTPException(413, "the unpacked body is larger than 2 MB")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(422, "the body is not valid JSON") from None


class PackSource:
    """The signed lesson pack the server hands out, re-read only when its signature changes."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._cached: tuple[float, str, bytes] | None = None

    def current(self) -> tuple[str, bytes]:
        """(ETag, body); 404 when the server has no signed pack to give."""
        signature = self.folder / "signature.json" if self.folder else None
        try:
            stamp = signature.stat().st_mtime if signature else None
        except OSError:
            stamp = None
        if stamp is None:
            raise HTTPException(404, "this ward server has no signed lesson pack")
        if self._cached is None or self._cached[0] != stamp:
            self._cached = (stamp, *encode_pack(self.folder))
        return self._cached[1], self._cached[2]


def create_app(database_url: str, *, packs_dir: Path | None = None, rate_per_s: float = RATE_PER_S,
               burst: float = BURST) -> FastAPI:
    """The API bound to the database at ``database_url`` (already migrated)."""
    engine = make_engine(database_url)
    sessions: sessionmaker = make_sessions(engine)
    limiter = RateLimiter(rate_per_s, burst)
    packs = PackSource(packs_dir)
    app = FastAPI(title="Bình Dân Học Vụ Số ward server", version="1")
    app.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=5)
    app.state.engine = engine
    # SQLite takes one writer at a time; queueing writers here avoids its busy-wait, which sleeps
    # in steps of up to 100 ms while another connection holds the lock.
    writing = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()

    def db() -> Session:
        with sessions() as session:
            yield session

    DB = Annotated[Session, Depends(db)]

    def device(request: Request, session: DB) -> Device:
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        found = identity.authenticate(session, bearer.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            raise HTTPException(401, "missing, unknown or revoked device token", headers={"WWW-Authenticate": "Bearer"})
        wait = limiter.retry_after(found.id)
        if wait is not None:
            raise HTTPException(429, "too many requests from this device", headers={"Retry-After": str(math.ceil(wait))})
        return found

    Sender = Annotated[Device, Depends(device)]

    @app.get("/healthz")
    def healthz(session: DB) -> dict[str, str]:
        session.execute(text("SELECT 1"))
        return {"status": "ok"}

    @app.post("/api/v1/enroll")
    def enroll(body: EnrollRequest, session: DB) -> EnrollResponse:
        try:
            found, secret = identity.enroll(session, body.token, body.device_id)
        except identity.EnrollmentRefused as exc:
            raise HTTPException(403, str(exc)) from None
        return EnrollResponse(device_id=found.id, secret=secret, venue_id=found.venue_id, name=found.name)

    @app.post("/api/v1/records")
    async def records(request: Request, session: DB, sender: Sender) -> Response:
        """``{"results": [{"id", "status", "reason"}, …]}``, one per record, in order (serialized by hand:
        500 results through a response model cost more than storing them)."""
        body = await read_json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("records"), list) or set(body) != {"records"}:
            raise HTTPException(422, 'the body must be {"records": [...]}')
        if not 1 <= len(body["records"]) <= MAX_BATCH:
            raise HTTPException(422, f"a batch holds 1 to {MAX_BATCH} records")
        clock = DeviceClock.from_headers(request.headers)

        def store() -> list:
            with writing:
                return store_batch(session, sender, body["records"], clock)

        results = await run_in_threadpool(store)
        return Response(json.dumps({"results": [r.as_json() for r in results]}), media_type="application/json")

    @app.post("/api/v1/heartbeat", status_code=204)
    async def heartbeat(request: Request, session: DB, sender: Sender) -> Response:
        try:
            beat = Heartbeat.model_validate(await read_json_body(request))
        except ValidationError as exc:
            raise HTTPException(422, f"not a heartbeat: {exc.errors()[0]['msg']}") from None

        def store() -> None:
            now = utcnow()
            with writing:
                sender.heartbeat, sender.last_heartbeat_at = beat.model_dump(mode="json"), now
                if (clock := DeviceClock.from_headers(request.headers)) is not None:
                    note_anchor(session, sender.id, clock, now)
                session.commit()

        await run_in_threadpool(store)
        return Response(status_code=204)

    @app.get("/api/v1/packs", dependencies=[Depends(device)])
    def lesson_packs(request: Request) -> Response:
        etag, body = packs.current()
        quoted = f'"{etag}"'
        if quoted in (tag.strip() for tag in request.headers.get("if-none-match", "").split(",")):
            return Response(status_code=304, headers={"ETag": quoted})
        return Response(body, media_type="application/json", headers={"ETag": quoted})

    return app
