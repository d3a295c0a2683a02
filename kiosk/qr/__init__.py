"""QR codes for the kiosk, without Kivy: read them from camera frames, say what is inside.

``kiosk.qr.decode.decode(grey_frame)`` finds codes; ``kiosk.qr.inspect.inspect(payload)`` explains
one in plain Vietnamese; ``kiosk.qr.practice`` holds the printed practice cards and grades the
learner's "trust or not" answer. ``python -m kiosk.qr scan|inspect|cards`` does the same from a
shell. Nothing is imported here, so a lesson that only needs the card catalogue does not load
numpy and zbar at the kiosk's start.
"""
