"""The learner's session and the inactivity watch, in plain Python so tests can drive the clock.

The kiosk stands in public: a session is anonymous (a random id, never a name), starts on the first
touch, and is wiped when the learner walks away, so the next person sees nothing of the last. A
learner with a printed card (a random ``card-…`` id, still no name) brings the lessons done on
earlier visits and where they stopped, and continues there.
"""
import time
from dataclasses import dataclass, field
from typing import Callable, Literal, Protocol, Sequence

from sync.learner_ids import new_anon_id

IdleState = Literal["active", "prompt", "expired"]


class Progress(Protocol):
    """What a learner has done, as the lesson list and the end screen ask it. A walk-up session
    keeps it in memory; a learner card will keep it on the ward behind the same two questions."""

    def has_done(self, lesson_id: str) -> bool: ...

    def suggest(self, lesson_ids: Sequence[str]) -> str | None: ...


@dataclass
class LearnerSession:
    """One learner's visit: an anonymous id (or a card's) and the lessons finished in it.

    A card's session also knows what was done before (``done_before``) and where it stopped
    (``stopped``: lesson id and step id), so the lesson list and the first lesson continue there.
    """

    learner: str = field(default_factory=new_anon_id)
    started_at: float = field(default_factory=time.monotonic)
    completed: list[str] = field(default_factory=list)
    done_before: frozenset[str] = frozenset()
    stopped: tuple[str, str] | None = None
    demo: bool = False  # a volunteer's demonstration run: not counted as a learner reached

    @property
    def is_card(self) -> bool:
        return self.learner.startswith("card-")

    def has_done(self, lesson_id: str) -> bool:
        return lesson_id in self.completed or lesson_id in self.done_before

    def resume_step(self, lesson_id: str, step_ids: Sequence[str]) -> int:
        """The step index to open ``lesson_id`` (its steps' ids in order) at: where the card stopped in it, else
        the first (also when that step is no longer in the lesson)."""
        if self.stopped and self.stopped[0] == lesson_id and self.stopped[1] in step_ids:
            return list(step_ids).index(self.stopped[1])
        return 0

    def suggest(self, lesson_ids: Sequence[str]) -> str | None:
        """The lesson to do next: the one a card stopped in, else the first not done after the last
        one finished (lessons build on each other), else the first not done at all; None when every
        lesson is done."""
        if self.stopped and self.stopped[0] in lesson_ids and not self.has_done(self.stopped[0]):
            return self.stopped[0]
        last = max((lesson_ids.index(done) for done in (*self.done_before, *self.completed) if done in lesson_ids),
                   default=-1)
        later = [i for i in lesson_ids[last + 1:] if not self.has_done(i)]
        return next(iter(later or [i for i in lesson_ids if not self.has_done(i)]), None)


class NoProgress:
    """The progress of nobody (no session open): nothing done, start at the beginning."""

    def has_done(self, lesson_id: str) -> bool:
        return False

    def suggest(self, lesson_ids: Sequence[str]) -> str | None:
        return next(iter(lesson_ids), None)


class IdleWatch:
    """Tells when to ask "Bác còn học tiếp không?" and when to give up and wipe the session.

    ``prompt_after_s`` without a touch shows the question; ``countdown_s`` more without an answer
    expires the session. Disabled in volunteer mode, where a volunteer is beside the learner.
    """

    def __init__(self, prompt_after_s: float, countdown_s: float, enabled: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.prompt_after_s = prompt_after_s
        self.countdown_s = countdown_s
        self.enabled = enabled
        self._clock = clock
        self._last_touch = clock()

    def touch(self) -> None:
        """The learner did something: start counting again."""
        self._last_touch = self._clock()

    def _idle_s(self) -> float:
        return self._clock() - self._last_touch

    def state(self) -> IdleState:
        idle = self._idle_s()
        if not self.enabled or idle < self.prompt_after_s:
            return "active"
        return "prompt" if idle < self.prompt_after_s + self.countdown_s else "expired"

    def seconds_left(self) -> int:
        """Whole seconds of the countdown still to run, for the prompt's text."""
        remaining = self.prompt_after_s + self.countdown_s - self._idle_s()
        return max(0, int(remaining + 0.999))
