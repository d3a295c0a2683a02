"""The campaign overview's tables, one query function per table.

The page and its CSV export call the same function with the same period, so the numbers a ward
officer downloads are the numbers on the screen. They read the daily roll-ups (``sync.server.rollup``;
the caller refreshes them first). Days are the ward's days (Vietnam, UTC+7), and a record counts on
the day the server believes it happened (its re-based time, else the kiosk's clock).

Learners are the records' learner ids: a learner card (``card-…``) or an anonymous session
(``anon-…``) each count once. "Started" counts ``session_started`` records of a lesson,
"completed" its ``lesson_completed`` records.
"""
import datetime as dt
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import and_, func, literal, select
from sqlalchemy.orm import Session

from sync.server.rollup import WARD_OFFSET, RollupActivity, RollupLast, RollupSteps
from sync.server.web.models import Campaign, KhuPho, Venue

NO_KHU_PHO = "—"


@dataclass(frozen=True)
class Period:
    """Ward days from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class Table:
    """Rows behind one chart or list; ``columns`` are English msgids the page and the CSV translate."""

    columns: tuple[str, ...]
    rows: list[tuple]


def campaign(session: Session) -> Campaign | None:
    return session.get(Campaign, 1)


def default_period(session: Session, today: dt.date | None = None) -> Period:
    """The campaign's dates, or the 30 days to ``today`` (default: today in the ward) while the admin has not set them."""
    found = campaign(session)
    today = today or (dt.datetime.now(dt.timezone.utc) + WARD_OFFSET).date()
    return Period(found.starts_on, found.ends_on) if found else Period(today - dt.timedelta(days=29), today)


def _days(column, period: Period):
    return and_(column >= period.start, column <= period.end)


def _learners(column):
    return func.count(func.distinct(func.nullif(column, "")))


def _sums():
    return func.coalesce(func.sum(RollupActivity.started), 0), func.coalesce(func.sum(RollupActivity.completed), 0)


def learners_reached(session: Session, period: Period) -> int:
    return session.scalar(select(_learners(RollupActivity.learner)).where(_days(RollupActivity.day, period))) or 0


def daily(session: Session, period: Period) -> Table:
    """Lessons started and completed on every day of the period (days with none included)."""
    found = {str(day): (started, completed) for day, started, completed in session.execute(
        select(RollupActivity.day, *_sums()).where(_days(RollupActivity.day, period)).group_by(RollupActivity.day))}
    return Table(("Day", "Lessons started", "Lessons completed"),
                 [(d.isoformat(), *found.get(d.isoformat(), (0, 0))) for d in period.days()])


def by_venue(session: Session, period: Period) -> Table:
    """Every venue, the least completed first, so the lagging ones stand out."""
    names = {v.id: (v.name, v.khu_pho_id) for v in session.scalars(select(Venue))}
    khu_pho = {k.id: k.name for k in session.scalars(select(KhuPho))}
    found = {venue: (learners, started, completed) for venue, learners, started, completed in session.execute(
        select(RollupActivity.venue_id, _learners(RollupActivity.learner), *_sums())
        .where(_days(RollupActivity.day, period)).group_by(RollupActivity.venue_id))}
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
        select(area, _learners(RollupActivity.learner), *_sums())
        .select_from(RollupActivity).outerjoin(Venue, Venue.id == RollupActivity.venue_id)
        .where(_days(RollupActivity.day, period)).group_by(area))}
    rows = [(k.name, *found.get(k.id, (0, 0, 0))) for k in session.scalars(select(KhuPho))]
    if "" in found:
        rows.append((NO_KHU_PHO, *found[""]))
    rows.sort(key=lambda row: (row[3], row[2], row[0]))
    return Table(("Khu phố", "Learners", "Lessons started", "Lessons completed"), rows)


def lessons(session: Session, period: Period) -> Table:
    """Per lesson: how often started and completed, and the share completed, the worst first."""
    rows = [(lesson, started, completed, round(100 * completed / started) if started else 0)
            for lesson, started, completed in session.execute(
                select(RollupActivity.lesson_id, *_sums())
                .where(_days(RollupActivity.day, period), RollupActivity.lesson_id != "")
                .group_by(RollupActivity.lesson_id))]
    rows.sort(key=lambda row: (row[3], row[0]))
    return Table(("Lesson", "Lessons started", "Lessons completed", "Completed (%)"), rows)


def leaving(session: Session, period: Period, limit: int = 20) -> Table:
    """Where learners leave: learners whose last event in a lesson (within the period) was an answer,
    not its completion, counted at the step of that answer; the steps most left at first."""
    left = func.count().label("left")
    rows = session.execute(
        select(RollupLast.lesson_id, RollupLast.step_id, left)
        .where(_days(RollupLast.day, period), RollupLast.completed.is_(False))
        .group_by(RollupLast.lesson_id, RollupLast.step_id)
        .order_by(left.desc(), RollupLast.lesson_id, RollupLast.step_id).limit(limit)).all()
    return Table(("Lesson", "Step", "Learners who left here"), [tuple(row) for row in rows])


def wrong_answers(session: Session, period: Period, limit: int = 20) -> Table:
    """The steps with the most wrong answers, with how many answers they got in all."""
    wrong = func.sum(RollupSteps.wrong).label("wrong")
    rows = session.execute(
        select(RollupSteps.lesson_id, RollupSteps.step_id, func.sum(RollupSteps.answers), wrong)
        .where(_days(RollupSteps.day, period))
        .group_by(RollupSteps.lesson_id, RollupSteps.step_id)
        .order_by(wrong.desc(), RollupSteps.lesson_id, RollupSteps.step_id).limit(limit)).all()
    return Table(("Lesson", "Step", "Answers", "Wrong answers"), [tuple(row) for row in rows])


TABLES: dict[str, Callable[[Session, Period], Table]] = {
    "daily": daily, "venues": by_venue, "khu_pho": by_khu_pho, "lessons": lessons,
    "leaving": leaving, "wrong": wrong_answers,
}
