"""Scanning a code with the camera, for any screen whose .kv has a ``CameraPreview`` with id ``preview``.

``scan`` shows the camera's picture and offers each decoded code's text to ``code_seen``; decoding
runs on the camera's worker thread, never the UI's, and its results come back through the clock.
The technician's screens (Wi-Fi, enrollment) and the learner card entrance each take their own
codes; the camera is released when the screen is left or removed.
"""
import logging
from typing import Sequence

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import StringProperty

from kiosk.camera import CameraError, Frame, ScanWorker
from kiosk.qr.decode import decode

log = logging.getLogger(__name__)


class CodeScanning:
    """A screen mix-in: the camera, its picture and the decoded codes."""

    scan_hint = StringProperty("")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._worker: ScanWorker | None = None

    def scan(self, hint: str) -> bool:
        """Start the camera and its picture; False (and ``camera_failed``) when there is no camera."""
        self.scan_hint = hint
        self.stop_camera()
        try:
            self._worker = ScanWorker.open(App.get_running_app().services.config.camera, decode, self._on_codes,
                                           self._on_camera_error)
        except CameraError as error:
            log.error("camera: none to scan with: %s", error)
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
