"""The volunteer and technician screen, reached only through the PIN screen.

It shows what a technician asks first (which kiosk, which venue, is it enrolled, is it sending)
and offers the staff actions of ``kiosk.staff.StaffDesk``: enrolling from the ward's QR code
(scanned, or typed when the camera cannot read it), writing the waiting records to a USB stick,
and volunteer mode. Enrolling talks to the network, so it runs on a thread of its own and its
answer comes back through the clock. Like every staff screen it closes when left alone.
"""
import logging
import threading
from pathlib import Path
from typing import Sequence

from kivy.app import App
from kivy.clock import mainthread
from kivy.lang import Builder
from kivy.properties import BooleanProperty, OptionProperty, StringProperty

from kiosk.camera import CameraError, Frame, ScanWorker
from kiosk.i18n import _
from kiosk.qr.decode import decode
from kiosk.screens.staff_pin import StaffScreen
from kiosk.staff import Outcome
from kiosk.widgets.camera_preview import CameraPreview  # noqa: F401 - used in the .kv rules
from sync.enrollment_code import BadEnrollmentCode, parse_enrollment_code

Builder.load_file(str(Path(__file__).with_suffix(".kv")))
log = logging.getLogger(__name__)


class StaffHomeScreen(StaffScreen):
    phase = OptionProperty("home", options=["home", "scan", "type", "busy"])
    info = StringProperty("")
    message = StringProperty("")
    failed = BooleanProperty(False)
    scan_hint = StringProperty("")
    volunteer = BooleanProperty(False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.services = App.get_running_app().services
        self._worker: ScanWorker | None = None

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
        lines.append(services.sync_text() + " · " + _("{count} set aside").format(count=stats.quarantined))
        self.info = "\n".join(lines)

    def toggle_volunteer(self) -> None:
        """Volunteer mode until it is switched off or the kiosk restarts: no inactivity reset for learners."""
        self.volunteer = not self.volunteer
        self.services.idle.enabled = not self.volunteer
        self.services.idle.touch()

    def export(self) -> None:
        self._show(self.services.staff.export())

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
        threading.Thread(target=lambda: self._show(desk.enroll(text)), name="staff-enroll", daemon=True).start()

    @mainthread
    def _show(self, outcome: Outcome) -> None:
        self.ids.code.text = ""
        self.failed, self.message = not outcome.ok, outcome.message
        self.phase = "home"
        self.tick()
