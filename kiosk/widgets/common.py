"""The kiosk's shared widgets: big buttons, readable labels and the idle question.

Their look is in ``common.kv``, loaded once when this module is imported.
"""
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from kiosk.widgets import theme

Builder.load_file(str(Path(__file__).with_name("common.kv")))


class BigButton(Button):
    """A touch target at least 20 mm tall that wraps its text; ``primary`` picks the strong colour.

    A button hidden with ``opacity: 0`` also gives up its height, so a column can hide one.
    """

    primary = BooleanProperty(False)
    min_height = NumericProperty(theme.TARGET)


class NarrateButton(BigButton):
    """"Đọc to": reads the current step aloud again; hidden where no speech engine works."""


class Body(Label):
    """Body text: 18 pt or more, wrapped to the widget's width, growing to fit its lines."""


class Heading(Body):
    """A heading: larger than body text."""


class KioskScreen(Screen):
    """A screen on the kiosk's paper-white background."""


class IdlePrompt(ModalView):
    """"Bác còn học tiếp không?" with the seconds left; any touch keeps the session."""

    seconds_left = NumericProperty(0)
