"""A learner finishes a lesson by touch; the records arrive at the real ward server exactly once."""
import time

from kiosk.i18n import _
from kiosk.services import KioskServices
from lessons.schema import ChoiceStep
from tests.ui import find, run_kiosk, screen_name, tap


def play_lesson(app, lesson, wrong_first: bool = True):
    """Touch through ``lesson`` from the lesson list to the well-done screen, as a learner would."""
    tap(find(lesson.title))
    yield 0.2
    assert screen_name(app) == "player"
    for step in lesson.steps:
        if isinstance(step, ChoiceStep):
            right = next(o for o in step.options if o.id == step.correct)
            if wrong_first:
                wrong = next(o for o in step.options if o.id != step.correct)
                tap(find(wrong.text))
                yield 0.1
                assert find(wrong.feedback)
            tap(find(right.text))
            yield 0.1
            assert find(right.feedback)
        tap(find(_("Continue")))
        yield 0.1
    assert screen_name(app) == "done"


def test_a_lesson_by_touch_reaches_the_ward_server_once(enrolled_config, ward_server):
    services = KioskServices(enrolled_config)
    lesson = services.lessons[0]
    questions = [step for step in lesson.steps if isinstance(step, ChoiceStep)]

    def script(app):
        assert screen_name(app) == "welcome"
        tap(find(_("Touch here to start")))
        yield 0.2
        assert screen_name(app) == "lesson_list"
        yield from play_lesson(app, lesson)
        tap(find(_("Finish")))
        yield 0.2
        assert screen_name(app) == "welcome"
        deadline = time.monotonic() + 15
        while services.outbox.stats().pending and time.monotonic() < deadline:
            yield 0.2

    run_kiosk(services, script)

    stored = ward_server.records()
    expected_types = (["session_started"] + ["step_answered"] * 2 * len(questions)
                      + ["lesson_completed", "session_ended"])
    assert [r.type for r in stored] == expected_types
    assert [r.seq for r in stored] == list(range(1, len(expected_types) + 1))
    assert len({r.id for r in stored}) == len(stored)
    assert {r.device_id for r in stored} == {services.device.device_id}
    assert len({r.learner for r in stored}) == 1 and stored[0].learner.startswith("anon-")
    answers = [r.payload for r in stored if r.type == "step_answered"]
    assert [a["correct"] for a in answers] == [False, True] * len(questions)
    assert stored[-2].payload == {"questions": len(questions), "first_try_correct": 0}
    assert stored[-1].payload == {"reason": "finished"}
    assert services.outbox.stats().pending == 0
