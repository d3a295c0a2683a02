"""The camera named by the kiosk's ``camera`` setting.

    picamera2        the Raspberry Pi camera on the CSI connector (the kiosk's own)
    opencv[:N]       a USB webcam, /dev/videoN (default 0), through OpenCV
    replay:PATH      a folder of images or a video file, looped (tests, demos, training)

Making the object touches no hardware; ``start()`` opens the device and raises ``CameraError``
with a kind ``message`` when it is missing, so the drill screen can say so and the rest of
the kiosk carries on.
"""
from pathlib import Path

from kiosk.camera.base import BAD_SETTING, Camera, CameraError
from kiosk.camera.opencv_camera import OpenCvCamera
from kiosk.camera.picamera2_camera import Picamera2Camera
from kiosk.camera.replay_camera import ReplayCamera


def open_camera(setting: str) -> Camera:
    name, colon, argument = setting.strip().partition(":")
    if name == "picamera2" and not colon:
        return Picamera2Camera()
    if name == "opencv" and (not colon or argument.isdigit()):
        return OpenCvCamera(int(argument or 0))
    if name == "replay" and argument:
        return ReplayCamera(Path(argument))
    raise CameraError(f"unknown camera setting {setting!r}; use picamera2, opencv[:N] or replay:PATH", BAD_SETTING)
