"""Staff accounts, sign-in sessions and CSRF tokens.

Passwords are hashed with argon2id (argon2-cffi): unlike device secrets they are chosen by people
and guessable, so the hash must be slow. There is no default account: ``ward-server admin create``
makes the first. A sign-in is a random token in an HttpOnly cookie; the database keeps only its
SHA-256 and an expiry, and the session's CSRF token, which every form posts back.
"""
import datetime as dt
import hmac
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sync.credentials import secret_digest as digest
from sync.server.db import aware, utcnow
from sync.server.web.models import ROLES, StaffAccount, StaffSession

MIN_PASSWORD = 10
MAX_PASSWORD = 200
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()
_UNKNOWN = _hasher.hash(secrets.token_hex(16))  # verified against for unknown names, so timing tells nothing


class AccountRefused(ValueError):
    """The account cannot be made as asked; the message says why."""


def create_account(session: Session, username: str, password: str, role: str) -> StaffAccount:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountRefused("a user name is 2-64 letters a-z, digits, dots, dashes or underscores")
    if role not in ROLES:
        raise AccountRefused(f"the role is one of {', '.join(ROLES)}")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountRefused(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    if session.get(StaffAccount, username) is not None:
        raise AccountRefused(f"there is already an account {username}")
    account = StaffAccount(username=username, password_hash=_hasher.hash(password), role=role)
    session.add(account)
    session.commit()
    return account


def check_password(session: Session, username: str, password: str) -> StaffAccount | None:
    """The account when ``password`` is its password; None otherwise (unknown names cost the same time)."""
    account = session.get(StaffAccount, username.strip().lower()[:64])
    try:
        _hasher.verify(account.password_hash if account else _UNKNOWN, password[:MAX_PASSWORD])
    except (VerificationError, InvalidHashError):
        return None
    return account


def open_session(session: Session, account: StaffAccount, hours: float) -> str:
    """Sign ``account`` in; returns the cookie's token. Expired sign-ins are cleared on the way."""
    now = utcnow()
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=digest(token), username=account.username, csrf_token=secrets.token_urlsafe(32),
                             expires_at=now + dt.timedelta(hours=hours)))
    session.commit()
    return token


def signed_in(session: Session, token: str | None) -> tuple[StaffAccount, StaffSession] | None:
    if not token or len(token) > 100:
        return None
    found = session.get(StaffSession, digest(token))
    if found is None or aware(found.expires_at) < utcnow():
        return None
    account = session.get(StaffAccount, found.username)
    return (account, found) if account else None


def close_session(session: Session, token: str | None) -> None:
    if token and len(token) <= 100:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == digest(token)))
        session.commit()


def same_token(expected: str | None, given: object) -> bool:
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(expected.encode(), given.encode())


def accounts(session: Session) -> list[StaffAccount]:
    return list(session.scalars(select(StaffAccount).order_by(StaffAccount.username)))
