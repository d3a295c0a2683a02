"""A volunteer's records on SQLite and PostgreSQL: demo runs are not learners reached, and a class summary is a
small typed record that reaches the ward; neither can carry free text."""
import pytest
from pydantic import ValidationError

from sync.client import push_pending
from sync.learner_ids import new_anon_id
from sync.server import rollup, stats
from tests.sync.factory import enroll_kiosk, make_draft

LESSON = "ma-otp-la-bi-mat"


def test_demo_runs_are_not_counted_as_learners_reached(ward_server, tmp_path):
    kiosk = enroll_kiosk(ward_server, tmp_path, "kiosk-demo0001")
    learner, volunteer = new_anon_id(), new_anon_id()
    kiosk.queue(1, learner=learner, type="session_started", lesson_id=None, payload={})
    kiosk.queue(1, learner=learner, type="lesson_completed", lesson_id=LESSON,
                payload={"questions": 1, "first_try_correct": 1})
    kiosk.queue(1, learner=volunteer, type="session_started", lesson_id=None, payload={"demo": True})
    kiosk.queue(3, learner=volunteer)  # wrong answers while showing the class
    kiosk.queue(1, learner=volunteer, type="lesson_completed", lesson_id=LESSON,
                payload={"questions": 1, "first_try_correct": 0})
    assert push_pending(kiosk.outbox, kiosk.client()).accepted == 7
    with ward_server.sessions() as session:
        rollup.refresh(session)
        period = stats.default_period(session)
        assert stats.learners_reached(session, period) == 1
        days = stats.daily(session, period).rows
        assert (sum(row[1] for row in days), sum(row[2] for row in days)) == (1, 1)


def test_a_class_summary_reaches_the_ward(ward_server, tmp_path):
    kiosk = enroll_kiosk(ward_server, tmp_path, "kiosk-class0001")
    summary = {"learners": 4, "lessons_completed": 6, "troubled_steps": [{"lesson_id": LESSON, "step_id": "otp-la"}]}
    kiosk.queue(1, type="class_summary", lesson_id=None, learner=None, payload=summary)
    assert push_pending(kiosk.outbox, kiosk.client()).accepted == 1
    [stored] = [r for r in ward_server.records() if r.type == "class_summary"]
    assert stored.payload == summary and stored.learner is None


@pytest.mark.parametrize("payload", [
    {"learners": 4, "lessons_completed": 6, "names": ["Bà Tư"]},
    {"learners": -1, "lessons_completed": 0},
    {"learners": "4", "lessons_completed": 0},
    {"learners": 4, "lessons_completed": 6, "troubled_steps": [{"lesson_id": LESSON, "step_id": "Gọi 0901234567"}]},
    {"learners": 4, "lessons_completed": 6, "troubled_steps": [{"lesson_id": LESSON, "step_id": "a"}] * 51},
])
def test_a_class_summary_holds_only_counts_and_step_ids(payload):
    with pytest.raises(ValidationError):
        make_draft("kiosk-class0001", type="class_summary", lesson_id=None, learner=None, payload=payload)


@pytest.mark.parametrize("payload", [{"demo": "true"}, {"demo": 1}, {"demo": True, "volunteer": "Lan"}])
def test_the_demo_marker_is_a_plain_boolean(payload):
    with pytest.raises(ValidationError):
        make_draft("kiosk-demo0001", type="session_started", lesson_id=None, payload=payload)
