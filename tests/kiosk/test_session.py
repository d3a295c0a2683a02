"""The idle watch on a clock the test moves by hand."""
from kiosk.session import IdleWatch, LearnerSession


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_idle_watch_asks_then_expires_and_a_touch_restarts_it():
    clock = FakeClock()
    watch = IdleWatch(120, 60, clock=clock)
    clock.now += 119
    assert watch.state() == "active"
    clock.now += 1
    assert watch.state() == "prompt" and watch.seconds_left() == 60
    clock.now += 45.5
    assert watch.seconds_left() == 15
    watch.touch()
    assert watch.state() == "active"
    clock.now += 180
    assert watch.state() == "expired" and watch.seconds_left() == 0


def test_a_disabled_watch_never_asks():
    clock = FakeClock()
    watch = IdleWatch(120, 60, enabled=False, clock=clock)
    clock.now += 10_000
    assert watch.state() == "active"


def test_learner_ids_are_anonymous_and_fresh():
    first, second = LearnerSession(), LearnerSession()
    assert first.learner.startswith("anon-") and first.learner != second.learner
