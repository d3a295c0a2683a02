"""The lesson player: one step at a time, the answer graded with kind words, retries allowed.

Every step and every feedback is the same ``PhasePanel``: the words on the left above the button
bar ("Thoát bài", "Đọc to", then "Tiếp tục" or "Thử lại"), the step's picture or drill on the
right. After an answer the drill stays in view, still, beside a pale green panel with a tick or a
pale amber one with a cross, so the learner sees what they did on the phone while reading why.
A keypad's six 20 mm keys a row need the whole 7-inch width, so its keys go under its words, with
the step and what is typed in the bar after "Xong".

The screen keeps the step's state in a few properties (``run``, ``phase``, ``verdict``,
``feedback``) and derives everything shown from them with ``AliasProperty``, so the ``.kv`` rules
bind to one source of truth instead of being pushed copies.
"""
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import AliasProperty, ObjectProperty, OptionProperty, StringProperty

from kiosk.i18n import N_, _
from kiosk.widgets import theme
from kiosk.widgets.common import KioskScreen
from kiosk.widgets.drills import DRILLS, Drill, KeypadDrill, PhoneDrill
from kiosk.widgets.phone import PHONE_PREFIX, StepPicture
from lessons.engine import LessonRun
from lessons.schema import ExplainStep, OrderStep, ShareStep

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

NARROW_SIDE = 0.38
# An explanation's picture, narrow enough that six lines of its words fit beside it on the 7-inch
# screen; a phone screen as a picture needs a little more, its 18 pt words keeping their lines.
PICTURE_SIDE, PHONE_PICTURE_SIDE = 0.30, 0.34
RIGHT = N_("That's right!")
TRY_AGAIN_KINDLY = N_("Let's try again.")


