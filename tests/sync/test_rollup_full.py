"""The first (full) roll-up, set-based over many kiosks at once, gives exactly the numbers the incremental
roll-ups reach as records arrive, on SQLite and PostgreSQL: demonstrations, late records, ties in time,
records of no learner, unknown times and a ward midnight included."""
import datetime as dt
import random

import pytest
from sqlalchemy import delete, event, insert, select

from sync.server import rollup
from sync.server.db import StoredRecord, make_engine, make_sessions
from sync.server.migrate import upgrade
from tests.campaign import generate

TABLES = (rollup.RollupActivity, rollup.RollupSteps, rollup.RollupLast)
WARD_MIDNIGHT = dt.time(17, 0)  # UTC


def _snapshot(session) -> dict:
    """Every roll-up row, as plain tuples in a fixed order."""
    return {table.__tablename__: sorted(tuple(getattr(row, column.key) for column in table.__table__.columns)
                                        for row in session.scalars(select(table)))
            for table in TABLES}


def _unusual_rows(rows: list[dict]) -> list[dict]:
    """Records the generator never writes, added to the first kiosk's: a demonstration, two answers at
    the same instant, answers of no learner, a record whose time is unknown to the server, one at ward midnight."""
    template = next(row for row in rows if row["type"] == "step_answered")
    device, base = template["device_id"], max(row["seq"] for row in rows if row["device_id"] == template["device_id"])
    when = template["rebased_time"].replace(hour=16, minute=59, second=59, microsecond=0)

    def record(n: int, kind: str, learner: str | None, payload: dict, at: dt.datetime, rebased: bool = True) -> dict:
        return {**template, "id": f"00000000-0000-4000-8000-{n:012d}", "seq": base + n, "type": kind,
                "learner": learner, "payload": payload, "device_time": at, "rebased_time": at if rebased else None}

    answer = {"step_id": "buoc-9", "answer": "sai", "correct": False, "attempt": 1}
    return [
        record(1, "session_started", "demo-learner", {"demo": True}, when),
        record(2, "step_answered", "demo-learner", answer, when),
        record(3, "step_answered", "tie-learner", answer, when),
        record(4, "step_answered", "tie-learner", {**answer, "step_id": "buoc-8"}, when),  # same instant, later seq
        record(5, "step_answered", None, answer, when),
        record(6, "lesson_completed", "tie-learner", {"questions": 1, "first_try_correct": 0},
               dt.datetime.combine(when.date(), WARD_MIDNIGHT, when.tzinfo), rebased=False),
        record(7, "session_started", None, {}, when + dt.timedelta(seconds=1)),
    ]


def test_the_first_roll_up_equals_the_incremental_ones(database_url, monkeypatch):
    upgrade(database_url)
    engine = make_engine(database_url)
    generate(engine, devices=7, records=2100, days=4)
    sessions = make_sessions(engine)
    with sessions() as session:
        rows = [{column.name: getattr(record, column.key) for column in StoredRecord.__table__.columns}
                for record in session.scalars(select(StoredRecord))]
        rows += _unusual_rows(rows)
        session.execute(delete(StoredRecord))
        session.commit()
        # The records arrive in three waves, the last one filling gaps the second left (late records).
        rng = random.Random(3)
        late = {row["id"] for row in rng.sample(rows, 60)}
        first_wave = [row for row in rows if row["seq"] % 3 == 0 and row["id"] not in late]
        second_wave = [row for row in rows if row["seq"] % 3 != 0 and row["id"] not in late]
        monkeypatch.setattr(rollup, "DEVICES_PER_ROUND", 1)  # the incremental path: kiosk by kiosk
        for wave in (first_wave, second_wave[:900], second_wave[900:], [row for row in rows if row["id"] in late]):
            session.execute(insert(StoredRecord), wave)
            session.commit()
            assert rollup.refresh(session) >= 1
        assert rollup.refresh(session) == 0
        incremental = _snapshot(session)

        for table in (*TABLES, rollup.RollupState):
            session.execute(delete(table))
        session.commit()
        monkeypatch.setattr(rollup, "DEVICES_PER_ROUND", 4)  # the full roll-up: several kiosks per statement
        assert rollup.refresh(session) == 7
        assert _snapshot(session) == incremental
        assert incremental["rollup_steps"] and incremental["rollup_last"] and incremental["rollup_activity"]
        assert _last_by_hand(rows) == {(device, learner, lesson): (step, completed)
                                       for device, learner, lesson, _day, step, completed in incremental["rollup_last"]}
    engine.dispose()


def _last_by_hand(rows: list[dict]) -> dict:
    """(kiosk, learner, lesson) -> (step, completed) of the latest answer or completion, counted in Python."""
    demos = {(row["device_id"], row["learner"]) for row in rows
             if row["type"] == "session_started" and row["payload"].get("demo") and row["learner"]}
    latest: dict = {}
    for row in rows:
        if (row["type"] in ("step_answered", "lesson_completed") and row["learner"] and row["lesson_id"]
                and (row["device_id"], row["learner"]) not in demos):
            key = (row["device_id"], row["learner"], row["lesson_id"])
            order = (row["rebased_time"] or row["device_time"], row["seq"])
            if key not in latest or order > latest[key][0]:
                latest[key] = (order, (row["payload"].get("step_id", ""), row["type"] == "lesson_completed"))
    return {key: value for key, (_, value) in latest.items()}


@pytest.mark.parametrize("kiosks", [1, 30])
def test_a_round_of_kiosks_is_one_statement_per_table(tmp_path, kiosks):
    """The full roll-up is three statements per round of kiosks, not three per kiosk (which, each reading
    every kiosk's records of a type, took 89 s for a million records)."""
    url = f"sqlite:///{tmp_path}/ward.sqlite3"
    upgrade(url)
    engine = make_engine(url)
    generate(engine, devices=kiosks, records=30 * kiosks, days=2)
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with make_sessions(engine)() as session:
        rollup.refresh(session)
    inserts = [s for s in statements if s.startswith("INSERT INTO rollup_") and "rollup_state" not in s]
    assert len(inserts) == 3 * -(-kiosks // rollup.DEVICES_PER_ROUND)
    engine.dispose()
