"""Icons from Google's Material Icons font (Debian's ``fonts-material-design-icons-iconfont``, Apache 2.0).

A font draws crisp at any size on both screen profiles, and it looks like the icons of the phones
the learners own without copying any real app's logo. Kivy's text renderer does not apply the
font's ligatures, so icons are shown by codepoint; the few the kiosk uses are listed here (from the
font's ``_variables.scss``). The font is registered on first use, not at start-up, which keeps the
kiosk's start within 1.5× a bare Kivy window.
"""
from pathlib import Path

from kivy.core.text import LabelBase

ICON_FONT = "MaterialIcons"
FONT_FILE = Path("/usr/share/fonts/truetype/material-design-icons-iconfont/MaterialIcons-Regular.ttf")
FALLBACK = "apps"

CODEPOINTS: dict[str, int] = {
    "account_balance": 0xE84F, "account_balance_wallet": 0xE850, "account_circle": 0xE853, "apps": 0xE5C3,
    "arrow_back": 0xE5C4, "badge": 0xEA67, "battery_full": 0xE1A4, "call": 0xE0B0, "call_end": 0xE0B1,
    "chat": 0xE0B7, "check_circle": 0xE86C, "contacts": 0xE0BA, "credit_card": 0xE870, "delete": 0xE872,
    "download": 0xF090, "face": 0xE87C, "fingerprint": 0xE90D, "health_and_safety": 0xE1D5, "home": 0xE88A,
    "image": 0xE3F4, "language": 0xE894, "link": 0xE157, "local_police": 0xEF56, "lock": 0xE897,
    "message": 0xE0C9, "person": 0xE7FD, "phone": 0xE0CD, "photo_camera": 0xE412, "photo_library": 0xE413,
    "qr_code": 0xEF6B, "qr_code_scanner": 0xF206, "search": 0xE8B6, "send": 0xE163, "settings": 0xE8B8,
    "share": 0xE80D, "shield": 0xE9E0, "shop": 0xE8C9, "signal_cellular_4_bar": 0xE1C8, "sms": 0xE625,
    "star": 0xE838, "verified": 0xEF76, "warning": 0xE002, "wifi": 0xE63E,
}


def icon_text(name: str) -> str:
    """The character that draws icon ``name`` in ``ICON_FONT`` (a generic "apps" grid when unknown,
    so a pack naming an icon this kiosk lacks still shows a tile). Registers the font first."""
    _register()
    return chr(CODEPOINTS.get(name, CODEPOINTS[FALLBACK]))


def available() -> bool:
    """Whether the icon font is installed (``make setup`` installs it)."""
    return FONT_FILE.is_file()


_registered = False


def _register() -> None:
    global _registered
    if not _registered:
        LabelBase.register(ICON_FONT, str(FONT_FILE))
        _registered = True
