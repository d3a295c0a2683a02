"""A volunteer's class ("buổi học") at one kiosk, in plain Python: who is learning, where, and who needs help.

Learners swap in and out (a card scanned, or "người học mới"); the volunteer sees each one's lesson
and step, and a flag on whoever has answered one step wrong three times, as coaching tools do.
Ending the class gives a summary: how many learners, lessons completed and the steps that caused
trouble; only counts and lesson/step ids, which become a ``class_summary`` record. A volunteer's
own demonstration runs are left out of it. A class forgotten open ends by itself after
``idle_end_s`` without a touch.
"""
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

HELP_AFTER_WRONG = 3
MAX_TROUBLED = 10  # steps named in a summary, the most troubled first


@dataclass
class ClassLearner:
    learner: str
    demo: bool = False
    lesson_id: str | None = None
    step_id: str | None = None
    wrong_here: int = 0  # wrong answers on the current step
    lessons_completed: int = 0

    @property
    def needs_help(self) -> bool:
        return self.wrong_here >= HELP_AFTER_WRONG


@dataclass
class VolunteerClass:
    idle_end_s: float = 1800
    clock: Callable[[], float] = time.monotonic
    learners: dict[str, ClassLearner] = field(default_factory=dict)
    current: str | None = None  # the learner at the kiosk now
    _troubled: Counter = field(default_factory=Counter)
    _last_touch: float = 0.0

    def __post_init__(self) -> None:
        self._last_touch = self.clock()

    def touch(self) -> None:
        self._last_touch = self.clock()

    def forgotten(self) -> bool:
        """True once nobody has touched the kiosk for ``idle_end_s``: the class should end itself."""
        return self.clock() - self._last_touch >= self.idle_end_s

    def join(self, learner: str, demo: bool = False) -> ClassLearner:
        """``learner`` is at the kiosk now (a card coming back keeps its line)."""
        self.touch()
        self.current = learner
        return self.learners.setdefault(learner, ClassLearner(learner, demo))

    def lesson_started(self, learner: str, lesson_id: str) -> None:
        found = self.join(learner, self.learners.get(learner, ClassLearner(learner)).demo)
        found.lesson_id, found.step_id, found.wrong_here = lesson_id, None, 0

    def answered(self, learner: str, lesson_id: str, step_id: str, correct: bool) -> None:
        found = self.learners.get(learner) or self.join(learner)
        self.touch()
        if (found.lesson_id, found.step_id) != (lesson_id, step_id):
            found.lesson_id, found.step_id, found.wrong_here = lesson_id, step_id, 0
        if correct:
            found.wrong_here = 0
            return
        found.wrong_here += 1
        if found.wrong_here == HELP_AFTER_WRONG and not found.demo:
            self._troubled[(lesson_id, step_id)] += 1

    def completed(self, learner: str, lesson_id: str) -> None:
        found = self.learners.get(learner) or self.join(learner)
        self.touch()
        found.lessons_completed += 1
        found.lesson_id, found.step_id, found.wrong_here = lesson_id, None, 0

    def summary(self) -> dict:
        """The ``class_summary`` payload: demonstration runs left out."""
        real = [learner for learner in self.learners.values() if not learner.demo]
        troubled = [{"lesson_id": lesson, "step_id": step} for (lesson, step), _count in
                    self._troubled.most_common(MAX_TROUBLED)]
        return {"learners": len(real), "lessons_completed": sum(learner.lessons_completed for learner in real),
                "troubled_steps": troubled}
