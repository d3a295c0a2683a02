"""The live camera picture: a Kivy texture refreshed from the camera's newest frame on the clock.

Only copying pixels into the texture happens on the UI thread (about 1 ms for 800 × 600 on a
Pi 4); reading the camera and decoding QR codes run on their own threads. A frame is uploaded
only when it is new, so a stalled camera costs nothing. The texture is dropped on ``stop`` so the
last picture does not linger for the next learner.
"""
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import NumericProperty, ObjectProperty
from kivy.uix.image import Image

from kiosk.camera import Camera


class CameraPreview(Image):
    camera: Camera | None = ObjectProperty(None, allownone=True)
    fps = NumericProperty(15)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._event = None
        self._shown = 0

    def start(self, camera: Camera) -> None:
        self.stop()
        self.camera = camera
        self._event = Clock.schedule_interval(self._refresh, 1 / self.fps)

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self.camera = None
        self._shown = 0
        self.texture = None

    def _refresh(self, _dt: float) -> None:
        frame = self.camera.latest() if self.camera is not None else None
        if frame is None or frame.number == self._shown:
            return
        height, width = frame.rgb.shape[:2]
        texture = self.texture
        if texture is None or texture.size != (width, height):
            texture = Texture.create(size=(width, height), colorfmt="rgb")
            texture.flip_vertical()  # camera rows run top to bottom, OpenGL's bottom to top
        texture.blit_buffer(frame.rgb.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        self.texture = texture
        self.canvas.ask_update()
        self._shown = frame.number
