"""The dashboard's roll-ups on SQLite and PostgreSQL: the same numbers as the records, late records included."""
import datetime as dt

from sqlalchemy import delete, func, insert, select

from sync.server import rollup, stats
from sync.server.db import StoredRecord, make_engine, make_sessions
from sync.server.migrate import upgrade
from sync.server.web.figures import FigureKeeper
from tests.campaign import generate
from tests.helpers import wait_for


def _overview(session) -> tuple:
    period = stats.default_period(session)
    return stats.learners_reached(session, period), stats.daily(session, period).rows


def test_roll_ups_count_what_the_records_hold_and_catch_late_records(database_url):
    upgrade(database_url)
    engine = make_engine(database_url)
    truth = generate(engine, devices=3, records=900, days=5)
    sessions = make_sessions(engine)
    with sessions() as session:
        late = session.scalars(select(StoredRecord).where(StoredRecord.type == "lesson_completed")
                               .order_by(StoredRecord.device_id, StoredRecord.seq).limit(1)).one()
        row = {column.name: getattr(late, column.key) for column in StoredRecord.__table__.columns}
        session.execute(delete(StoredRecord).where(StoredRecord.id == late.id))  # it has not arrived yet
        session.commit()
        assert rollup.refresh(session) == 3
        assert rollup.refresh(session) == 0  # nothing new: nothing aggregated again
        learners, days = _overview(session)
        day = (row["rebased_time"].replace(tzinfo=dt.timezone.utc) + stats.WARD_OFFSET).date()
        expected = {d.isoformat(): (truth.started[d], truth.completed[d] - (d == day)) for d in truth.started}
        assert learners == len(truth.learners)
        assert {d: (s, c) for d, s, c in days if s or c} == expected

        session.execute(insert(StoredRecord), [row])  # the gap is filled: the highest seq stays the same
        session.commit()
        assert rollup.refresh(session) == 1
        assert {d: (s, c) for d, s, c in _overview(session)[1] if s or c} == {
            d.isoformat(): (truth.started[d], truth.completed[d]) for d in truth.started}
        wrong = stats.wrong_answers(session, stats.default_period(session), limit=1000).rows
        answered = session.scalar(select(func.count()).where(StoredRecord.type == "step_answered"))
        assert sum(row[2] for row in wrong) == answered
    engine.dispose()


def test_kept_figures_are_given_at_once_and_brought_up_to_date_in_the_background(tmp_path):
    url = f"sqlite:///{tmp_path}/ward.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    generate(engine, devices=2, records=300, days=3)
    sessions = make_sessions(engine)
    keeper = FigureKeeper(sessions, max_age_s=0)
    with sessions() as session:
        period = stats.default_period(session)
        first = keeper.get(session, period)
        latest = session.scalars(select(StoredRecord).where(StoredRecord.type == "session_started")
                                 .order_by(StoredRecord.seq.desc()).limit(1)).first()
        row = {column.name: getattr(latest, column.key) for column in StoredRecord.__table__.columns}
        session.execute(insert(StoredRecord), [{**row, "id": "0" * 8 + row["id"][8:], "seq": 10_000}])
        session.commit()
        assert keeper.get(session, period) is first  # at once, as kept; the update starts behind it
        wait_for(lambda: keeper.get(session, period).learners and
                 sum(r[1] for r in keeper.get(session, period).tables["daily"].rows)
                 == sum(r[1] for r in first.tables["daily"].rows) + 1)
    engine.dispose()
