"""Daily roll-ups of the records, so the overview reads thousands of rows instead of millions.

Kept off the ingest path (storing a batch does not touch them): the dashboard refreshes them
before it reads, one kiosk at a time and only the kiosks whose records changed since the last
refresh. A kiosk's records are told unchanged by their count and highest seq, which the
``(device_id, seq)`` unique index answers without reading the records; a changed kiosk's roll-up
rows are replaced by a fresh aggregate of its records, so a late record (a gap filled, a USB
bundle) is counted exactly like a punctual one. Changed kiosks are aggregated together, up to
``DEVICES_PER_ROUND`` per set-based statement, so the first roll-up of a ward's million records
takes seconds, not a statement per kiosk.

Days are the ward's (see ``stats``). Three tables:
- ``rollup_activity``: per kiosk, day, venue, lesson and learner, lessons started and completed;
- ``rollup_steps``: per kiosk, day, lesson and step, answers and wrong answers;
- ``rollup_last``: per kiosk, learner and lesson, the day and step of the learner's last answer
  and whether a completion came after it (where learners leave).

A volunteer's demonstration runs (a session started with ``{"demo": true}``) are left out of all
three: they are not learners reached, lessons done or steps that caused trouble.
"""
import datetime as dt
import threading

from collections.abc import Sequence

from sqlalchemy import Boolean, Date, Integer, String, delete, func, insert, literal, literal_column, select, tuple_
from sqlalchemy.orm import Mapped, Session, mapped_column

from sync.server.db import Base, StoredRecord, utcnow

STARTED, COMPLETED, ANSWERED = "session_started", "lesson_completed", "step_answered"
WARD_OFFSET = dt.timedelta(hours=7)
WARD_ZONE = "Asia/Ho_Chi_Minh"
# Kiosks re-aggregated per transaction: the first roll-up of a ward's records takes a few rounds, each
# short enough (about a second for 25 kiosks' 250,000 records) that ingest, which waits for SQLite's
# one writer, is held up briefly rather than for the whole roll-up.
DEVICES_PER_ROUND = 25
_refreshing = threading.Lock()  # one refresh at a time per process; readers wait for it


class RollupState(Base):
    __tablename__ = "rollup_state"

    device_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    records: Mapped[int] = mapped_column(Integer)
    highest_seq: Mapped[int] = mapped_column(Integer)
    refreshed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RollupActivity(Base):
    __tablename__ = "rollup_activity"

    device_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    venue_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" for records of no lesson
    learner: Mapped[str] = mapped_column(String(40), primary_key=True)  # "" for records of no learner
    started: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)


class RollupSteps(Base):
    __tablename__ = "rollup_steps"

    device_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    step_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    wrong: Mapped[int] = mapped_column(Integer)


