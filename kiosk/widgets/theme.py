"""Colours and sizes every screen shares, chosen for older eyes and fingers.

Sizes are physical (mm, pt via the configured screen DPI): DESIGN.md asks for touch targets of at
least 20 mm (never under 16 mm) 5 mm apart, body text of at least 18 pt, and 7:1 contrast. Each
text colour below is paired with the background it sits on; tests measure the ratios.

Feedback is calm on purpose: a pale panel with near-black text and a drawn tick or cross, never a
screen turned red. A learner who got it wrong should feel invited to try again, not alarmed.
"""
from kivy.metrics import mm, pt

BACKGROUND = (0.996, 0.992, 0.969, 1)        # warm paper white
TEXT = (0.106, 0.106, 0.106, 1)              # near black: 17:1 on BACKGROUND
MUTED_TEXT = (0.26, 0.26, 0.26, 1)           # dark grey: 10:1 on BACKGROUND
PRIMARY = (0.043, 0.310, 0.541, 1)           # deep blue button, white text: 8:1
SECONDARY = (0.875, 0.902, 0.937, 1)         # pale blue-grey button, TEXT on it: 14:1
ON_COLOUR = (1, 1, 1, 1)
RIGHT = (0.08, 0.30, 0.10, 1)                # deep green tick and "Giỏi lắm!": 9.9:1 on BACKGROUND
RIGHT_PANEL = (0.902, 0.957, 0.906, 1)       # pale green behind a right answer, TEXT on it: 15:1
TRY_AGAIN = (0.45, 0.18, 0.0, 1)             # deep amber cross: 8.8:1 on TRY_AGAIN_PANEL
TRY_AGAIN_PANEL = (0.996, 0.937, 0.855, 1)   # pale amber behind a wrong answer, TEXT on it: 15:1
PICTURE_PANEL = (0.933, 0.941, 0.949, 1)     # the soft grey box a step's picture sits in
WARNING = TRY_AGAIN                          # a QR warning's words on BACKGROUND: 9.7:1
WRONG = (0.545, 0.102, 0.102, 1)             # dark red words on staff screens only: 9.5:1 on BACKGROUND

TARGET = mm(20)
TARGET_MIN = mm(16)
GAP = mm(5)
PADDING = mm(3)
BODY = pt(18)
HEADING = pt(24)
TITLE = pt(30)
PICTURE_SHARE = 0.45  # of the window's width, for the picture, phone or drill beside the text
