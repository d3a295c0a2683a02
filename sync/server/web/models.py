"""The dashboard's tables: staff accounts and their sign-ins, the ward's khu phố and venues, the campaign.

Venue ids are ``identity.slugify`` of their names, the same ids enrollment gives kiosks and kiosks
put in their records, so a record's ``venue_id`` finds its venue and khu phố.
"""
import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sync.server.db import Base, utcnow

ROLES = ("staff", "admin")


class StaffAccount(Base):
    """A ward staff member: ``staff`` reads the dashboard, ``admin`` also changes kiosks, venues, packs and accounts."""

    __tablename__ = "staff_accounts"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, with its parameters and salt
    role: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StaffSession(Base):
    """One sign-in; the browser holds the token, the database only its SHA-256."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("staff_accounts.username", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime]


class KhuPho(Base):
    """A neighbourhood of the ward, as the ward's own list names it."""

    __tablename__ = "khu_pho"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class Venue(Base):
    """A place with a kiosk (a café, a cultural house), in one khu phố."""

    __tablename__ = "venues"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    khu_pho_id: Mapped[str | None] = mapped_column(ForeignKey("khu_pho.id"), default=None, index=True)


class Campaign(Base):
    """The campaign's dates and daily target (one row, id 1)."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    daily_target: Mapped[int] = mapped_column(Integer)  # lessons completed per day across the ward
