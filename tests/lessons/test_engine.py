"""The lesson engine grades answers, allows retries and reports what happened."""
import pytest

from lessons.engine import LessonRun
from lessons.pack import BUILTIN_PACKS, load_pack
from lessons.schema import ChoiceStep, Lesson

LESSON = Lesson.model_validate({
    "id": "thu", "title": "Bài thử", "summary": "Một bài để thử.",
    "steps": [
        {"kind": "explain", "id": "mo-dau", "text": "Mở đầu."},
        {"kind": "choice", "id": "cau-1", "text": "Chọn B.", "correct": "b", "options": [
            {"id": "a", "text": "A", "feedback": "A sai."},
            {"id": "b", "text": "B", "feedback": "B đúng."}]},
    ],
})


def test_a_wrong_answer_can_be_retried_and_only_the_right_one_lets_the_learner_on():
    events = []
    run = LessonRun(LESSON, events.append)
    run.next()
    assert run.number == 2 and not run.can_continue
    with pytest.raises(ValueError):
        run.next()
    wrong = run.answer("a")
    assert (wrong.correct, wrong.message) == (False, "A sai.")
    assert not run.can_continue
    right = run.answer("b")
    assert (right.correct, right.message) == (True, "B đúng.")
    run.next()
    assert run.finished
    assert [(e.kind, e.data) for e in events] == [
        ("step_answered", {"step_id": "cau-1", "answer": "a", "correct": False, "attempt": 1}),
        ("step_answered", {"step_id": "cau-1", "answer": "b", "correct": True, "attempt": 2}),
        ("lesson_completed", {"questions": 1, "first_try_correct": 0}),
    ]


def test_answers_after_solving_are_not_recorded_again():
    events = []
    run = LessonRun(LESSON, events.append)
    run.next()
    run.answer("b")
    assert run.answer("a").correct is False
    assert len(events) == 1 and run.first_try_correct == 1


def test_an_unknown_option_or_an_answer_to_an_explanation_is_an_error():
    run = LessonRun(LESSON)
    with pytest.raises(ValueError):
        run.answer("a")
    run.next()
    with pytest.raises(ValueError):
        run.answer("z")


def test_the_builtin_pack_loads_and_every_question_has_a_right_answer():
    pack = load_pack(BUILTIN_PACKS / "vi")
    assert pack.info.language == "vi" and pack.lessons
    for lesson in pack.lessons:
        for step in lesson.steps:
            if isinstance(step, ChoiceStep):
                assert step.correct in {o.id for o in step.options}
