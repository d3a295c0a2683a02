"""The lesson player: one step at a time, the answer graded with kind words, retries allowed."""
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty

from kiosk.i18n import _
from kiosk.widgets.common import BigButton, KioskScreen
from lessons.engine import LessonRun
from lessons.schema import ChoiceStep

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class OptionButton(BigButton):
    """One answer; it stays marked once chosen so the learner sees what the feedback is about."""

    option_id = StringProperty("")
    chosen = BooleanProperty(False)


class PlayerScreen(KioskScreen):
    """Question on the left, answers on the right; once answered right, only that answer and
    "Tiếp tục" stay, so the 7-inch screen never holds more than three 20 mm targets in a column."""

    run: LessonRun | None = ObjectProperty(None, allownone=True)
    progress = StringProperty("")
    text = StringProperty("")
    verdict = OptionProperty("", options=["", "right", "wrong"])
    can_continue = BooleanProperty(False)
    has_options = BooleanProperty(False)

    def play(self, run: LessonRun) -> None:
        self.run = run
        self.show_step()

    def show_step(self) -> None:
        step = self.run.step
        self.progress = _("Step {number}/{total}").format(number=self.run.number, total=self.run.total)
        self.text = step.text
        self.verdict = ""
        self.can_continue = self.run.can_continue
        self.has_options = isinstance(step, ChoiceStep)
        options = self.ids.options
        options.clear_widgets()
        for option in step.options if self.has_options else ():
            options.add_widget(OptionButton(text=option.text, option_id=option.id))

    def answer(self, option_id: str) -> None:
        feedback = self.run.answer(option_id)
        self.verdict = "right" if feedback.correct else "wrong"
        self.text = feedback.message
        self.can_continue = self.run.can_continue
        for button in list(self.ids.options.children):
            button.chosen = button.option_id == option_id
            if self.can_continue and not button.chosen:
                self.ids.options.remove_widget(button)

    def go_on(self) -> None:
        self.run.next()
        app = App.get_running_app()
        if self.run.finished:
            app.show("done").celebrate(self.run)
        else:
            self.show_step()

    def leave(self) -> None:
        self.run = None
        App.get_running_app().show("lesson_list")
