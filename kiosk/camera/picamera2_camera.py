"""The Raspberry Pi camera (CSI connector) through picamera2, the libcamera-based library.

Configured as picamera2's own examples do for detection work: a ``main`` stream for the picture
on screen and a small ``lores`` stream in YUV420 whose Y (brightness) plane goes straight to the
QR decoder, so no colour conversion runs on the Pi's CPU for decoding. Both come from the same
request (``capture_arrays``), so the preview and the decoded picture always match.

Facts from the Picamera2 manual and examples that the code relies on:
- ``XBGR8888`` arrives as 4 bytes per pixel ordered [R, G, B, 255]; the first three are RGB;
- a YUV420 array has shape (height × 3/2, stride): rows 0…height-1 are the Y plane, and columns
  beyond the width are padding;
- ``Picamera2.global_camera_info()`` lists the cameras libcamera found (empty: none connected).
picamera2 is installed from Raspberry Pi OS (``apt install python3-picamera2``); it is imported
only here, when this adapter opens.
"""
import numpy as np

from kiosk.camera.base import Camera, CameraError


class Picamera2Camera(Camera):
    name = "picamera2"

    def __init__(self, preview_size: tuple[int, int] = (800, 600), decode_size: tuple[int, int] = (640, 480),
                 camera_num: int = 0) -> None:
        super().__init__()
        self.preview_size = preview_size
        self.decode_size = decode_size
        self.camera_num = camera_num
        self._camera = None
        self._lores_size = decode_size

    def _open(self) -> None:
        try:
            from picamera2 import Picamera2
        except ImportError as exc:
            raise CameraError("picamera2 is not installed (apt install python3-picamera2)") from exc
        if len(Picamera2.global_camera_info()) <= self.camera_num:
            raise CameraError(f"libcamera sees no camera number {self.camera_num}; is the ribbon cable in?")
        try:
            camera = Picamera2(self.camera_num)
            config = camera.create_preview_configuration(
                main={"size": self.preview_size, "format": "XBGR8888"},
                lores={"size": self.decode_size, "format": "YUV420"})
            camera.configure(config)
            camera.start()
        except (RuntimeError, OSError, IndexError) as exc:
            raise CameraError(f"the Pi camera could not start: {exc}") from exc
        self._camera = camera
        self._lores_size = camera.stream_configuration("lores")["size"]

    def _grab(self) -> tuple[np.ndarray, np.ndarray]:
        (main, lores), _metadata = self._camera.capture_arrays(["main", "lores"])
        width, height = self._lores_size
        return main[..., :3], lores[:height, :width]

    def _close(self) -> None:
        if self._camera is not None:
            self._camera.stop()
            self._camera.close()
            self._camera = None
