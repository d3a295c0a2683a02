"""Cameras for the QR drill, without Kivy: the Pi camera, a USB webcam, or pictures replayed from disk.

``open_camera(setting)`` picks the adapter; ``Camera.start()`` opens it (``CameraError`` with a
Vietnamese ``message`` if it is missing); ``ScanWorker`` decodes its newest frame off the UI thread.
"""
from kiosk.camera.base import Camera, CameraError, Frame
from kiosk.camera.factory import open_camera
from kiosk.camera.worker import ScanWorker

__all__ = ["Camera", "CameraError", "Frame", "ScanWorker", "open_camera"]
