"""The lesson engine: a small state machine that plays one lesson step by step.

show step -> take answer -> grade -> feedback -> next. It knows nothing of screens or records: it
reports what happened through ``LessonEvent`` values that the kiosk turns into records, so the
same engine runs in a test, on the kiosk or in a validator. Wrong answers may always be retried.

Some drills take several answers inside one step: an order drill takes one item at a time, a
share drill one card at a time. ``can_continue`` says when the step (or the current card) is done.
"""
import hashlib
import random
from dataclasses import dataclass, field
from typing import Callable, Literal

from lessons.schema import (ChoiceStep, ExplainStep, KeypadStep, Lesson, OrderItem, OrderStep, QrStep, ShareCard,
                            ShareStep, Step, TapStep)
from lessons.strength import passphrase_strength, pin_strength


@dataclass(frozen=True)
class Feedback:
    """What the learner is told after an answer; ``message`` is None for a right intermediate
    answer (an order item that is right but not the last one)."""

    correct: bool
    message: str | None


@dataclass(frozen=True)
class LessonEvent:
    """Something worth recording: an answer given, or the lesson finished."""

    kind: Literal["step_answered", "lesson_completed"]
    lesson_id: str
    data: dict = field(default_factory=dict)


def entry_strength(step: KeypadStep, entry: str) -> int:
    """The 0-4 meter for what is typed so far on a keypad step."""
    return pin_strength(entry) if step.mode == "pin" else passphrase_strength(entry.split())


class LessonRun:
    """One learner's pass through one lesson."""

    def __init__(self, lesson: Lesson, on_event: Callable[[LessonEvent], None] = lambda e: None,
                 start_at: int = 0) -> None:
        """``start_at``: the step index to begin at, for a learner card continuing where it stopped."""
        self.lesson = lesson
        self._on_event = on_event
        self._index = min(max(start_at, 0), len(lesson.steps) - 1)
        self.first_try_correct = 0
        self.finished = False
        self._enter_step()

    def _enter_step(self) -> None:
        self._attempts = 0
        self._solved = False
        self.placed: list[OrderItem] = []
        self.card_index = 0

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
        """An explanation can always be left; a drill (or a share card) once answered right."""
        return isinstance(self.step, ExplainStep) or self._solved

    @property
    def card(self) -> ShareCard:
        """The share card being asked about."""
        return self.step.cards[self.card_index]

    def candidates(self) -> list[OrderItem]:
        """Up to three items still to place, the right next one always among them, in an order
        that is shuffled but the same every time for this step (so a retry looks the same)."""
        remaining = [item for item in self.step.items if item not in self.placed]
        offered = remaining[:3]
        seed = int(hashlib.sha256(f"{self.step.id}:{len(self.placed)}".encode()).hexdigest(), 16)
        random.Random(seed).shuffle(offered)
        return offered

    def answer(self, value: str) -> Feedback:
        """Grade ``value`` for the current step: an option, element or item id, "share" or "keep"
        for the current card, or what was typed on a keypad (never recorded itself)."""
        step = self.step
        if isinstance(step, ExplainStep):
            raise ValueError(f"step {step.id!r} takes no answer")
        if isinstance(step, QrStep):
            raise ValueError("a QR step is graded by the camera drill: use answer_qr")
        if self._solved:
            return Feedback(True, None)
        correct, message, recorded, solved = self._grade(step, value)
        self._attempts += 1
        self._record(recorded, correct)
        self._solved = solved
        if solved and self._attempts == 1:
            self.first_try_correct += 1
        return Feedback(correct, message)

    def answer_qr(self, card: str, correct: bool) -> None:
        """Record the camera drill's verdict on the current QR step."""
        if not isinstance(self.step, QrStep) or self._solved:
            raise ValueError("no QR question is open")
        self._attempts += 1
        self._record(card, correct)
        self._solved = correct
        if correct and self._attempts == 1:
            self.first_try_correct += 1

    def _grade(self, step: Step, value: str) -> tuple[bool, str | None, str, bool]:
        """(correct, message, what to record as the answer, step solved)."""
        if isinstance(step, ChoiceStep):
            option = next((o for o in step.options if o.id == value), None)
            if option is None:
                raise ValueError(f"step {step.id!r} has no option {value!r}")
            return value == step.correct, option.feedback, value, value == step.correct
        if isinstance(step, TapStep):
            element = next((e for e in step.phone.elements if e.id == value), None)
            if element is None:
                raise ValueError(f"step {step.id!r} shows no element {value!r}")
            right = value == step.correct
            return right, step.feedback.right if right else (element.feedback or step.feedback.wrong), value, right
        if isinstance(step, OrderStep):
            if value not in {item.id for item in self.candidates()}:
                raise ValueError(f"item {value!r} is not offered now")
            expected = step.items[len(self.placed)]
            if value != expected.id:
                return False, step.feedback.wrong, value, False
            self.placed.append(expected)
            done = len(self.placed) == len(step.items)
            return True, step.feedback.right if done else None, value, done
        if isinstance(step, ShareStep):
            if value not in ("share", "keep"):
                raise ValueError("a share card takes 'share' or 'keep'")
            card = self.card
            right = (value == "share") == card.share
            return right, card.feedback, f"{card.id}-{value}", right
        if isinstance(step, KeypadStep):
            if step.expected is not None:
                right = value == step.expected
            elif step.mode == "pin":
                right = len(value) == step.length and pin_strength(value) >= step.min_strength
            else:
                right = passphrase_strength(value.split()) >= step.min_strength
            return right, step.feedback.right if right else step.feedback.wrong, "keypad-entry", right
        raise ValueError(f"step {step.id!r} takes no answer")

    def _record(self, answer: str, correct: bool) -> None:
        self._on_event(LessonEvent("step_answered", self.lesson.id, {
            "step_id": self.step.id, "answer": answer, "correct": correct, "attempt": self._attempts,
        }))

    def next(self) -> None:
        """Go on: to the next share card, the next step, or the end of the lesson."""
        if self.finished:
            return
        if not self.can_continue:
            raise ValueError("the current step has not been answered right yet")
        if isinstance(self.step, ShareStep) and self.card_index + 1 < len(self.step.cards):
            self.card_index += 1
            self._solved = False
            self._attempts = 0
            return
        if self._index + 1 < self.total:
            self._index += 1
            self._enter_step()
            return
        self.finished = True
        self._on_event(LessonEvent("lesson_completed", self.lesson.id, {
            "questions": self.questions, "first_try_correct": self.first_try_correct,
        }))

    @property
    def questions(self) -> int:
        """How many answers the lesson asks for: one per drill, one per share card."""
        return sum(len(s.cards) if isinstance(s, ShareStep) else not isinstance(s, ExplainStep)
                   for s in self.lesson.steps)
