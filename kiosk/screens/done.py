"""The "well done" screen after a lesson: praise, what was learnt, and what next."""
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.i18n import _
from kiosk.widgets.common import KioskScreen
from lessons.engine import LessonRun

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class DoneScreen(KioskScreen):
    summary = StringProperty("")

    def celebrate(self, run: LessonRun) -> None:
        questions = run.questions
        self.summary = _("You have finished the lesson “{title}”.").format(title=run.lesson.title)
        if questions:
            self.summary += "\n" + _("Right at the first try: {right} of {total} questions.").format(
                right=run.first_try_correct, total=questions)

    def another(self) -> None:
        App.get_running_app().show("lesson_list")

    def finish(self) -> None:
        App.get_running_app().end_session("finished")
