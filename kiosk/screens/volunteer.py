"""The volunteer's screen: start and end a class, let learners swap in, see who needs help, send the results.

Everything it does goes through ``KioskServices`` (start_class, begin_session, end_class) and the
technician's ``StaffDesk`` (send now, USB export, each on a thread through ``StaffTaskScreen``);
this screen only shows the class's state, refreshed twice a second, and the summary once it ends.
A learner card is scanned or its short code typed on the card entrance (``card_entry``), the same
one a walk-up learner uses from the welcome screen.
"""
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, OptionProperty, StringProperty

from kiosk.i18n import _
from kiosk.screens.staff_tasks import StaffTaskScreen
from kiosk.qr.learner_cards import print_to_folder
from kiosk.staff import Outcome, grouped, usb_folders
from kiosk.volunteer_class import VolunteerClass

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

MAX_LINES = 4  # learners listed (those needing help first); the 7-inch screen has room for this many


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


class VolunteerScreen(StaffTaskScreen):
    phase = OptionProperty("home", options=["home", "busy"])
    in_class = BooleanProperty(False)
    learners = StringProperty("")
    summary = StringProperty("")
    message = StringProperty("")
    sync_line = StringProperty("")
    details = StringProperty("")  # the learners, then the last answer or the sync state
    help_needed = BooleanProperty(False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._progress = (0, 0)
        self._show_progress = Clock.create_trigger(self._apply_progress)

    def on_pre_enter(self, *_args) -> None:
        self.phase, self.message = "home", ""
        self.tick()

    def tick(self) -> None:
        self._follow_class()
        self.sync_line = self.services.sync_text()
        self.details = "\n".join(line for line in (self.learners, self.message or self.sync_line) if line)

    def _follow_class(self) -> None:
        services = self.services
        found: VolunteerClass | None = services.volunteer_class
        self.in_class = found is not None
        if found is None:
            self.learners, self.help_needed = "", False
            return
        titles = {lesson.id: lesson.title for lesson in services.lessons}
        numbered = list(enumerate(found.learners.values(), 1))
        numbered.sort(key=lambda item: not item[1].needs_help)  # stable: the rest keep their order
        lines = [learner_line(n, learner, titles) for n, learner in numbered]
        self.learners = "\n".join(lines[:MAX_LINES]) or _("No learner yet: scan a card or tap New learner.")
        self.help_needed = any(learner.needs_help for learner in found.learners.values())

    def start_class(self) -> None:
        self.services.start_class()
        self._volume_to_speaker()
        self.summary = ""
        self.tick()

    def _volume_to_speaker(self) -> None:
        """The reader already made keeps its volume: give it the class's (or, after, the technician's)."""
        app = App.get_running_app()
        if app.speaker is not None and self.services.narrator is not None:
            app.speaker.volume = self.services.narrator.volume

    def end_class(self) -> None:
        found = self.services.end_class()
        self._volume_to_speaker()
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

    # A learner's card, by camera or by its short code: the one card entrance, coming back here.
    def scan_card(self) -> None:
        App.get_running_app().show("card_entry").open(back_to=self.name)

    def type_card(self) -> None:
        App.get_running_app().show("card_entry").open(typing=True, back_to=self.name)

    # Sending the results: now, or to a USB stick where there is no network.
    def send_now(self) -> None:
        self.phase, self.message = "busy", _("Sending the results to the ward, please wait…")
        self.in_background("volunteer-send", self.services.staff.send_now, self._done)

    def export(self) -> None:
        self._progress = (0, self.services.outbox.stats().pending)
        self._apply_progress()
        self.phase = "busy"
        self.in_background("volunteer-export", lambda: self.services.staff.export(self._on_progress), self._done)

    def print_cards(self) -> None:
        """A page of new learner cards as a PDF on the USB stick, to print elsewhere (the kiosk has no printer)."""
        self.phase, self.message = "busy", _("Writing learner cards to the USB stick, please wait…")
        self.in_background("volunteer-cards", self._write_cards, self._done)

    def _write_cards(self) -> Outcome:
        written = print_to_folder(usb_folders(self.services.config.usb_export_dir))
        if written is None:
            return Outcome(False, _("No USB stick found. Plug one in, wait a moment and try again."))
        out, cards = written
        return Outcome(True, _("{count} new learner cards are on the USB stick ({name}). Print them and cut "
                               "along the dashed lines.").format(count=len(cards), name=out.name))

    def _on_progress(self, done: int, total: int) -> None:
        """From the export thread: keep the latest count; the screen takes it at its next frame."""
        self._progress = (done, total)
        self._show_progress()

    def _apply_progress(self, *_args) -> None:
        done, total = self._progress
        self.message = _("Writing to the USB stick… {done}/{total}").format(done=grouped(done), total=grouped(total))
        self.keep_open()

    def _done(self, outcome: Outcome) -> None:
        self._show_progress.cancel()
        self.phase, self.message = "home", outcome.message
        self.tick()
