"""One interface for every camera: start, stop, and the newest frame, read on the camera's own thread.

Cameras deliver frames at their own pace (the Pi camera at up to 30 fps, a USB webcam at whatever
the light allows) and block while waiting for the next one. A thread per camera keeps only the
newest frame, so the preview and the decoder both take the freshest picture and never queue up old
ones. Adapters implement three hooks: ``_open`` (raise ``CameraError`` when the camera is missing),
``_grab`` (the next picture) and ``_close``.

A picture that cannot be used (wrong shape, a corrupt file, a driver hiccup) is skipped; a run of
them, or the source ending, stops the stream and leaves a ``CameraError`` in ``error`` for the
screen to show. Frames live only in memory and are replaced by the next one: none is stored or sent.
"""
import logging
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from kiosk.i18n import N_, _

log = logging.getLogger(__name__)

# What the learner is told (kindly, with the way on: the card on the screen) and what staff are told.
NO_CAMERA = N_("This kiosk has no camera yet. Please look at the card on the screen instead.")
CAMERA_STOPPED = N_("The camera has stopped sending pictures. Please look at the card on the screen instead.")
BAD_SETTING = N_("The camera is not set up yet. Please look at the card on the screen instead.")
FOR_STAFF = {
    NO_CAMERA: N_("No camera was found. Please check the camera's cable."),
    CAMERA_STOPPED: N_("The camera stopped sending pictures. Please check the camera's cable, or restart the kiosk."),
    BAD_SETTING: N_("The camera setting is wrong. Please check the kiosk's settings."),
}
BAD_RUN_LIMIT = 30  # unusable pictures in a row before the stream counts as stopped (1–2 s of video)


class CameraError(RuntimeError):
    """The camera cannot be used. ``str(error)`` is for the log; ``message`` is what the learner's
    screen says and ``staff_message`` what the staff screen says, both in the kiosk's language."""

    def __init__(self, detail: str, message: str = NO_CAMERA) -> None:
        super().__init__(detail)
        self._message = message

    @property
    def message(self) -> str:
        return _(self._message)

    @property
    def staff_message(self) -> str:
        return _(FOR_STAFF.get(self._message, self._message))


@dataclass(frozen=True)
class Frame:
    """One picture: ``grey`` (height × width) for the decoder, ``rgb`` (height × width × 3) for the preview.

    The two may differ in size: the Pi camera gives the decoder its small YUV stream.
    """

    number: int
    rgb: np.ndarray
    grey: np.ndarray

    @classmethod
    def build(cls, number: int, rgb: np.ndarray, grey: np.ndarray | None = None) -> "Frame":
        """Check and normalise a picture; ``ValueError`` if it is not one."""
        rgb = np.asarray(rgb)
        if rgb.ndim == 2:
            rgb = np.repeat(rgb[..., None], 3, axis=2)
        if rgb.ndim != 3 or rgb.shape[2] < 3 or min(rgb.shape[:2]) < 8 or rgb.dtype != np.uint8:
            raise ValueError(f"not a picture: shape {rgb.shape}, dtype {rgb.dtype}")
        rgb = np.ascontiguousarray(rgb[..., :3])
        if grey is None:
            weights = np.array([77, 150, 29], dtype=np.uint16)  # ITU-R BT.601 luma, in 1/256ths
            grey = ((rgb.astype(np.uint16) @ weights) >> 8).astype(np.uint8)
        grey = np.asarray(grey)
        if grey.ndim != 2 or min(grey.shape) < 8 or grey.dtype != np.uint8:
            raise ValueError(f"not a grey picture: shape {grey.shape}, dtype {grey.dtype}")
        return cls(number, rgb, np.ascontiguousarray(grey))


class Camera(ABC):
    """A frame source with a reader thread. ``start`` raises ``CameraError`` if it cannot open."""

    name = "camera"

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._frame: Frame | None = None
        self._error: CameraError | None = None
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._halt.clear()
        self._error = None
        self._open()
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop reading and release the device; the last frame is dropped."""
        self._halt.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
            self._close()
        with self._lock:
            self._frame = None
            self._lock.notify_all()

    @property
    def error(self) -> CameraError | None:
        """Why the stream stopped by itself, or None while it runs (or was stopped on purpose)."""
        return self._error

    def latest(self) -> Frame | None:
        """The newest frame, without waiting (for the preview)."""
        return self._frame

    def wait_newer(self, number: int, timeout: float) -> Frame | None:
        """The newest frame whose number is above ``number``, waiting up to ``timeout`` s for one."""
        with self._lock:
            self._lock.wait_for(lambda: self._newer(number) or self._error is not None or self._halt.is_set(), timeout)
            return self._frame if self._newer(number) else None

    def _newer(self, number: int) -> bool:
        return self._frame is not None and self._frame.number > number

    def _pause(self, seconds: float) -> bool:
        """Sleep, waking early when stopped; True if still running."""
        return not self._halt.wait(seconds)

    def _run(self) -> None:
        bad_in_a_row = 0
        number = 0
        while not self._halt.is_set():
            try:
                grabbed = self._grab()
                if self._halt.is_set():
                    return
                if grabbed is None:
                    self._fail(CameraError(f"{self.name}: the stream ended", CAMERA_STOPPED))
                    return
                frame = Frame.build(number + 1, *grabbed)
            except Exception as exc:  # noqa: BLE001 - drivers raise anything; one bad picture must not end the drill
                bad_in_a_row += 1
                log.warning("%s: unusable picture (%s), %d in a row", self.name, exc, bad_in_a_row)
                if bad_in_a_row >= BAD_RUN_LIMIT:
                    self._fail(CameraError(f"{self.name}: {bad_in_a_row} unusable pictures in a row", CAMERA_STOPPED))
                    return
                self._pause(0.05)
                continue
            bad_in_a_row = 0
            number = frame.number
            with self._lock:
                self._frame = frame
                self._lock.notify_all()

    def _fail(self, error: CameraError) -> None:
        log.error("%s", error)
        with self._lock:
            self._error = error
            self._lock.notify_all()

    @abstractmethod
    def _open(self) -> None:
        """Open the device; raise ``CameraError`` when it is missing or busy."""

    @abstractmethod
    def _grab(self) -> tuple[np.ndarray, np.ndarray | None] | None:
        """The next picture as (rgb, grey or None), blocking until it comes; None when the source ended."""

    @abstractmethod
    def _close(self) -> None:
        """Release the device."""
