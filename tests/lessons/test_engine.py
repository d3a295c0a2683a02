"""The lesson engine grades answers, allows retries and reports what happened."""
import pytest

from lessons.engine import Feedback, LessonRun
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
    assert run.answer("a") == Feedback(True, None)
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


DRILLS = Lesson.model_validate({
    "id": "luyen", "title": "Luyện tập", "summary": "Các kiểu luyện tập.",
    "steps": [
        {"kind": "tap", "id": "cham", "text": "Chạm vào VNeID.", "correct": "vneid",
         "feedback": {"right": "Đúng ứng dụng.", "wrong": "Chưa đúng."},
         "phone": {"title": "Cửa hàng", "elements": [
             {"id": "vneid", "label": "VNeID – Bộ Công an", "style": "row"},
             {"id": "gia", "label": "VNeID Pro – Người bán lạ", "style": "row", "feedback": "Nhà phát triển lạ."}]}},
        {"kind": "order", "id": "thu-tu", "text": "Xếp theo thứ tự.",
         "feedback": {"right": "Đủ các bước.", "wrong": "Chưa phải bước này."},
         "items": [{"id": "mot", "text": "Một"}, {"id": "hai", "text": "Hai"}, {"id": "ba", "text": "Ba"},
                   {"id": "bon", "text": "Bốn"}]},
        {"kind": "share", "id": "chia-se", "text": "Có nên chia sẻ?", "cards": [
            {"id": "otp", "text": "Mã OTP", "share": False, "feedback": "Không bao giờ."},
            {"id": "ten-quan", "text": "Tên quán cà phê", "share": True, "feedback": "Được."}]},
        {"kind": "keypad", "id": "ma-pin", "text": "Đặt mã PIN khó đoán.", "mode": "pin",
         "feedback": {"right": "Khó đoán.", "wrong": "Dễ đoán quá."}},
        {"kind": "qr", "id": "quet", "text": "Đưa thẻ lên máy ảnh."},
    ],
})


def test_every_drill_kind_grades_right_and_wrong_answers():
    events = []
    run = LessonRun(DRILLS, events.append)
    assert run.answer("gia") == Feedback(False, "Nhà phát triển lạ.")
    assert run.answer("vneid") == Feedback(True, "Đúng ứng dụng.")
    run.next()

    assert len(run.candidates()) == 3 and "mot" in {i.id for i in run.candidates()}
    assert run.answer("hai") == Feedback(False, "Chưa phải bước này.")
    assert run.answer("mot") == Feedback(True, None) and not run.can_continue
    assert run.answer("hai").correct and run.answer("ba").correct
    assert [i.id for i in run.candidates()] == ["bon"]
    assert run.answer("bon") == Feedback(True, "Đủ các bước.") and run.can_continue
    run.next()

    assert run.card.id == "otp"
    assert run.answer("share") == Feedback(False, "Không bao giờ.")
    assert run.answer("keep").correct
    run.next()
    assert run.card.id == "ten-quan" and not run.can_continue
    assert run.answer("share").correct
    run.next()

    assert run.answer("123456") == Feedback(False, "Dễ đoán quá.")
    assert run.answer("482915") == Feedback(True, "Khó đoán.")
    run.next()

    with pytest.raises(ValueError):
        run.answer("the-card")
    run.answer_qr("vietqr-luka", correct=True)
    run.next()
    assert run.finished
    answered = [e.data for e in events if e.kind == "step_answered"]
    assert all("123456" not in str(data) and "482915" not in str(data) for data in answered)
    assert events[-1].data == {"questions": 6, "first_try_correct": 2}


def test_an_order_candidate_not_offered_is_refused():
    run = LessonRun(DRILLS)
    run.answer("vneid")
    run.next()
    offered = {i.id for i in run.candidates()}
    hidden = next(i.id for i in DRILLS.steps[1].items if i.id not in offered)
    with pytest.raises(ValueError):
        run.answer(hidden)
