"""The ward server's HTTP API (sync protocol v1).

Untrusted input is read defensively: every route has a body limit checked before the body is read
(from ``Content-Length``, and while a chunked body streams in) and again after gunzip; malformed or
too deeply nested JSON gets 422 with nothing stored; a missing or wrong device token gets 401; a
device sending faster than its rate limit gets 429 with ``Retry-After``, and so does an address
that keeps trying enrollment codes or tokens that do not work.
"""
import json
import math
import threading
import zlib
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from sync.heartbeat import Heartbeat
from sync.packs import encode_pack
from sync.records import Batch
from sync.server import identity
from sync.server.catalog import LessonCatalog, builtin_catalog
from sync.server.clock import DeviceClock, note_anchor
from sync.server.db import Device, make_engine, make_sessions, utcnow
from sync.server.ingest import MAX_BATCH, store_batch
from sync.server.keys import BundleKeys, default_key_file
from sync.server.ratelimit import RateLimiter
from sync.server.web.mount import mount as mount_dashboard

KB = 1024
BODY_LIMITS = {"enroll": 4 * KB, "heartbeat": 16 * KB, "records": 2 * KB * KB}  # as sent (gzipped or not)
UNPACKED_LIMITS = {"heartbeat": 64 * KB, "records": 2 * KB * KB}  # after gunzip
MAX_BODY_BYTES = BODY_LIMITS["records"]
DEFAULT_BODY_LIMIT = 4 * KB  # any other route
MAX_JSON_DEPTH = 32  # a batch is 4 deep ({"records": [{"payload": {…}}]}); deeper bodies are refused whole
RATE_PER_S = 10.0
BURST = 60
FAILURE_RATE_PER_S = 0.5  # enrollment attempts and wrong tokens per client address
FAILURE_BURST = 20
VERSION_PATTERN = r"^(unknown|[0-9]{1,6}(\.[0-9]{1,8}){0,3}((a|b|rc)[0-9]{1,6})?(\.post[0-9]{1,8})?(\.dev[0-9]{1,14})?(\+[a-z0-9]{1,16}(\.[a-z0-9]{1,16}){0,2})?)$"


class EnrollRequest(BaseModel):
    token: str = Field(min_length=8, max_length=200)
    device_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")
    secret_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 hex of the secret the kiosk made")


class EnrollResponse(BaseModel):
    device_id: str
    venue_id: str
    name: str
    bundle_key: str = Field(description="HMAC key (hex) for this kiosk's USB bundles and their receipts")


class HeartbeatBody(Heartbeat):
    """The heartbeat as the server takes it: the version is a version, not free text."""

    app_version: str = Field(max_length=40, pattern=VERSION_PATTERN)


class RecordResultBody(BaseModel):
    id: str | None
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str | None


class RecordResults(BaseModel):
    results: list[RecordResultBody]


class Problem(BaseModel):
    detail: str | list[dict[str, Any]]


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    words = {400: "the body cannot be parsed", 401: "missing, unknown or revoked device token",
             403: "the enrollment code is unknown, used or expired, or the device is enrolled already",
             404: "nothing to give", 413: "the body is too large", 422: "the body is malformed",
             429: "too many requests: wait Retry-After seconds", 503: "the server is at its connection limit"}
    return {code: {"model": Problem, "description": words[code]} for code in codes}


