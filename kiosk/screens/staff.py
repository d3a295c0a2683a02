"""The volunteer and technician screen, reached only through the PIN screen.

It shows what a technician asks first (which kiosk, which venue, is it enrolled, is it sending)
and offers the staff actions of ``kiosk.staff.StaffDesk``: enrolling from the ward's QR code
(scanned, or typed when the camera cannot read it), writing the waiting records to a USB stick,
and volunteer mode. Enrolling talks to the network and exporting can take a minute with a long
queue, so each runs on a thread of its own: the export's progress is shown as it goes, learners'
records keep being stored meanwhile, and the answer comes back through the clock. Like every staff
screen it closes when left alone (never in the middle of an export).
"""
import logging
import threading
from pathlib import Path
from typing import Callable, Sequence

from kivy.app import App
from kivy.clock import Clock, mainthread
from kivy.lang import Builder
from kivy.properties import AliasProperty, BooleanProperty, NumericProperty, ObjectProperty, OptionProperty, StringProperty

from kiosk.camera import CameraError, Frame, ScanWorker
from kiosk.i18n import _
from kiosk.qr.decode import decode
from kiosk.screens.staff_pin import StaffScreen
from kiosk.staff import Outcome, grouped
from kiosk.widgets.camera_preview import CameraPreview  # noqa: F401 - used in the .kv rules
from sync.outbox import OutboxStats
from sync.enrollment_code import BadEnrollmentCode, parse_enrollment_code

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
log = logging.getLogger(__name__)


class StaffHomeScreen(StaffScreen):
    phase = OptionProperty("home", options=["home", "scan", "type", "busy", "export"])
    info = StringProperty("")
    stats: OutboxStats | None = ObjectProperty(None, allownone=True)
    exported = NumericProperty(0)
    to_export = NumericProperty(0)
    message = StringProperty("")
    failed = BooleanProperty(False)
    scan_hint = StringProperty("")
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
        self.services = App.get_running_app().services
        self._worker: ScanWorker | None = None
        self._progress = (0, 0)
        self._show_progress = Clock.create_trigger(self._apply_progress)

    def on_pre_enter(self, *_args) -> None:
        self.volunteer = not self.services.idle.enabled
        self.phase, self.message = "home", ""
        self.tick()

    def on_leave(self, *_args) -> None:
        super().on_leave()
        self._stop_camera()

    def on_manager(self, screen, manager) -> None:
        super().on_manager(screen, manager)
        if manager is None:
            self._stop_camera()

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
        self._in_background("staff-export", lambda: desk.export(self._on_progress))

    def _on_progress(self, done: int, total: int) -> None:
        """From the export thread: keep the latest count; the screen takes it at its next frame."""
        self._progress = (done, total)
        self._show_progress()

    def _apply_progress(self, *_args) -> None:
        self.exported, self.to_export = self._progress
        self._idle.touch()  # the screen does not close under a running export

    # Enrolling: by camera or by typing, then on a thread.
    def scan(self) -> None:
        self.message, self.scan_hint = "", _("Hold the ward's enrollment code in front of the camera.")
        try:
            self._worker = ScanWorker.open(self.services.config.camera, decode, self._on_codes, self._on_camera_error)
        except CameraError as error:
            log.error("staff: no camera for the enrollment code: %s", error)
            self._show(Outcome(False, error.message + " " + _("Type the code instead.")))
            return
        self.ids.preview.start(self._worker.camera)
        self.phase = "scan"

    @mainthread
    def _on_codes(self, codes: Sequence, _frame: Frame) -> None:
        if self.phase != "scan":
            return
        for text in (code.text for code in codes):
            try:
                parse_enrollment_code(text)
            except BadEnrollmentCode:
                self.scan_hint = _("This QR code is not a kiosk enrollment code. Use the code from the ward.")
                continue
            self._stop_camera()
            self.enroll(text)
            return

    @mainthread
    def _on_camera_error(self, error: CameraError) -> None:
        self._stop_camera()
        self._show(Outcome(False, error.message + " " + _("Type the code instead.")))

    def _stop_camera(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if "preview" in self.ids:
            self.ids.preview.stop()

    def type_code(self) -> None:
        self.message = ""
        self.phase = "type"
        self.ids.code.text = ""
        self.ids.code.focus = True

    def cancel(self) -> None:
        self._stop_camera()
        self.phase = "home"

    def enroll(self, text: str) -> None:
        if not text.strip():
            return
        self.ids.code.focus = False
        self.phase = "busy"
        desk = self.services.staff
        self._in_background("staff-enroll", lambda: desk.enroll(text))

    def _in_background(self, name: str, action: Callable[[], Outcome]) -> None:
        """Run ``action`` on a thread and show its outcome; an error nobody foresaw is logged and said,
        so the screen never stays on "please wait"."""
        def run() -> None:
            try:
                outcome = action()
            except Exception:
                log.exception("staff: %s failed", name)
                outcome = Outcome(False, _("This did not work; the kiosk's log says why. Try again, or tell a technician."))
            self._show(outcome)

        threading.Thread(target=run, name=name, daemon=True).start()

    @mainthread
    def _show(self, outcome: Outcome) -> None:
        self.ids.code.text = ""
        self.failed, self.message = not outcome.ok, outcome.message
        self.phase = "home"
        self.tick()
