"""The volunteer's screen: start and end a class, let learners swap in, see who needs help.

Everything it does goes through ``KioskServices`` (start_class, begin_session, end_class); this
screen only shows the class's state, refreshed twice a second, and the summary once it ends.
"""
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import _
from kiosk.screens.staff_pin import StaffScreen
from kiosk.volunteer_class import VolunteerClass

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

MAX_LINES = 8  # learners listed; the screen has room for about this many


def learner_line(number: int, learner, step_names: dict) -> str:
    """One line of the live view: who (a number, never a name), the lesson and step, and a help flag."""
    who = _("Card {code}").format(code=learner.learner[5:9].upper()) if learner.learner.startswith("card-") \
        else _("Learner {number}").format(number=number)
    if learner.demo:
        who = _("Demo")
    where = step_names.get(learner.lesson_id, learner.lesson_id) if learner.lesson_id else _("choosing a lesson")
    if learner.step_id:
        where += " · " + learner.step_id
    flag = "  ⚑ " + _("needs help") if learner.needs_help else ""
    return f"{who}: {where}{flag}"


class VolunteerScreen(StaffScreen):
    in_class = BooleanProperty(False)
    learners = StringProperty("")
    summary = StringProperty("")
    help_needed = BooleanProperty(False)

    def on_pre_enter(self, *_args) -> None:
        self.tick()

    def tick(self) -> None:
        services = App.get_running_app().services
        found: VolunteerClass | None = services.volunteer_class
        self.in_class = found is not None
        if found is None:
            self.learners, self.help_needed = "", False
            return
        titles = {lesson.id: lesson.title for lesson in services.lessons}
        lines = [learner_line(n, learner, titles) for n, learner in enumerate(found.learners.values(), 1)]
        self.learners = "\n".join(lines[-MAX_LINES:]) or _("No learner yet: scan a card or tap New learner.")
        self.help_needed = any(learner.needs_help for learner in found.learners.values())

    def start_class(self) -> None:
        App.get_running_app().services.start_class()
        self.summary = ""
        self.tick()

    def end_class(self) -> None:
        found = App.get_running_app().services.end_class()
        if found is not None:
            self.summary = _("Class ended: {learners} learners, {lessons} lessons completed, "
                             "{steps} steps where someone needed help.").format(
                learners=found["learners"], lessons=found["lessons_completed"], steps=len(found["troubled_steps"]))
        self.tick()

    def new_learner(self, demo: bool = False) -> None:
        """Hand the kiosk to the next learner (or run a demonstration): straight to the lesson list."""
        app = App.get_running_app()
        app.services.begin_session(demo=demo)
        app.show("lesson_list")
