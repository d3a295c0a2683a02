"""Decoding on a thread of its own, so the screen never waits for a frame to be read.

The worker takes the camera's newest frame, decodes its grey picture, and reports codes through a
callback; frames that arrive while it decodes are skipped, not queued, so it always works on what
is in front of the lens now. A frame the decoder chokes on is logged and skipped. When the camera
stops by itself, ``on_error`` gets its ``CameraError`` once and the worker ends. Callbacks run on
the worker's thread: a Kivy screen hands them to its clock (``Clock.create_trigger``).
"""
import logging
import threading
from typing import Callable, Sequence

import numpy as np

from kiosk.camera.base import Camera, CameraError, Frame
from kiosk.camera.factory import open_camera

log = logging.getLogger(__name__)

Decode = Callable[[np.ndarray], Sequence]


class ScanWorker:
    def __init__(self, camera: Camera, decode: Decode, on_result: Callable[[Sequence, Frame], None],
                 on_error: Callable[[CameraError], None] = lambda error: None) -> None:
        self.camera = camera
        self.decode = decode
        self.on_result = on_result
        self.on_error = on_error
        self._halt = threading.Event()
        self._active = threading.Event()
        self._active.set()
        self._thread: threading.Thread | None = None

    @classmethod
    def open(cls, setting: str, decode: Decode, on_result: Callable[[Sequence, Frame], None],
             on_error: Callable[[CameraError], None]) -> "ScanWorker":
        """The camera named by ``setting``, started, and a worker decoding it: what a scanning
        screen needs. Raises ``CameraError`` (with its Vietnamese message) when there is no camera."""
        camera = open_camera(setting)
        camera.start()
        worker = cls(camera, decode, on_result, on_error)
        worker.start()
        return worker

    def close(self) -> None:
        """Stop decoding, then release the camera (the Pi has one; the next screen may want it)."""
        self.stop()
        self.camera.stop()

    def start(self) -> None:
        self._halt.clear()
        self._thread = threading.Thread(target=self._run, name="qr-scan", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._halt.set()
        self._active.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def pause(self) -> None:
        """Stop decoding (the learner is answering) without stopping the camera or the preview."""
        self._active.clear()

    def resume(self) -> None:
        self._active.set()

    def _run(self) -> None:
        last = 0
        while not self._halt.is_set():
            self._active.wait()
            frame = self.camera.wait_newer(last, timeout=0.5)
            if frame is None:
                if self.camera.error is not None:
                    self.on_error(self.camera.error)
                    return
                continue
            last = frame.number
            try:
                codes = self.decode(frame.grey)
            except Exception:  # noqa: BLE001 - a garbage frame must not end the drill
                log.exception("decoding frame %d failed", frame.number)
                continue
            if codes and self._active.is_set() and not self._halt.is_set():
                self.on_result(codes, frame)
