"""A grid of big keys ending in "Erase" (and "Done" where the screen's bar has none), shared by
the keypad drill and the staff PIN screen.

Ten digits in two rows of six with "Erase" is what fits across the 7-inch 800×480 screen with 20 mm
keys. Its look is in ``keypad.kv``.
"""
from pathlib import Path
from typing import Callable, Iterable

from kivy.lang import Builder
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n import _
from kiosk.widgets.common import BigButton

Builder.load_file(str(Path(__file__).with_name("keypad.kv")))

DIGITS = tuple("12345") + tuple("67890")


def dots(typed: int, length: int = 0) -> str:
    """A dot per typed digit and a blank per digit still to type: a PIN is never shown on a public screen."""
    return ("• " * typed + "_ " * max(0, length - typed)).strip()


class KeyGrid(GridLayout):
    """The keys; each press goes to the callbacks given to ``fill``."""

    def fill(self, labels: Iterable[str], on_key: Callable[[str], None], on_erase: Callable[[], None],
             on_done: Callable[[], None] | None = None) -> None:
        """The keys, then "Erase", then "Done" unless ``on_done`` is None (a lesson's "Xong" is its bar's)."""
        self.clear_widgets()
        for label in labels:
            self.add_widget(BigButton(text=label, on_release=lambda button: on_key(button.text)))
        self.add_widget(BigButton(text=_("Erase"), on_release=lambda _b: on_erase()))
        if on_done is not None:
            self.add_widget(BigButton(text=_("Done"), primary=True, on_release=lambda _b: on_done()))
