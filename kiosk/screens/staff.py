"""The volunteer and technician screen, reached only through the PIN screen.

It shows what a technician asks first (which kiosk, which venue, is it enrolled, is it sending)
and a row of big buttons, one per job: Wi-Fi and the self-test open screens of their own
(``staff_wifi``, ``staff_selftest``); enrolling from the ward's QR code (scanned, or typed when
the camera cannot read it), sending now and writing the waiting records to a USB stick happen
here. Each runs off the UI thread (``StaffTaskScreen``): the export's progress is shown as it goes,
learners' records keep being stored meanwhile, and the answer comes back in words. Like every
staff screen it closes when left alone (never in the middle of an export).
"""
import logging
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import AliasProperty, BooleanProperty, NumericProperty, ObjectProperty, OptionProperty, StringProperty

from kiosk.i18n import _
from kiosk.screens.staff_tasks import StaffTaskScreen
from kiosk.staff import Outcome, grouped
from kiosk.widgets.camera_preview import CameraPreview  # noqa: F401 - used in the .kv rules
from sync.outbox import OutboxStats
from sync.enrollment_code import BadEnrollmentCode, parse_enrollment_code

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
log = logging.getLogger(__name__)


class StaffHomeScreen(StaffTaskScreen):
    phase = OptionProperty("home", options=["home", "enroll", "scan", "type", "busy", "export"])
    info = StringProperty("")
    stats: OutboxStats | None = ObjectProperty(None, allownone=True)
    exported = NumericProperty(0)
    to_export = NumericProperty(0)
    message = StringProperty("")
    failed = BooleanProperty(False)
    busy_text = StringProperty("")
    volunteer = BooleanProperty(False)

    def _held_back(self) -> str:
        """What will not reach the ward by itself, in words: records set aside from a damaged memory
        card, and records the ward refused; "" when there are none."""
        stats = self.stats
        lines = []
        if stats is not None and stats.set_aside_records:
            lines.append(_("{count} results are set aside because the memory card is damaged.").format(
                count=grouped(stats.set_aside_records)))
        if stats is not None and stats.quarantined:
            lines.append(_("{count} results were refused by the ward.").format(count=grouped(stats.quarantined)))
        return "\n".join(lines)

    held_back = AliasProperty(_held_back, bind=["stats"], cache=True)

    def _export_progress(self) -> str:
        return _("Writing to the USB stick… {done}/{total}").format(done=grouped(int(self.exported)),
                                                                       total=grouped(int(self.to_export)))

    export_progress = AliasProperty(_export_progress, bind=["exported", "to_export"], cache=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._progress = (0, 0)
        self._show_progress = Clock.create_trigger(self._apply_progress)

    def on_pre_enter(self, *_args) -> None:
        self.volunteer = not self.services.idle.enabled
        self.phase, self.message = "home", ""
        self.tick()

    def tick(self) -> None:
        """Keep the kiosk's state on screen current (the sync line changes on its own)."""
        services = self.services
        credentials, stats = services.credentials, services.outbox.stats()
        lines = [_("Kiosk {device}").format(device=services.device.device_id)]
        if credentials:  # when not, the sync line says so
            lines.append(_("Enrolled at {venue}").format(venue=credentials.name))
        lines.append(services.sync_text())
        if problem := services.sync_problem_text():  # a copied memory card, an unreachable server…
            lines.append(problem)
        self.info = "\n".join(lines)
        if stats != self.stats:
            self.stats = stats

    def toggle_volunteer(self) -> None:
        """Volunteer mode until it is switched off or the kiosk restarts: no inactivity reset for learners."""
        self.volunteer = not self.volunteer
        self.services.idle.enabled = not self.volunteer
        self.services.idle.touch()

    def export(self) -> None:
        """Write the waiting records to the stick on a thread, showing how far it got."""
        self.message, self.phase = "", "export"
        self._progress = (0, self.services.outbox.stats().pending)
        self._apply_progress()
        desk = self.services.staff
        self.in_background("staff-export", lambda: desk.export(self._on_progress), self._show)

    def _on_progress(self, done: int, total: int) -> None:
        """From the export thread: keep the latest count; the screen takes it at its next frame."""
        self._progress = (done, total)
        self._show_progress()

    def _apply_progress(self, *_args) -> None:
        self.exported, self.to_export = self._progress
        self.keep_open()

    def open(self, name: str) -> None:
        """One of the technician's own screens (Wi-Fi, the self-test)."""
        App.get_running_app().show(name)

    def send_now(self) -> None:
        """Send the waiting results now, whatever sync's next try would have been."""
        self.message, self.busy_text, self.phase = "", _("Sending the results to the ward, please wait…"), "busy"
        desk = self.services.staff
        self.in_background("staff-send", desk.send_now, self._show)

    # Enrolling: by camera or by typing, then on a thread.
    def choose_enrollment(self) -> None:
        self.message, self.phase = "", "enroll"

    def scan_code(self) -> None:
        self.message = ""
        if self.scan(_("Hold the ward's enrollment code in front of the camera.")):
            self.phase = "scan"

    def code_seen(self, text: str) -> bool:
        if self.phase != "scan":
            return False
        try:
            parse_enrollment_code(text)
        except BadEnrollmentCode:
            self.scan_hint = _("This QR code is not a kiosk enrollment code. Use the code from the ward.")
            return False
        self.enroll(text)
        return True

    def camera_failed(self, message: str) -> None:
        self._show(Outcome(False, message + " " + _("Type the code instead.")))

    def type_code(self) -> None:
        self.message = ""
        self.phase = "type"
        self.ids.code.text = ""
        self.ids.code.focus = True

    def cancel(self) -> None:
        self.stop_camera()
        self.phase = "home"

    def enroll(self, text: str) -> None:
        if not text.strip():
            return
        self.ids.code.focus = False
        self.busy_text, self.phase = _("Enrolling with the ward server, please wait…"), "busy"
        desk = self.services.staff
        self.in_background("staff-enroll", lambda: desk.enroll(text), self._show)

    def _show(self, outcome: Outcome) -> None:
        self.ids.code.text = ""
        self.failed, self.message = not outcome.ok, outcome.message
        self.phase = "home"
        self.tick()
