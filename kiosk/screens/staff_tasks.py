"""What the technician's screens share: long actions off the UI thread, and scanning a code.

Joining Wi-Fi, enrolling, the self-test, sending and writing to a stick each take seconds to a
minute, so ``StaffTaskScreen.in_background`` runs them on a thread of their own and hands the
answer back through the clock; an error nobody foresaw is logged and said, so a screen never
stays on "please wait". ``scan`` shows the camera's picture and offers each decoded code to
``code_seen`` (the Wi-Fi and the enrollment screens take different codes); decoding runs on the
camera's worker thread, never the UI's.
"""
import logging
import threading
from typing import Callable, Sequence, TypeVar

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import StringProperty

from kiosk.camera import CameraError, Frame, ScanWorker
from kiosk.i18n import _
from kiosk.qr.decode import decode
from kiosk.screens.staff_pin import StaffScreen
from kiosk.staff import Outcome

log = logging.getLogger(__name__)
Result = TypeVar("Result")


class StaffTaskScreen(StaffScreen):
    """A staff screen with background actions and, when its .kv has a ``preview``, a camera."""

    scan_hint = StringProperty("")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.services = App.get_running_app().services
        self._worker: ScanWorker | None = None

    def in_background(self, name: str, action: Callable[[], Result], done: Callable[[Result], None]) -> None:
        """Run ``action`` on a thread, then ``done(result)`` on the UI thread; an unforeseen error
        becomes a failed ``Outcome``."""
        def run() -> None:
            try:
                result = action()
            except Exception:
                log.exception("staff: %s failed", name)
                result = Outcome(False, _("This did not work; the kiosk's log says why. Try again, or tell a technician."))
            Clock.schedule_once(lambda _dt: done(result))

        threading.Thread(target=run, name=name, daemon=True).start()

    def keep_open(self) -> None:
        """A long action is running: the screen does not close as if left alone."""
        self._idle.touch()

    # The camera.
    def scan(self, hint: str) -> bool:
        """Start the camera and its picture; False (and ``camera_failed``) when there is no camera."""
        self.scan_hint = hint
        try:
            self._worker = ScanWorker.open(self.services.config.camera, decode, self._on_codes, self._on_camera_error)
        except CameraError as error:
            log.error("staff: no camera: %s", error)
            self.camera_failed(error.message)
            return False
        self.ids.preview.start(self._worker.camera)
        return True

    def code_seen(self, text: str) -> bool:
        """A decoded code's text; True when it was the one wanted (the camera then stops)."""
        raise NotImplementedError

    def camera_failed(self, message: str) -> None:
        """The camera could not start or stopped working; ``message`` says so in words."""
        raise NotImplementedError

    def _on_codes(self, codes: Sequence, _frame: Frame) -> None:
        texts = [code.text for code in codes]
        Clock.schedule_once(lambda _dt: self._take_codes(texts))

    def _take_codes(self, texts: list[str]) -> None:
        for text in texts:
            if self._worker is None:
                return  # stopped meanwhile, or a code was already taken
            if self.code_seen(text):
                self.stop_camera()

    def _on_camera_error(self, error: CameraError) -> None:
        def failed(_dt: float) -> None:
            self.stop_camera()
            self.camera_failed(error.message)

        Clock.schedule_once(failed)

    def stop_camera(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if "preview" in self.ids:
            self.ids.preview.stop()

    def on_leave(self, *_args) -> None:
        super().on_leave()
        self.stop_camera()

    def on_manager(self, screen, manager) -> None:
        super().on_manager(screen, manager)
        if manager is None:
            self.stop_camera()
