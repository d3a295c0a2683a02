"""The ward server's HTTP API (sync protocol v1).

Untrusted input is read defensively: bodies are size-capped before and after gunzip, malformed
JSON gets 422 with nothing stored, and a missing or wrong device token gets 401.
"""
import json
import zlib
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from sync.server import identity
from sync.server.db import Device, make_engine, make_sessions
from sync.server.ingest import RecordResult, store_batch

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_BATCH = 500


class EnrollRequest(BaseModel):
    token: str = Field(min_length=8, max_length=200)
    device_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")


class EnrollResponse(BaseModel):
    device_id: str
    secret: str
    venue_id: str
    name: str


class BatchResponse(BaseModel):
    results: list[RecordResult]


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


def create_app(database_url: str) -> FastAPI:
    """The API bound to the database at ``database_url`` (already migrated)."""
    engine = make_engine(database_url)
    sessions: sessionmaker = make_sessions(engine)
    app = FastAPI(title="Bình Dân Học Vụ Số ward server", version="1")
    app.state.engine = engine

    def db() -> Session:
        with sessions() as session:
            yield session

    DB = Annotated[Session, Depends(db)]

    def device(request: Request, session: DB) -> Device:
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        found = identity.authenticate(session, bearer.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            raise HTTPException(401, "missing, unknown or revoked device token", headers={"WWW-Authenticate": "Bearer"})
        return found

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
    async def records(request: Request, session: DB, sender: Annotated[Device, Depends(device)]) -> BatchResponse:
        body = await read_json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("records"), list) or set(body) != {"records"}:
            raise HTTPException(422, 'the body must be {"records": [...]}')
        if not 1 <= len(body["records"]) <= MAX_BATCH:
            raise HTTPException(422, f"a batch holds 1 to {MAX_BATCH} records")
        return BatchResponse(results=await run_in_threadpool(store_batch, session, sender, body["records"]))

    return app
