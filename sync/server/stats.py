"""The campaign overview's tables, one query function per table.

The page and its CSV export call the same function with the same period, so the numbers a ward
officer downloads are the numbers on the screen. Days are the ward's days (Vietnam, UTC+7), and a
record counts on the day the server believes it happened (its re-based time, else the kiosk's clock).

Learners are the records' learner ids: a learner card (``card-…``) or an anonymous session
(``anon-…``) each count once. "Started" counts ``session_started`` records of a lesson,
"completed" its ``lesson_completed`` records.
"""
import datetime as dt
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import and_, func, literal, select
from sqlalchemy.orm import Session

from sync.server.db import StoredRecord
from sync.server.web.models import Campaign, KhuPho, Venue

WARD_OFFSET = dt.timedelta(hours=7)
WARD_ZONE = "Asia/Ho_Chi_Minh"
STARTED, COMPLETED, ANSWERED = "session_started", "lesson_completed", "step_answered"
NO_KHU_PHO = "—"


@dataclass(frozen=True)
class Period:
    """Ward days from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as UTC instants: from ``start``'s midnight in the ward to the midnight after ``end``."""
        first = dt.datetime.combine(self.start, dt.time(), dt.timezone.utc) - WARD_OFFSET
        return first, dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), dt.timezone.utc) - WARD_OFFSET

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class Table:
    """Rows behind one chart or list; ``columns`` are English msgids the page and the CSV translate."""

    columns: tuple[str, ...]
    rows: list[tuple]


def campaign(session: Session) -> Campaign | None:
    return session.get(Campaign, 1)


def default_period(session: Session, today: dt.date) -> Period:
    """The campaign's dates, or the last 30 days while the admin has not set them."""
    found = campaign(session)
    return Period(found.starts_on, found.ends_on) if found else Period(today - dt.timedelta(days=29), today)


def _when():
    return func.coalesce(StoredRecord.rebased_time, StoredRecord.device_time)


def _in(period: Period):
    start, end = period.bounds()
    when = _when()
    return and_(when >= start, when < end)


def _day(session: Session):
    """The ward day of a record, as SQL for this session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(WARD_ZONE, _when()))
    return func.date(_when(), f"+{int(WARD_OFFSET.total_seconds() // 3600)} hours")


def _counts():
    return (func.count().filter(StoredRecord.type == STARTED), func.count().filter(StoredRecord.type == COMPLETED))


def learners_reached(session: Session, period: Period) -> int:
    return session.scalar(select(func.count(func.distinct(StoredRecord.learner)))
                          .where(StoredRecord.learner.is_not(None), _in(period))) or 0


def daily(session: Session, period: Period) -> Table:
    """Lessons started and completed on every day of the period (days with none included)."""
    day = _day(session).label("day")
    found = {str(d): (s, c) for d, s, c in session.execute(
        select(day, *_counts()).where(StoredRecord.type.in_((STARTED, COMPLETED)), _in(period)).group_by(day))}
    return Table(("Day", "Lessons started", "Lessons completed"),
                 [(d.isoformat(), *found.get(d.isoformat(), (0, 0))) for d in period.days()])


def by_venue(session: Session, period: Period) -> Table:
    """Every venue, the least completed first, so the lagging ones stand out."""
    names = {v.id: (v.name, v.khu_pho_id) for v in session.scalars(select(Venue))}
    khu_pho = {k.id: k.name for k in session.scalars(select(KhuPho))}
    found = {venue: (learners, started, completed) for venue, learners, started, completed in session.execute(
        select(StoredRecord.venue_id, func.count(func.distinct(StoredRecord.learner)), *_counts())
        .where(_in(period)).group_by(StoredRecord.venue_id))}
    rows = []
    for venue in names.keys() | found.keys():
        name, area = names.get(venue, (venue, None))
        rows.append((name, khu_pho.get(area, NO_KHU_PHO), *found.get(venue, (0, 0, 0))))
    rows.sort(key=lambda row: (row[4], row[3], row[0]))
    return Table(("Venue", "Khu phố", "Learners", "Lessons started", "Lessons completed"), rows)


def by_khu_pho(session: Session, period: Period) -> Table:
    """Every khu phố on the ward's list, the least completed first; records of unlisted venues under "—"."""
    area = func.coalesce(Venue.khu_pho_id, literal(""))
    found = {key: (learners, started, completed) for key, learners, started, completed in session.execute(
        select(area, func.count(func.distinct(StoredRecord.learner)), *_counts())
        .select_from(StoredRecord).outerjoin(Venue, Venue.id == StoredRecord.venue_id)
        .where(_in(period)).group_by(area))}
    rows = [(k.name, *found.get(k.id, (0, 0, 0))) for k in session.scalars(select(KhuPho))]
    if "" in found:
        rows.append((NO_KHU_PHO, *found[""]))
    rows.sort(key=lambda row: (row[3], row[2], row[0]))
    return Table(("Khu phố", "Learners", "Lessons started", "Lessons completed"), rows)


