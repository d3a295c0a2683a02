"""A pretend camera that plays pictures from disk: a folder of images (by name) or a video file.

For tests, demos and volunteers' training without a camera: ``camera = "replay:/path"``. It keeps
the pace of a real camera (``fps``) and loops by default. Images are read with Pillow; a video needs
the optional OpenCV. A file that cannot be read counts as one unusable picture, as a glitch from a
real camera would.
"""
from pathlib import Path

import numpy as np
from PIL import Image

from kiosk.camera.base import Camera, CameraError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".ppm", ".pgm"})


class ReplayCamera(Camera):
    name = "replay"

    def __init__(self, source: Path, fps: float = 15, loop: bool = True) -> None:
        super().__init__()
        self.source = Path(source)
        self.interval = 1 / fps
        self.loop = loop
        self._files: list[Path] = []
        self._video = None
        self._cv2 = None
        self._index = 0

    def _open(self) -> None:
        self._index = 0
        if self.source.is_dir():
            self._files = sorted(p for p in self.source.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not self._files:
                raise CameraError(f"replay folder {self.source} holds no images")
        elif self.source.suffix.lower() in IMAGE_SUFFIXES and self.source.is_file():
            self._files = [self.source]
        elif self.source.is_file():
            self._video = self._open_video()
        else:
            raise CameraError(f"replay source {self.source} does not exist")

    def _open_video(self):
        try:
            import cv2
        except ImportError as exc:
            raise CameraError(f"playing the video {self.source} needs OpenCV (pip install opencv-python-headless)") from exc
        video = cv2.VideoCapture(str(self.source))
        if not video.isOpened():
            video.release()
            raise CameraError(f"{self.source} is neither an image folder nor a readable video")
        self._cv2 = cv2
        return video

    def _grab(self) -> tuple[np.ndarray, None] | None:
        if not self._pause(self.interval):
            return None
        if self._video is not None:
            return self._next_video_frame()
        if self._index >= len(self._files) and not self.loop:
            return None
        path = self._files[self._index % len(self._files)]
        self._index += 1
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB")), None

    def _next_video_frame(self) -> tuple[np.ndarray, None] | None:
        ok, bgr = self._video.read()
        if not ok and self.loop:
            self._video.set(self._cv2.CAP_PROP_POS_FRAMES, 0)
            ok, bgr = self._video.read()
        if not ok:
            return None
        return self._cv2.cvtColor(bgr, self._cv2.COLOR_BGR2RGB), None

    def _close(self) -> None:
        if self._video is not None:
            self._video.release()
            self._video = None