class PlayerScreen(KioskScreen):
    run: LessonRun | None = ObjectProperty(None, allownone=True)
    phase = OptionProperty("step", options=["step", "feedback"])
    verdict = OptionProperty("", options=["", "right", "wrong"])
    feedback = StringProperty("")
    drill: Drill | None = ObjectProperty(None, allownone=True)
    detail = StringProperty("")

    def _progress(self) -> str:
        if self.run is None:
            return ""
        return _("Step {number}/{total}").format(number=self.run.number, total=self.run.total)

    progress = AliasProperty(_progress, bind=["run", "drill"])

    def _text(self) -> str:
        return self.run.step.text if self.run else ""

    text = AliasProperty(_text, bind=["run", "drill"])

    def _heading(self) -> str:
        return {"right": _(RIGHT), "wrong": _(TRY_AGAIN_KINDLY)}.get(self.verdict, "")

    heading = AliasProperty(_heading, bind=["verdict"])

    def _words(self) -> str:
        """The step's question, or after an answer the feedback in its place."""
        return self.feedback if self.phase == "feedback" else self.text

    words = AliasProperty(_words, bind=["phase", "feedback", "text"])

    def _keypad(self) -> KeypadDrill | None:
        """The keypad the learner is typing on, if that is what the screen shows."""
        return self.drill if self.phase == "step" and isinstance(self.drill, KeypadDrill) else None

    keypad = AliasProperty(_keypad, bind=["phase", "drill"], cache=True, rebind=True)  # the bar follows its display

    def _primary_text(self) -> str:
        if self.phase == "feedback":
            return _("Try again") if self.verdict == "wrong" else _("Continue")
        if self.keypad is not None:
            return _("Done")
        return "" if self.drill is not None else _("Continue")

    primary_text = AliasProperty(_primary_text, bind=["phase", "verdict", "drill"])

    def _secondary_text(self) -> str:
        """A hold or swipe drill's one-tap alternative, in the bar while the step waits for it."""
        return self.drill.instead if self.phase == "step" and isinstance(self.drill, PhoneDrill) else ""

    secondary_text = AliasProperty(_secondary_text, bind=["phase", "drill"])

    def _side_share(self) -> float:
        """How much of the width the right side takes: a phone or options need their 20 mm
        targets; the share drill's phone or the camera's one button need less, and an
        explanation's picture less still, so the words beside them fit; a QR step's feedback
        (the camera's verdict, often long) and a keypad's take it all."""
        kind = self.run.step.kind if self.run else "explain"
        if kind == "keypad" and (self.phase == "step" or not self.run.step.picture) or kind == "qr" and self.phase == "feedback":
            return 0  # a keypad's keys, or its feedback without a picture, take the width
        if kind == "explain":
            phone = self.run is not None and (self.run.step.picture or "").startswith(PHONE_PREFIX)
            return PHONE_PICTURE_SIDE if phone else PICTURE_SIDE
        return theme.PICTURE_SHARE if kind in ("tap", "choice", "order") else NARROW_SIDE

    side_share = AliasProperty(_side_share, bind=["run", "drill", "phase"])

    def on_keypad(self, _screen, keypad: KeypadDrill | None) -> None:
        """A keypad's keys are in the widget tree only while typing: a hidden key would still take touches."""
        keys = self.ids.key_slot
        keys.clear_widgets()
        if keypad is not None:
            keys.add_widget(keypad)

    def on_phase(self, _screen, phase: str) -> None:
        self.ids.side.still = phase == "feedback"

    def play(self, run: LessonRun) -> None:
        self.run = run
        self.show_step()

    def show_step(self) -> None:
        """Lay out the current step (or the current card of a share step)."""
        step = self.run.step
        self.verdict, self.feedback = "", ""
        self.drill = None if isinstance(step, ExplainStep) else DRILLS[step.kind](
            run=self.run, answer_to=self.answer,
            on_open_camera=lambda _drill: App.get_running_app().open_qr_drill(self.run))
        self.property("run").dispatch(self)
        side = self.ids.side
        side.clear_widgets()
        if self.drill is not None:
            self.drill.refresh()
        if self.drill is not None and step.kind != "keypad":
            side.add_widget(self.drill)
        elif step.picture or isinstance(step, ExplainStep) and step.image:
            side.add_widget(self._picture())
        self.phase = "step"
        self.property("phase").dispatch(self)
        self._show_detail()
        App.get_running_app().step_shown(self._spoken_text())

    def _picture(self) -> StepPicture:
        """The step's picture, beside its words: a phone screen, a shared illustration or the
        pack's own image."""
        step = self.run.step
        pack = App.get_running_app().services.pack
        return StepPicture(picture=step.picture or step.image, pack_dir=pack.path if pack else None)

    def _show_detail(self) -> None:
        step = self.run.step
        if isinstance(step, OrderStep):
            self.detail = "\n".join(f"{n}. {item.text}" for n, item in enumerate(self.run.placed, 1))
        elif isinstance(step, ShareStep):  # the card's words are on the phone, as a message
            self.detail = _("Card {number}/{total}").format(number=self.run.card_index + 1, total=len(step.cards))
        else:
            self.detail = ""

    def _spoken_text(self) -> str:
        """What "Đọc to" reads: the step, and the card or the choices the learner must weigh."""
        step = self.run.step
        parts = [self.text, self.detail]
        if isinstance(step, ShareStep):
            parts[1] = _("Card {number}/{total}: {text}").format(
                number=self.run.card_index + 1, total=len(step.cards), text=self.run.card.text)
        if step.kind == "choice":
            parts += [option.text for option in step.options]
        return "\n".join(part for part in parts if part)

    def answer(self, value: str) -> None:
        feedback = self.run.answer(value)
        if feedback.message is None:
            self._show_detail()
            self.drill.refresh()
            return
        self.show_feedback(feedback.correct, feedback.message)

    def show_feedback(self, correct: bool, message: str) -> None:
        self.verdict = "right" if correct else "wrong"
        self.feedback = message
        self.phase = "feedback"
        if isinstance(self.drill, PhoneDrill):
            self.drill.mark_correct()  # the phone stays in view with the right place ringed
        App.get_running_app().step_shown(f"{self.heading}\n{message}")

    def secondary(self) -> None:
        """The bar's other button: the one-tap alternative to the phone drill's gesture."""
        self.drill.tap_instead()

    def primary(self) -> None:
        """The bar's main button: "Xong" on a keypad, "Tiếp tục" after an explanation or a right
        answer, else "Thử lại"."""
        if self.keypad is not None:
            self.keypad.submit()
        elif self.phase == "feedback" and self.verdict == "wrong":
            self.try_again()
        else:
            self.go_on()

    def try_again(self) -> None:
        self.verdict, self.feedback = "", ""
        self.drill.refresh()  # as it was before the answer: no ring on the right place
        self.phase = "step"

    def go_on(self) -> None:
        self.run.next()
        if self.run.finished:
            App.get_running_app().show("done").celebrate(self.run)
        else:
            self.show_step()

    def leave(self) -> None:
        self.run = None
        App.get_running_app().show("lesson_list")