def lessons(session: Session, period: Period) -> Table:
    """Per lesson: how often started and completed, and the share completed, the worst first."""
    rows = []
    for lesson, started, completed in session.execute(
            select(StoredRecord.lesson_id, *_counts())
            .where(StoredRecord.type.in_((STARTED, COMPLETED)), StoredRecord.lesson_id.is_not(None), _in(period))
            .group_by(StoredRecord.lesson_id)):
        rows.append((lesson, started, completed, round(100 * completed / started) if started else 0))
    rows.sort(key=lambda row: (row[3], row[0]))
    return Table(("Lesson", "Lessons started", "Lessons completed", "Completed (%)"), rows)


def leaving(session: Session, period: Period, limit: int = 20) -> Table:
    """Where learners leave: for each learner who answered in a lesson but never completed it, the
    last step they answered; the steps most left at first."""
    step = StoredRecord.payload["step_id"].as_string()
    latest = func.row_number().over(partition_by=(StoredRecord.learner, StoredRecord.lesson_id),
                                    order_by=(_when().desc(), StoredRecord.seq.desc()))
    answered = (select(StoredRecord.learner, StoredRecord.lesson_id, step.label("step"), latest.label("rank"))
                .where(StoredRecord.type == ANSWERED, StoredRecord.learner.is_not(None), _in(period)).subquery())
    done = (select(StoredRecord.learner, StoredRecord.lesson_id)
            .where(StoredRecord.type == COMPLETED, StoredRecord.learner.is_not(None), _in(period))
            .distinct().subquery())
    left = func.count().label("left")
    rows = session.execute(
        select(answered.c.lesson_id, answered.c.step, left)
        .outerjoin(done, and_(done.c.learner == answered.c.learner, done.c.lesson_id == answered.c.lesson_id))
        .where(answered.c.rank == 1, done.c.learner.is_(None))
        .group_by(answered.c.lesson_id, answered.c.step)
        .order_by(left.desc(), answered.c.lesson_id, answered.c.step).limit(limit)).all()
    return Table(("Lesson", "Step", "Learners who left here"), [tuple(row) for row in rows])


def wrong_answers(session: Session, period: Period, limit: int = 20) -> Table:
    """The steps with the most wrong answers, with how many answers they got in all."""
    step = StoredRecord.payload["step_id"].as_string().label("step")
    wrong = func.count().filter(StoredRecord.payload["correct"].as_boolean().is_(False)).label("wrong")
    rows = session.execute(
        select(StoredRecord.lesson_id, step, func.count(), wrong)
        .where(StoredRecord.type == ANSWERED, _in(period))
        .group_by(StoredRecord.lesson_id, step)
        .order_by(wrong.desc(), StoredRecord.lesson_id, step).limit(limit)).all()
    return Table(("Lesson", "Step", "Answers", "Wrong answers"), [tuple(row) for row in rows])


TABLES: dict[str, Callable[[Session, Period], Table]] = {
    "daily": daily, "venues": by_venue, "khu_pho": by_khu_pho, "lessons": lessons,
    "leaving": leaving, "wrong": wrong_answers,
}