class RollupLast(Base):
    __tablename__ = "rollup_last"

    device_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    learner: Mapped[str] = mapped_column(String(40), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    step_id: Mapped[str] = mapped_column(String(64))
    completed: Mapped[bool] = mapped_column(Boolean)


def when():
    """The time a record happened as the server best knows it."""
    return func.coalesce(StoredRecord.rebased_time, StoredRecord.device_time)


def ward_day(session: Session):
    """A record's ward day, as SQL for this session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(WARD_ZONE, when()))
    return func.date(when(), f"+{int(WARD_OFFSET.total_seconds() // 3600)} hours")


def of_type(session: Session, *types: str):
    """Records of these types, as SQL that SQLite's planner does not answer from ``ix_records_type``.

    Without statistics SQLite takes an equality on ``type`` for more selective than the kiosks'
    ``device_id`` index, and so read every kiosk's records of that type for each kiosk's roll-up
    (89 s for a million records); told the condition holds for most rows, it reads the chosen
    kiosks' records only.
    """
    condition = StoredRecord.type.in_(types)
    return func.likelihood(condition, literal_column("0.9")) if session.get_bind().dialect.name == "sqlite" else condition


def _aggregate(session: Session, devices: Sequence[str]) -> None:
    """Replace the roll-up rows of ``devices`` by a fresh aggregate of their records: one
    INSERT … SELECT … GROUP BY per table for all of them at once, so the first roll-up of a
    million records is a few set-based statements rather than three per kiosk."""
    for table in (RollupActivity, RollupSteps, RollupLast):
        session.execute(delete(table).where(table.device_id.in_(devices)))
    chosen = StoredRecord.device_id.in_(devices)
    demos = (select(StoredRecord.device_id, StoredRecord.learner)
             .where(chosen, of_type(session, STARTED), StoredRecord.payload["demo"].as_boolean().is_(True),
                    StoredRecord.learner.is_not(None)))
    lesson, learner = func.coalesce(StoredRecord.lesson_id, literal("")), func.coalesce(StoredRecord.learner, literal(""))
    mine = chosen & tuple_(StoredRecord.device_id, learner).not_in(demos)
    day = ward_day(session).label("day")
    session.execute(insert(RollupActivity).from_select(
        ["device_id", "day", "venue_id", "lesson_id", "learner", "started", "completed"],
        select(StoredRecord.device_id, day, StoredRecord.venue_id, lesson, learner,
               func.count().filter(StoredRecord.type == STARTED), func.count().filter(StoredRecord.type == COMPLETED))
        .where(mine, of_type(session, STARTED, COMPLETED))
        .group_by(StoredRecord.device_id, day, StoredRecord.venue_id, lesson, learner)))
    step = func.coalesce(StoredRecord.payload["step_id"].as_string(), literal(""))
    session.execute(insert(RollupSteps).from_select(
        ["device_id", "day", "lesson_id", "step_id", "answers", "wrong"],
        select(StoredRecord.device_id, day, lesson, step, func.count(),
               func.count().filter(StoredRecord.payload["correct"].as_boolean().is_(False)))
        .where(mine, of_type(session, ANSWERED)).group_by(StoredRecord.device_id, day, lesson, step)))
    session.execute(insert(RollupLast).from_select(
        ["device_id", "learner", "lesson_id", "day", "step_id", "completed"], _last_events(session, mine, day, step)))


def _last_events(session: Session, mine, day, step):
    """Per kiosk, learner and lesson, the latest answer or completion (by time, then seq): its day,
    step and whether it is the completion.

    PostgreSQL ranks the events with a window; SQLite, whose sort for that window is the slowest
    part of a first roll-up, takes the row of ``max()`` in each group, which it guarantees gives
    the other (bare) columns of that row (https://sqlite.org/lang_select.html#bareagg); the
    stored times are fixed-width text, so time then zero-padded seq sorts as the window does.
    """
    kinds = (mine, of_type(session, ANSWERED, COMPLETED), StoredRecord.learner.is_not(None),
             StoredRecord.lesson_id.is_not(None))
    keys = (StoredRecord.device_id, StoredRecord.learner, StoredRecord.lesson_id)
    completed = (StoredRecord.type == COMPLETED).label("completed")
    if session.get_bind().dialect.name == "sqlite":
        latest = func.max(func.printf("%s %010d", when(), StoredRecord.seq)).label("latest")
        events = select(*keys, day, step.label("step"), completed, latest).where(*kinds).group_by(*keys).subquery()
    else:
        rank = func.row_number().over(partition_by=keys, order_by=(when().desc(), StoredRecord.seq.desc()))
        ranked = select(*keys, day, step.label("step"), completed, rank.label("rank")).where(*kinds).subquery()
        events = select(ranked).where(ranked.c.rank == 1).subquery()
    return select(events.c.device_id, events.c.learner, events.c.lesson_id, events.c.day, events.c.step,
                  events.c.completed)


def version(session: Session) -> tuple:
    """Changes whenever any kiosk's roll-up is refreshed, in this process or another."""
    return tuple(session.execute(select(func.count(), func.max(RollupState.refreshed_at))).one())


def refresh(session: Session) -> int:
    """Bring the roll-ups up to date with the records; returns how many kiosks were re-aggregated."""
    with _refreshing:
        now = {device: (count, highest) for device, count, highest in session.execute(
            select(StoredRecord.device_id, func.count(), func.max(StoredRecord.seq)).group_by(StoredRecord.device_id))}
        known = {state.device_id: state for state in session.scalars(select(RollupState))}
        changed = [device for device, figures in now.items()
                   if device not in known or (known[device].records, known[device].highest_seq) != figures]
        for first in range(0, len(changed), DEVICES_PER_ROUND):
            devices = changed[first:first + DEVICES_PER_ROUND]
            _aggregate(session, devices)
            for device in devices:
                session.merge(RollupState(device_id=device, records=now[device][0], highest_seq=now[device][1],
                                          refreshed_at=utcnow()))
            session.commit()
        return len(changed)

