"""The lesson player: one step at a time, the answer graded with kind words, retries allowed.

Two phases alternate on the 7-inch screen: the step (its text on the left, its drill on the
right, or a full-width keypad) and, after an answer, the feedback on its own with one button
("Thử lại" or "Tiếp tục"). One message at a time is easier for older learners, and it keeps every
target at 20 mm.
"""
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import _
from kiosk.widgets.common import KioskScreen
from kiosk.widgets.drills import DRILLS, Drill
from lessons.engine import LessonRun
from lessons.schema import ExplainStep, OrderStep, ShareStep



class StepPhase(BoxLayout):
    screen = ObjectProperty(None)


class FeedbackPhase(BoxLayout):
    screen = ObjectProperty(None)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class PlayerScreen(KioskScreen):
    run: LessonRun | None = ObjectProperty(None, allownone=True)
    progress = StringProperty("")
    text = StringProperty("")
    detail = StringProperty("")
    phase = OptionProperty("step", options=["step", "wide", "feedback"])
    verdict = OptionProperty("", options=["", "right", "wrong"])
    feedback = StringProperty("")
    drill: Drill | None = ObjectProperty(None, allownone=True)

    def on_kv_post(self, base_widget) -> None:
        # Only the current phase is in the widget tree: a hidden widget would still take touches.
        self._phases = {"step": StepPhase(screen=self), "feedback": FeedbackPhase(screen=self)}

    def on_phase(self, _screen, phase: str) -> None:
        body = self.ids.body
        body.clear_widgets()
        body.add_widget(self.drill if phase == "wide" else self._phases[phase])

    def play(self, run: LessonRun) -> None:
        self.run = run
        self.show_step()

    def show_step(self) -> None:
        """Lay out the current step (or the current card of a share step)."""
        step = self.run.step
        self.progress = _("Step {number}/{total}").format(number=self.run.number, total=self.run.total)
        self.text = step.text
        self.verdict = ""
        self.drill = None if isinstance(step, ExplainStep) else DRILLS[step.kind](run=self.run, answer_to=self.answer)
        slot = self._phases["step"].ids.drill
        slot.clear_widgets()
        if self.drill is not None:
            self.drill.refresh()
            if step.kind == "keypad":
                self.drill.progress = self.progress
            else:
                slot.add_widget(self.drill)
        self.phase = "wide" if step.kind == "keypad" else "step"
        self.property("phase").dispatch(self)
        self._show_detail()
        App.get_running_app().step_shown(self._spoken_text())

    def _show_detail(self) -> None:
        step = self.run.step
        if isinstance(step, OrderStep):
            self.detail = "\n".join(f"{n}. {item.text}" for n, item in enumerate(self.run.placed, 1))
        elif isinstance(step, ShareStep):
            self.detail = _("Card {number}/{total}: {text}").format(
                number=self.run.card_index + 1, total=len(step.cards), text=self.run.card.text)
        else:
            self.detail = ""

    def _spoken_text(self) -> str:
        """What "Đọc to" reads: the step, and the card or the choices the learner must weigh."""
        parts = [self.text, self.detail]
        if self.run.step.kind == "choice":
            parts += [option.text for option in self.run.step.options]
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
        App.get_running_app().step_shown(message)

    def try_again(self) -> None:
        self.verdict = ""
        self.phase = "wide" if self.run.step.kind == "keypad" else "step"

    def go_on(self) -> None:
        self.run.next()
        if self.run.finished:
            App.get_running_app().show("done").celebrate(self.run)
        else:
            self.show_step()

    def leave(self) -> None:
        self.run = None
        App.get_running_app().show("lesson_list")
