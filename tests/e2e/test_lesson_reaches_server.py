"""A learner finishes a lesson by touch; the records arrive at the real ward server exactly once."""
import time
from pathlib import Path

import pytest

from kiosk.i18n import _
from kiosk.services import KioskServices
from lessons.engine import LessonRun
from tests.harness import WardServer
from tests.lesson_driver import Play, play_lesson
from tests.ui import find, run_kiosk, screen_name, tap

DRILL_PACK = Path(__file__).resolve().parent.parent / "fixtures" / "drill-pack"


@pytest.fixture
def ward_server(tmp_path: Path):
    """A ward that serves the drill pack, so it knows the lesson and step ids the kiosk records."""
    server = WardServer(f"sqlite:///{tmp_path / 'ward.sqlite3'}", packs_dir=DRILL_PACK).start()
    yield server
    server.stop()


def test_a_lesson_by_touch_reaches_the_ward_server_once(enrolled_config, ward_server, qr_camera):
    services = KioskServices(enrolled_config.model_copy(update={"pack_dir": DRILL_PACK, "camera": qr_camera}))
    lesson = services.lessons[0]
    appended = []
    append = services.outbox.append
    services.outbox.append = lambda draft: appended.append(append(draft)) or appended[-1]

    def script(app):
        assert screen_name(app) == "welcome"
        tap(find(_("Touch here to start")))
        yield 0.2
        assert screen_name(app) == "lesson_list"
        yield from play_lesson(app, lesson, Play(wrong_first=True))
        tap(find(_("Finish")))
        yield 0.2
        assert screen_name(app) == "welcome"
        deadline = time.monotonic() + 15
        while services.outbox.stats().pending and time.monotonic() < deadline:
            yield 0.2

    run_kiosk(services, script)

    stored = ward_server.records()
    assert [str(r.id) for r in stored] == [str(r.id) for r in appended], "every record arrived, once, in order"
    assert [r.seq for r in stored] == list(range(1, len(stored) + 1))
    types = [r.type for r in stored]
    assert types[0] == "session_started" and types[-2:] == ["lesson_completed", "session_ended"]
    scans = [r.payload for r in stored if r.type == "qr_scanned"]
    assert scans and set(scans[0]) == {"card", "trusted", "correct"}, "a QR scan records the card and verdict only"
    answers = [r.payload for r in stored if r.type == "step_answered"]
    questions = LessonRun(lesson).questions
    drills = {step.id for step in lesson.steps if step.kind != "explain"}
    assert {a["step_id"] for a in answers if a["correct"]} == drills
    assert sum(not a["correct"] for a in answers) >= 1, "the wrong first tries were recorded too"
    assert stored[-2].payload["questions"] == questions
    assert stored[-2].payload["first_try_correct"] < questions
    assert {r.device_id for r in stored} == {services.device.device_id}
    assert len({r.learner for r in stored}) == 1 and stored[0].learner.startswith("anon-")
    assert not any("482915" in str(r.payload) for r in stored), "what is typed on the keypad is never recorded"
    assert services.outbox.stats().pending == 0
