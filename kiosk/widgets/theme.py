"""Colours and sizes every screen shares, chosen for older eyes and fingers.

Sizes are physical (mm, pt via the configured screen DPI): DESIGN.md asks for touch targets of at
least 20 mm (never under 16 mm) 5 mm apart, body text of at least 18 pt, and 7:1 contrast. Each
text colour below is paired with the background it sits on; tests measure the ratios.
"""
from kivy.metrics import mm, pt

BACKGROUND = (0.996, 0.992, 0.969, 1)        # warm paper white
TEXT = (0.106, 0.106, 0.106, 1)              # near black: 17:1 on BACKGROUND
MUTED_TEXT = (0.26, 0.26, 0.26, 1)           # dark grey: 10:1 on BACKGROUND
PRIMARY = (0.043, 0.310, 0.541, 1)           # deep blue button, white text: 8:1
SECONDARY = (0.875, 0.902, 0.937, 1)         # pale blue-grey button, TEXT on it: 14:1
RIGHT = (0.106, 0.369, 0.125, 1)             # dark green panel, white text: 7.9:1
WRONG = (0.545, 0.102, 0.102, 1)             # dark red panel, white text: 9.7:1
ON_COLOUR = (1, 1, 1, 1)

TARGET = mm(20)
TARGET_MIN = mm(16)
GAP = mm(5)
PADDING = mm(3)
BODY = pt(18)
HEADING = pt(24)
TITLE = pt(30)
