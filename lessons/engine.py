"""The lesson engine: a small state machine that plays one lesson step by step.

show step -> take answer -> grade -> feedback -> next. It knows nothing of screens or records: it
reports what happened through ``LessonEvent`` values that the kiosk turns into records, so the
same engine runs in a test, on the kiosk or in a validator.
"""
from dataclasses import dataclass, field
from typing import Callable, Literal

from lessons.schema import ChoiceStep, Lesson, Step


@dataclass(frozen=True)
class Feedback:
    """What the learner is told after an answer."""

    correct: bool
    message: str


@dataclass(frozen=True)
class LessonEvent:
    """Something worth recording: an answer given, or the lesson finished."""

    kind: Literal["step_answered", "lesson_completed"]
    lesson_id: str
    data: dict = field(default_factory=dict)


class LessonRun:
    """One learner's pass through one lesson."""

    def __init__(self, lesson: Lesson, on_event: Callable[[LessonEvent], None] = lambda e: None) -> None:
        self.lesson = lesson
        self._on_event = on_event
        self._index = 0
        self._attempts = 0
        self._solved = False
        self.first_try_correct = 0
        self.finished = False

    @property
    def step(self) -> Step:
        return self.lesson.steps[self._index]

    @property
    def number(self) -> int:
        """The current step, counted from 1, for "Bước 3/8"."""
        return self._index + 1

    @property
    def total(self) -> int:
        return len(self.lesson.steps)

    @property
    def can_continue(self) -> bool:
        """An explanation can always be left; a question only once answered right."""
        return not isinstance(self.step, ChoiceStep) or self._solved

    def answer(self, option_id: str) -> Feedback:
        """Grade an answer to the current question; a wrong one may be retried."""
        step = self.step
        if not isinstance(step, ChoiceStep):
            raise ValueError(f"step {step.id!r} takes no answer")
        option = next((o for o in step.options if o.id == option_id), None)
        if option is None:
            raise ValueError(f"step {step.id!r} has no option {option_id!r}")
        if self._solved:
            return Feedback(option_id == step.correct, option.feedback)
        self._attempts += 1
        correct = option_id == step.correct
        self._solved = correct
        if correct and self._attempts == 1:
            self.first_try_correct += 1
        self._on_event(LessonEvent("step_answered", self.lesson.id, {
            "step_id": step.id, "answer": option_id, "correct": correct, "attempt": self._attempts,
        }))
        return Feedback(correct, option.feedback)

    def next(self) -> None:
        """Go to the next step, or finish the lesson after the last one."""
        if self.finished:
            return
        if not self.can_continue:
            raise ValueError("the question has not been answered right yet")
        if self._index + 1 < self.total:
            self._index += 1
            self._attempts = 0
            self._solved = False
            return
        self.finished = True
        questions = sum(isinstance(s, ChoiceStep) for s in self.lesson.steps)
        self._on_event(LessonEvent("lesson_completed", self.lesson.id, {
            "questions": questions, "first_try_correct": self.first_try_correct,
        }))
