"""Enrollment tokens, device secrets and their hashes.

Tokens and secrets are random values of 192 bits or more, so a plain SHA-256 is a sound hash for them (a slow
password hash is for guessable passwords). Only hashes are stored: a copy of the database does not
let anyone act as a kiosk.
"""
import datetime as dt
import hmac
import re
import secrets
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.credentials import secret_digest as digest
from sync.server.db import Device, EnrollmentToken, aware, utcnow


class EnrollmentRefused(Exception):
    """The token is unknown, used or expired."""


def slugify(name: str) -> str:
    """``"Cà phê Luka"`` -> ``"ca-phe-luka"``: an id that says which venue it is."""
    plain = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40] or "venue"


def create_enrollment(session: Session, name: str, hours: float = 72) -> str:
    """Make a one-time enrollment token for a kiosk at venue ``name``; returns the token."""
    token = secrets.token_urlsafe(24)
    session.add(EnrollmentToken(
        token_hash=digest(token), name=name, venue_id=slugify(name),
        expires_at=utcnow() + dt.timedelta(hours=hours),
    ))
    session.commit()
    return token


def enroll(session: Session, token: str, device_id: str) -> tuple[Device, str]:
    """Spend ``token`` on ``device_id``; returns the device and its secret (shown only once).

    A revoked device may enroll again under its old id (its queued records keep their id);
    an active one may not be taken over.
    """
    row = session.get(EnrollmentToken, digest(token), with_for_update=True)
    now = utcnow()
    if row is None or row.used_at is not None or aware(row.expires_at) < now:
        raise EnrollmentRefused("the enrollment code is unknown, already used or expired")
    secret = secrets.token_urlsafe(32)
    device = session.get(Device, device_id)
    if device is not None and device.revoked_at is None:
        raise EnrollmentRefused(f"device {device_id} is already enrolled; revoke it first")
    if device is None:
        device = Device(id=device_id, created_at=now)
        session.add(device)
    device.name, device.venue_id, device.secret_hash, device.revoked_at = row.name, row.venue_id, digest(secret), None
    session.flush()
    row.used_at, row.device_id = now, device.id
    session.commit()
    return device, secret


def authenticate(session: Session, bearer: str) -> Device | None:
    """The enrolled, unrevoked device whose ``device_id.secret`` bearer this is, else None."""
    device_id, _, secret = bearer.partition(".")
    device = session.get(Device, device_id) if secret else None
    if device is None or device.revoked_at is not None:
        return None
    return device if hmac.compare_digest(device.secret_hash, digest(secret)) else None


def revoke(session: Session, device_id: str) -> bool:
    device = session.get(Device, device_id)
    if device is None:
        return False
    device.revoked_at = device.revoked_at or utcnow()
    session.commit()
    return True


def devices(session: Session) -> list[Device]:
    return list(session.scalars(select(Device).order_by(Device.created_at)))

