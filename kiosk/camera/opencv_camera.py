"""A USB webcam through OpenCV's V4L2 backend, for laptops and desktops running the kiosk.

OpenCV is an optional extra (``opencv-python-headless``) imported only here. The driver's buffer
is cut to one frame so the picture on screen is the one in front of the lens now, not a second ago.
An unplugged webcam makes ``read()`` fail at once, again and again; the reader thread turns a run of
failures into "the camera stopped".
"""
import numpy as np

from kiosk.camera.base import Camera, CameraError


class OpenCvCamera(Camera):
    name = "opencv"

    def __init__(self, device: int = 0, size: tuple[int, int] = (640, 480)) -> None:
        super().__init__()
        self.device = device
        self.size = size
        self._capture = None
        self._cv2 = None

    def _open(self) -> None:
        try:
            import cv2
        except ImportError as exc:
            raise CameraError("OpenCV is not installed (pip install opencv-python-headless)") from exc
        capture = cv2.VideoCapture(self.device, cv2.CAP_V4L2)
        if not capture.isOpened():
            capture.release()
            raise CameraError(f"no webcam at /dev/video{self.device}")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.size[0])
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.size[1])
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._cv2, self._capture = cv2, capture

    def _grab(self) -> tuple[np.ndarray, np.ndarray]:
        ok, bgr = self._capture.read()
        if not ok or bgr is None:
            raise OSError(f"/dev/video{self.device} gave no picture")
        return self._cv2.cvtColor(bgr, self._cv2.COLOR_BGR2RGB), self._cv2.cvtColor(bgr, self._cv2.COLOR_BGR2GRAY)

    def _close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
