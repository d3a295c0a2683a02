"""QR codes for the kiosk, without Kivy: read them from camera frames, say what is inside.

``decode(grey_frame)`` finds codes; ``inspect(payload)`` explains one in plain Vietnamese;
``practice`` holds the printed practice cards and grades the learner's "trust or not" answer.
``python -m kiosk.qr scan|inspect|cards`` does the same from a shell.
"""
from kiosk.qr.decode import Code, decode
from kiosk.qr.inspect import inspect

__all__ = ["Code", "decode", "inspect"]
