"""The ward server's tables and database engine (SQLAlchemy 2).

SQLite is the embedded default (WAL mode, so the dashboard can read while kiosks write);
PostgreSQL works through the same models.

SQLite runs with ``synchronous=FULL``: a kiosk deletes a record from its outbox once the server
acknowledges it, so an acknowledged record must survive the ward machine losing power. In WAL mode
``NORMAL`` fsyncs only at checkpoints, and a power cut rolls back transactions committed since the
last one; ``FULL`` fsyncs the WAL at every commit. It costs one fsync per batch of up to 500
records, which the benchmark (``bench/sync.py``) shows the ward can afford.

Seqs are bounded to a signed 32-bit integer by a CHECK on both databases (SQLite's INTEGER would
take 64 bits, PostgreSQL's only 32), so a hostile value is refused by the schema, not by an overflow. The schema is created and changed only by Alembic
migrations (``sync/server/migrations``), never by ``create_all``.
"""
import datetime as dt
from pathlib import Path

from sqlalchemy import (JSON, CheckConstraint, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint,
                        create_engine, event)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


SEQ_RANGE = "seq >= 1 AND seq <= 2147483647"


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: DateTime(timezone=True)}


class Device(Base):
    """An enrolled kiosk. Only a hash of its secret is kept."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    venue_id: Mapped[str] = mapped_column(String(64), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_heartbeat_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    heartbeat: Mapped[dict | None] = mapped_column(JSON, default=None)  # the latest, as the kiosk sent it


class EnrollmentToken(Base):
    """A one-time token printed as a QR code for a technician; only its hash is kept."""

    __tablename__ = "enrollment_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    venue_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    device_id: Mapped[str | None] = mapped_column(ForeignKey("devices.id"), default=None)
    # The device secret's hash it was spent on: a retry of the same enrollment is told from another kiosk.
    secret_hash: Mapped[str | None] = mapped_column(String(64), default=None)


class StoredRecord(Base):
    """A learning record, stored once by its id; ``content_hash`` tells a resend from a clash."""

    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("device_id", "seq", name="uq_records_device_seq"),
                      CheckConstraint(SEQ_RANGE, name="ck_records_seq_range"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32), index=True)
    lesson_id: Mapped[str | None] = mapped_column(String(64), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    learner: Mapped[str | None] = mapped_column(String(40))
    venue_id: Mapped[str] = mapped_column(String(64), index=True)
    device_time: Mapped[dt.datetime]
    boot_id: Mapped[str] = mapped_column(String(36))
    monotonic_s: Mapped[float] = mapped_column(Float)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))
    # The server's best estimate of when it happened (see sync.server.clock); None when unknowable.
    rebased_time: Mapped[dt.datetime | None] = mapped_column(default=None)
    time_basis: Mapped[str | None] = mapped_column(String(16), default=None)  # "monotonic" or "device_clock"


class BootAnchor(Base):
    """Where one boot of a kiosk sits in real time: wall-clock epoch seconds minus its monotonic clock.

    Learned from the server's own clock when a request arrives carrying the kiosk's boot id and
    monotonic time; the smallest value seen is kept, since network delay only ever adds to it.
    """

    __tablename__ = "boot_anchors"

    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    boot_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    offset_s: Mapped[float] = mapped_column(Float)
    seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RejectedSeq(Base):
    """A seq whose record the server refused as invalid: the kiosk set it aside, so it is not a loss."""

    __tablename__ = "rejected_seqs"
    __table_args__ = (CheckConstraint(SEQ_RANGE, name="ck_rejected_seqs_seq_range"),)

    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    record_id: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LostCard(Base):
    """A learner card reported lost: it opens no session once kiosks sync, and its progress goes to the new card."""

    __tablename__ = "lost_cards"

    card_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    new_card_id: Mapped[str] = mapped_column(String(16), index=True)
    lost_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode and its folder is created."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def insert(session: Session, model: type[Base]):
    """A Core INSERT into ``model``'s table in the session's dialect, with ``on_conflict_do_*`` on both backends.

    Core, not the ORM's bulk path: many rows then go to the driver's ``executemany`` as they are.
    """
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[session.get_bind().dialect.name]
    return dialect.insert(model.__table__)


def make_sessions(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