def _json_body(model: type[BaseModel]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def _nested_deeper_than(value: Any, limit: int) -> bool:
    """True when ``value`` holds lists or objects more than ``limit`` levels deep (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


async def read_json_body(request: Request, unpacked_limit: int = MAX_BODY_BYTES) -> Any:
    """The request's JSON, gunzipped if sent so; 413 when too big, 422 when not JSON or nested too deep.

    The body as sent is capped by the route's ``max_body_size`` before it is read.
    """
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
    if request.headers.get("content-encoding", "").lower() == "gzip":
        try:
            inflater = zlib.decompressobj(wbits=31)
            body = inflater.decompress(bytes(body), unpacked_limit + 1)
        except zlib.error:
            raise HTTPException(422, "the body is not valid gzip") from None
        if len(body) > unpacked_limit or inflater.unconsumed_tail:
            raise HTTPException(413, "the unpacked body is too large")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise HTTPException(422, "the body is not valid JSON") from None
    if _nested_deeper_than(document, MAX_JSON_DEPTH):
        raise HTTPException(422, "the body is nested too deeply")
    return document


class PackSource:
    """The signed lesson pack the server hands out, re-read only when its signature changes, and the
    lessons a record may name: the built-in packs and the served folders' (signed yet or not).

    A pack published to one venue (from the dashboard) lives in ``venue_folder(venue_id)`` and
    is handed to that venue's kiosks instead of the served folder's."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._cached: dict[Path, tuple[float, str, bytes]] = {}
        self._catalog: tuple[tuple, LessonCatalog] | None = None

    def _mtime(self, path: Path) -> float | None:
        try:
            return path.stat().st_mtime
        except OSError:
            return None

    def venue_folder(self, venue_id: str) -> Path:
        return self.folder.with_name(self.folder.name + "-venues") / venue_id

    def _venue_folders(self) -> list[Path]:
        try:
            return sorted(self.folder.with_name(self.folder.name + "-venues").iterdir())
        except OSError:
            return []

    def current(self, venue_id: str | None = None) -> tuple[str, bytes]:
        """(ETag, body) of the venue's pack, else the served one; 404 when the server has no signed pack to give."""
        folder = self.folder
        if folder is not None and venue_id and self._mtime(self.venue_folder(venue_id) / "signature.json"):
            folder = self.venue_folder(venue_id)
        stamp = self._mtime(folder / "signature.json") if folder else None
        if stamp is None:
            raise HTTPException(404, "this ward server has no signed lesson pack")
        if folder not in self._cached or self._cached[folder][0] != stamp:
            self._cached[folder] = (stamp, *encode_pack(folder))
        return self._cached[folder][1], self._cached[folder][2]

    def catalog(self) -> LessonCatalog:
        if self.folder is None:
            return builtin_catalog()
        folders = [self.folder, *self._venue_folders()]
        stamp = tuple((self._mtime(f), self._mtime(f / "signature.json")) for f in folders)
        if self._catalog is None or self._catalog[0] != stamp:
            self._catalog = (stamp, builtin_catalog().merged(LessonCatalog.from_folders(folders)))
        return self._catalog[1]


def create_app(database_url: str, *, packs_dir: Path | None = None, rate_per_s: float = RATE_PER_S,
               burst: float = BURST, bundle_key_file: Path | None = None,
               failure_rate_per_s: float = FAILURE_RATE_PER_S, failure_burst: float = FAILURE_BURST) -> FastAPI:
    """The API bound to the database at ``database_url`` (already migrated).

    ``bundle_key_file`` holds the master key of USB bundle keys (default: beside the SQLite file,
    or ``var/ward-bundle.key``); ``failure_*`` limit enrollment attempts and wrong tokens per address.
    """
    engine = make_engine(database_url)
    sessions: sessionmaker = make_sessions(engine)
    limiter = RateLimiter(rate_per_s, burst)
    failures = RateLimiter(failure_rate_per_s, failure_burst)
    bundle_keys = BundleKeys(bundle_key_file or default_key_file(database_url)).ensure()
    packs = PackSource(packs_dir)
    app = FastAPI(title="Bình Dân Học Vụ Số ward server", version="1", max_body_size=DEFAULT_BODY_LIMIT)
    app.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=5)
    app.state.engine = engine
    app.state.bundle_keys = bundle_keys
    # SQLite takes one writer at a time; queueing writers here avoids its busy-wait, which sleeps
    # in steps of up to 100 ms while another connection holds the lock.
    writing = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
    bearer = HTTPBearer(auto_error=False, description="`device_id.secret`, as enrollment left it on the kiosk")

    def db() -> Session:
        with sessions() as session:
            yield session

    DB = Annotated[Session, Depends(db)]

    def address(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def refuse(request: Request, status: int, detail: str, **headers: str) -> HTTPException:
        """An HTTPException for a failed attempt; 429 instead once this address has failed too often."""
        wait = failures.retry_after(address(request))
        if wait is not None:
            return HTTPException(429, "too many failed attempts from this address",
                                 headers={"Retry-After": str(math.ceil(wait))})
        return HTTPException(status, detail, headers=headers or None)

    def not_blocked(request: Request) -> None:
        wait = failures.waiting(address(request))
        if wait is not None:
            raise HTTPException(429, "too many failed attempts from this address",
                                headers={"Retry-After": str(math.ceil(wait))})

    def device(request: Request, session: DB,
               token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Device:
        not_blocked(request)
        found = identity.authenticate(session, token.credentials.strip()) if token else None
        if found is None:
            raise refuse(request, 401, "missing, unknown or revoked device token", **{"WWW-Authenticate": "Bearer"})
        wait = limiter.retry_after(found.id)
        if wait is not None:
            raise HTTPException(429, "too many requests from this device", headers={"Retry-After": str(math.ceil(wait))})
        return found

    Sender = Annotated[Device, Depends(device)]

    @app.get("/healthz")
    def healthz(session: DB) -> dict[str, str]:
        session.execute(text("SELECT 1"))
        return {"status": "ok"}

    @app.post("/api/v1/enroll", max_body_size=BODY_LIMITS["enroll"], dependencies=[Depends(not_blocked)],
              responses=_problems(400, 403, 413, 422, 429))
    def enroll(request: Request, body: EnrollRequest, session: DB) -> EnrollResponse:
        """Spend a one-time enrollment code on this kiosk; a retry of the same enrollment gets the same answer."""
        try:
            with writing:
                found = identity.enroll(session, body.token, body.device_id, body.secret_hash)
        except identity.EnrollmentRefused as exc:
            raise refuse(request, 403, str(exc)) from None
        return EnrollResponse(device_id=found.id, venue_id=found.venue_id, name=found.name,
                              bundle_key=bundle_keys.for_device(found.id))

    @app.post("/api/v1/records", max_body_size=BODY_LIMITS["records"], response_model=RecordResults,
              responses=_problems(401, 413, 422, 429), openapi_extra=_json_body(Batch))
    async def records(request: Request, session: DB, sender: Sender) -> Response:
        """``{"results": [{"id", "status", "reason"}, …]}``, one per record, in order (serialized by hand:
        500 results through a response model cost more than storing them)."""
        body = await read_json_body(request, UNPACKED_LIMITS["records"])
        if not isinstance(body, dict) or not isinstance(body.get("records"), list) or set(body) != {"records"}:
            raise HTTPException(422, 'the body must be {"records": [...]}')
        if not 1 <= len(body["records"]) <= MAX_BATCH:
            raise HTTPException(422, f"a batch holds 1 to {MAX_BATCH} records")
        clock = DeviceClock.from_headers(request.headers)

        def store() -> list:
            with writing:
                return store_batch(session, sender, body["records"], clock, catalog=packs.catalog())

        results = await run_in_threadpool(store)
        return Response(json.dumps({"results": [r.as_json() for r in results]}), media_type="application/json")

    @app.post("/api/v1/heartbeat", status_code=204, max_body_size=BODY_LIMITS["heartbeat"],
              responses=_problems(401, 413, 422, 429), openapi_extra=_json_body(HeartbeatBody))
    async def heartbeat(request: Request, session: DB, sender: Sender) -> Response:
        try:
            beat = HeartbeatBody.model_validate(await read_json_body(request, UNPACKED_LIMITS["heartbeat"]))
        except ValidationError as exc:
            loc = exc.errors()[0]["loc"]
            field = loc[0] if loc and loc[0] in HeartbeatBody.model_fields else "body"
            raise HTTPException(422, f"not a heartbeat: invalid field: {field}") from None

        def store() -> None:
            now = utcnow()
            with writing:
                sender.heartbeat, sender.last_heartbeat_at = beat.model_dump(mode="json"), now
                if (clock := DeviceClock.from_headers(request.headers)) is not None:
                    note_anchor(session, sender.id, clock, now)
                session.commit()

        await run_in_threadpool(store)
        return Response(status_code=204)

    @app.get("/api/v1/packs", responses={
        200: {"description": "the signed lesson pack", "content": {"application/json": {"schema": {"type": "object"}}}},
        304: {"description": "the pack named in If-None-Match is still current"}, **_problems(401, 404, 429)})
    def lesson_packs(request: Request, sender: Sender) -> Response:
        etag, body = packs.current(sender.venue_id)
        quoted = f'"{etag}"'
        if quoted in (tag.strip() for tag in request.headers.get("if-none-match", "").split(",")):
            return Response(status_code=304, headers={"ETag": quoted})
        return Response(body, media_type="application/json", headers={"ETag": quoted})

    schemas = {name: schema for model in (Batch, HeartbeatBody)
               for name, schema in _component_schemas(model).items()}
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        document = plain_openapi()
        document.setdefault("components", {}).setdefault("schemas", {}).update(schemas)
        return document

    app.openapi = openapi
    mount_dashboard(app, sessions, bundle_keys, packs)
    return app


def _component_schemas(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema and the models it uses, as OpenAPI components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {**schema.pop("$defs", {}), model.__name__: schema}
