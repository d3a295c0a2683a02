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

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
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


def _retry_of(row: EnrollmentToken | None, device: Device | None, device_id: str, secret_hash: str) -> bool:
    """True when ``row`` was spent on exactly this device and secret, and that device still stands."""
    return (row is not None and row.used_at is not None and row.device_id == device_id
            and row.secret_hash is not None and hmac.compare_digest(row.secret_hash, secret_hash)
            and device is not None and device.revoked_at is None and hmac.compare_digest(device.secret_hash, secret_hash))


def enroll(session: Session, token: str, device_id: str, secret_hash: str) -> Device:
    """Spend ``token`` on ``device_id`` with the secret whose SHA-256 is ``secret_hash``; returns the device.

    Retry-safe: the kiosk made its secret before the first try, so a retry with the same token,
    device id and secret hash gets the same device again (the answer to the first try may have been
    lost on the way). The token is spent by one conditional UPDATE (``… WHERE used_at IS NULL``)
    whose row count decides, so racing clients spend it exactly once on SQLite and PostgreSQL.
    A revoked device may enroll again under its old id (its queued records keep their id); an
    active one may not be taken over.
    """
    token_hash = digest(token)
    row = session.get(EnrollmentToken, token_hash)
    device = session.get(Device, device_id)
    if _retry_of(row, device, device_id, secret_hash):
        return device
    now = utcnow()
    if row is None or row.used_at is not None or aware(row.expires_at) < now:
        raise EnrollmentRefused("the enrollment code is unknown, already used or expired")
    if device is not None and device.revoked_at is None:
        raise EnrollmentRefused(f"device {device_id} is already enrolled; revoke it first")
    try:
        if device is None:
            device = Device(id=device_id, created_at=now)
            session.add(device)
        device.name, device.venue_id, device.secret_hash, device.revoked_at = row.name, row.venue_id, secret_hash, None
        session.flush()
        spent = session.execute(
            update(EnrollmentToken)
            .where(EnrollmentToken.token_hash == token_hash, EnrollmentToken.used_at.is_(None),
                   EnrollmentToken.expires_at >= now)
            .values(used_at=now, device_id=device_id, secret_hash=secret_hash)
            .execution_options(synchronize_session=False)).rowcount
        if spent != 1:
            raise EnrollmentRefused("the enrollment code is unknown, already used or expired")
        session.commit()
    except (EnrollmentRefused, IntegrityError):
        session.rollback()  # another request spent the token (or took the id) first: was it our own retry?
        session.expire_all()
        if _retry_of(session.get(EnrollmentToken, token_hash), session.get(Device, device_id), device_id, secret_hash):
            return session.get(Device, device_id)
        raise EnrollmentRefused("the enrollment code is unknown, already used or expired") from None
    return device


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

