"""What the kiosks' routes depend on, as FastAPI dependencies a test may override.

The app holds one ``KioskApi`` (``app.state.kiosk_api``): the sessions, the per-device and per-address
rate limits, the bundle keys, the lesson packs and SQLite's writer queue.
"""
import math
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Annotated, Iterator

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from sync.server import identity
from sync.server.api.packsource import PackSource
from sync.server.db import Device
from sync.server.keys import BundleKeys
from sync.server.ratelimit import RateLimiter

bearer = HTTPBearer(auto_error=False, description="`device_id.secret`, as enrollment left it on the kiosk")


@dataclass
class KioskApi:
    sessions: sessionmaker
    limiter: RateLimiter  # per device
    failures: RateLimiter  # enrollment attempts and wrong tokens per client address
    bundle_keys: BundleKeys
    packs: PackSource
    # SQLite takes one writer at a time; queueing writers here avoids its busy-wait, which sleeps
    # in steps of up to 100 ms while another connection holds the lock.
    writing: AbstractContextManager


def kiosk_api(request: Request) -> KioskApi:
    return request.app.state.kiosk_api


Api = Annotated[KioskApi, Depends(kiosk_api)]


def db(api: Api) -> Iterator[Session]:
    with api.sessions() as session:
        yield session


DB = Annotated[Session, Depends(db)]


def address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def refuse(api: KioskApi, request: Request, status: int, detail: str, **headers: str) -> HTTPException:
    """An HTTPException for a failed attempt; 429 instead once this address has failed too often."""
    wait = api.failures.retry_after(address(request))
    if wait is not None:
        return HTTPException(429, "too many failed attempts from this address",
                             headers={"Retry-After": str(math.ceil(wait))})
    return HTTPException(status, detail, headers=headers or None)


def not_blocked(request: Request, api: Api) -> None:
    wait = api.failures.waiting(address(request))
    if wait is not None:
        raise HTTPException(429, "too many failed attempts from this address",
                            headers={"Retry-After": str(math.ceil(wait))})


def device(request: Request, api: Api, session: DB,
           token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Device:
    not_blocked(request, api)
    found = identity.authenticate(session, token.credentials.strip()) if token else None
    if found is None:
        raise refuse(api, request, 401, "missing, unknown or revoked device token", **{"WWW-Authenticate": "Bearer"})
    wait = api.limiter.retry_after(found.id)
    if wait is not None:
        raise HTTPException(429, "too many requests from this device", headers={"Retry-After": str(math.ceil(wait))})
    return found


Sender = Annotated[Device, Depends(device)]
