"""The kiosks' routes: enroll, send records and heartbeats, fetch the lesson pack and card progress; ``/healthz``.

A missing or wrong device token gets 401; a device sending faster than its rate limit gets 429
with ``Retry-After``, and so does an address that keeps trying enrollment codes or tokens that do
not work (``deps``).
"""
import hashlib
import json

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy import text

from sync.records import Batch
from sync.server import cards as learner_cards, identity
from sync.server.api.body import BODY_LIMITS, UNPACKED_LIMITS, json_body, problems, read_json_body
from sync.server.api.deps import DB, Api, Sender, not_blocked, refuse
from sync.server.api.schemas import CardsResponse, EnrollRequest, EnrollResponse, HeartbeatBody, RecordResults
from sync.server.clock import DeviceClock, note_anchor
from sync.server.db import utcnow
from sync.server.ingest import MAX_BATCH, store_batch

router = APIRouter()


@router.get("/healthz")
def healthz(session: DB) -> dict[str, str]:
    session.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.post("/api/v1/enroll", max_body_size=BODY_LIMITS["enroll"], dependencies=[Depends(not_blocked)],
             responses=problems(400, 403, 413, 422, 429))
def enroll(request: Request, body: EnrollRequest, api: Api, session: DB) -> EnrollResponse:
    """Spend a one-time enrollment code on this kiosk; a retry of the same enrollment gets the same answer."""
    try:
        with api.writing:
            found = identity.enroll(session, body.token, body.device_id, body.secret_hash)
    except identity.EnrollmentRefused as exc:
        raise refuse(api, request, 403, str(exc)) from None
    return EnrollResponse(device_id=found.id, venue_id=found.venue_id, name=found.name,
                          bundle_key=api.bundle_keys.for_device(found.id))


@router.post("/api/v1/records", max_body_size=BODY_LIMITS["records"], response_model=RecordResults,
             responses=problems(401, 413, 422, 429), openapi_extra=json_body(Batch))
async def records(request: Request, api: Api, session: DB, sender: Sender) -> Response:
    """``{"results": [{"id", "status", "reason"}, …]}``, one per record, in order (serialized by hand:
    500 results through a response model cost more than storing them)."""
    body = await read_json_body(request, UNPACKED_LIMITS["records"])
    if not isinstance(body, dict) or not isinstance(body.get("records"), list) or set(body) != {"records"}:
        raise HTTPException(422, 'the body must be {"records": [...]}')
    if not 1 <= len(body["records"]) <= MAX_BATCH:
        raise HTTPException(422, f"a batch holds 1 to {MAX_BATCH} records")
    clock = DeviceClock.from_headers(request.headers)

    def store() -> list:
        with api.writing:
            return store_batch(session, sender, body["records"], clock, catalog=api.packs.catalog())

    results = await run_in_threadpool(store)
    return Response(json.dumps({"results": [r.as_json() for r in results]}), media_type="application/json")


@router.post("/api/v1/heartbeat", status_code=204, max_body_size=BODY_LIMITS["heartbeat"],
             responses=problems(401, 413, 422, 429), openapi_extra=json_body(HeartbeatBody))
async def heartbeat(request: Request, api: Api, session: DB, sender: Sender) -> Response:
    try:
        beat = HeartbeatBody.model_validate(await read_json_body(request, UNPACKED_LIMITS["heartbeat"]))
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        field = loc[0] if loc and loc[0] in HeartbeatBody.model_fields else "body"
        raise HTTPException(422, f"not a heartbeat: invalid field: {field}") from None

    def store() -> None:
        now = utcnow()
        with api.writing:
            sender.heartbeat, sender.last_heartbeat_at = beat.model_dump(mode="json"), now
            if (clock := DeviceClock.from_headers(request.headers)) is not None:
                note_anchor(session, sender.id, clock, now)
            session.commit()

    await run_in_threadpool(store)
    return Response(status_code=204)


@router.get("/api/v1/packs", responses={
    200: {"description": "the signed lesson pack", "content": {"application/json": {"schema": {"type": "object"}}}},
    304: {"description": "the pack named in If-None-Match is still current"}, **problems(401, 404, 429, 503)})
def lesson_packs(request: Request, api: Api, sender: Sender) -> Response:
    etag, body = api.packs.current(sender.venue_id)
    return _tagged(request, etag, body)


@router.get("/api/v1/cards", response_model=CardsResponse, responses={
    304: {"description": "the progress named in If-None-Match is still current"}, **problems(401, 429)})
def card_progress(request: Request, session: DB, _sender: Sender) -> Response:
    """Lesson progress per learner card (at most the ward's most recently active cards) and the lost card ids."""
    progress = learner_cards.progress(session)
    body = json.dumps({"cards": {card: p.as_json() for card, p in progress.items()},
                       "lost": learner_cards.lost_ids(session)}, sort_keys=True).encode()
    return _tagged(request, hashlib.sha256(body).hexdigest()[:32], body)


def _tagged(request: Request, etag: str, body: bytes) -> Response:
    """``body`` with its ETag, or 304 when the kiosk already holds it."""
    quoted = f'"{etag}"'
    if quoted in (tag.strip() for tag in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers={"ETag": quoted})
    return Response(body, media_type="application/json", headers={"ETag": quoted})
