"""Playing any lesson step by touch, as a learner would: used by the UI tests and screenshots.

Each function is a generator for ``tests.ui.run_kiosk`` scripts: it taps, yields to let the app
run, and asserts that the screen shows what the lesson says it should.
"""
from dataclasses import dataclass
from typing import Callable

from kivy.tests.common import UnitTestTouch
from kivy.metrics import mm

from kiosk.i18n import _
from lessons.engine import LessonRun
from lessons.schema import ChoiceStep, ExplainStep, KeypadStep, OrderStep, QrStep, ShareStep, TapStep
from lessons.strength import passphrase_strength
from tests.ui import find, shown_texts, tap, until

PAUSE = 0.15


def player(app):
    return app.root.get_screen("player")


@dataclass(frozen=True)
class Play:
    """How to play: try a wrong answer first (to see the kind feedback), and what to do on each
    feedback screen before going on (screenshots and the accessibility walk use it)."""

    wrong_first: bool = True
    on_feedback: Callable = lambda app: iter(())
    on_camera_question: Callable = lambda app: iter(())


def go_on_after_right(app, message: str, play: Play):
    assert player(app).phase == "feedback" and player(app).verdict == "right"
    assert find(message)
    yield from play.on_feedback(app)
    tap(find(_("Continue")))
    yield PAUSE


def hold(widget, seconds: float = 1.0):
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    yield seconds
    touch.touch_up()
    yield PAUSE


def swipe(widget):
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x - mm(10), y)
    touch.touch_down()
    yield PAUSE
    touch.touch_move(x + mm(10), y)
    touch.touch_up()
    yield PAUSE


def solve_choice(app, step: ChoiceStep, play: Play):
    if play.wrong_first:
        wrong = next(o for o in step.options if o.id != step.correct)
        tap(find(wrong.text))
        yield PAUSE
        assert player(app).verdict == "wrong" and find(wrong.feedback)
        yield from play.on_feedback(app)
        tap(find(_("Try again")))
        yield PAUSE
    right = next(o for o in step.options if o.id == step.correct)
    tap(find(right.text))
    yield PAUSE
    yield from go_on_after_right(app, right.feedback, play)


def solve_tap(app, step: TapStep, play: Play):
    if play.wrong_first:
        wrong = next(e for e in step.phone.elements if e.id != step.correct)
        tap(find(wrong.label))
        yield PAUSE
        if step.gesture == "tap":
            assert player(app).verdict == "wrong" and find(wrong.feedback or step.feedback.wrong)
            yield from play.on_feedback(app)
            tap(find(_("Try again")))
            yield PAUSE
    right = find(next(e.label for e in step.phone.elements if e.id == step.correct))
    if step.gesture == "hold":
        yield from hold(right)
    elif step.gesture == "swipe":
        yield from swipe(right)
    else:
        tap(right)
        yield PAUSE
    yield from go_on_after_right(app, step.feedback.right, play)


def solve_order(app, step: OrderStep, play: Play):
    for number, item in enumerate(step.items):
        if play.wrong_first and number == 0:
            decoy = next(i for i in player(app).run.candidates() if i.id != item.id)
            tap(find(decoy.text))
            yield PAUSE
            assert find(step.feedback.wrong)
            yield from play.on_feedback(app)
            tap(find(_("Try again")))
            yield PAUSE
        tap(find(item.text))
        yield PAUSE
    yield from go_on_after_right(app, step.feedback.right, play)


def solve_share(app, step: ShareStep, play: Play):
    for card in step.cards:
        assert card.text in shown_texts(), "the card arrives on the phone as a message"
        if play.wrong_first:
            tap(find(_("Do not share") if card.share else _("Fine to share")))
            yield PAUSE
            assert player(app).verdict == "wrong"
            yield from play.on_feedback(app)
            tap(find(_("Try again")))
            yield PAUSE
        tap(find(_("Fine to share") if card.share else _("Do not share")))
        yield PAUSE
        yield from go_on_after_right(app, card.feedback, play)


def keypad_entry(step: KeypadStep) -> list[str]:
    """Keys that satisfy the step: the expected code, a strong PIN, or enough different words."""
    if step.expected:
        return list(step.expected)
    if step.mode == "pin":
        return list("482915730264"[: step.length])
    words = sorted(set(step.words), key=lambda w: (w.isdigit(), step.words.index(w)))
    for count in range(1, len(words) + 1):
        if passphrase_strength(words[:count]) >= step.min_strength:
            return words[:count]
    raise AssertionError(f"no entry of {step.words} reaches strength {step.min_strength}")


def solve_keypad(app, step: KeypadStep, play: Play):
    if play.wrong_first:
        tap(find(step.words[0] if step.mode == "passphrase" else "1"))
        tap(find(_("Done")))
        yield PAUSE
        assert player(app).verdict == "wrong" and find(step.feedback.wrong)
        yield from play.on_feedback(app)
        tap(find(_("Try again")))
        yield PAUSE
    for key in keypad_entry(step):
        tap(find(key))
        yield 0.05
    tap(find(_("Done")))
    yield PAUSE
    yield from go_on_after_right(app, step.feedback.right, play)


def solve_qr(app, step: QrStep, play: Play):
    """Open the camera drill (a replay camera shows practice cards), answer, come back."""
    from kiosk.qr.practice import DISTRUST, TRUST

    verdicts = [False, True] if play.wrong_first else [True]
    for right in verdicts:
        tap(find(_("Open the camera")))
        drill = app.root.get_screen("qr_practice")
        yield from until(lambda: drill.phase == "question", timeout_s=10)  # a practice card recognised, laid out
        yield from play.on_camera_question(app)
        card = drill.card
        tap(find(_(TRUST) if card.trust == right else _(DISTRUST)))
        yield PAUSE
        assert app.root.current == "player" and player(app).verdict == ("right" if right else "wrong")
        assert _(card.explanation) in player(app).feedback
        if not right:
            yield from play.on_feedback(app)
            tap(find(_("Try again")))
            yield PAUSE
    yield from go_on_after_right(app, player(app).feedback, play)


SOLVERS = {ChoiceStep: solve_choice, TapStep: solve_tap, OrderStep: solve_order, ShareStep: solve_share,
           KeypadStep: solve_keypad, QrStep: solve_qr}


def open_lesson(app, lesson):
    """From the lesson list, turn to the page that holds ``lesson`` and open it."""
    listing = app.root.get_screen("lesson_list")
    while listing.page > 0:
        tap(find(_("Previous page")))
        yield PAUSE
    while lesson.title not in shown_texts():
        assert listing.page < listing.pages - 1, f"{lesson.title!r} is on no page of the lesson list"
        tap(find(_("Next page")))
        yield PAUSE
    tap(find(lesson.title))
    yield PAUSE
    assert app.root.current == "player"


def play_lesson(app, lesson, play: Play = Play(), on_step=lambda app, run: iter(())):
    """From the lesson list, touch through ``lesson`` to the well-done screen.

    ``on_step`` is a generator called on each step before it is answered (screenshots use it).
    """
    yield from open_lesson(app, lesson)
    for step in lesson.steps:
        run: LessonRun = player(app).run
        progress = _("Step {number}/{total}").format(number=run.number, total=run.total)
        assert run.step == step and any(progress in text for text in shown_texts())
        yield from on_step(app, run)
        if isinstance(step, ExplainStep):
            assert find(step.text)
            tap(find(_("Continue")))
            yield PAUSE
        else:
            yield from SOLVERS[type(step)](app, step, play)
    assert app.root.current == "done"
