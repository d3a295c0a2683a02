"""The kiosk's shared widgets: big buttons, readable labels, the one phase panel and the idle question.

Every learner screen is a ``PhasePanel``: its words on the left over one bar of buttons (leave,
read aloud, then the screen's own one or two buttons, the main one last), and a picture, phone or
drill on the right. The same buttons in the same place on every screen is what lets an older
learner stop hunting for "Tiếp tục". Their look is in ``common.kv``, loaded once when this module
is imported.
"""
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import AliasProperty, BooleanProperty, ColorProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

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


class PanelSide(AnchorLayout):
    """What a ``PhasePanel`` shows on the right: a picture, the phone, a drill or a practice card,
    from the top (a drill shorter than the screen ends well above the button bar).

    ``still`` keeps it in view but deaf to touches: after an answer the phone stays on screen as
    the learner left it, and a tap on it cannot answer twice.
    """

    still = BooleanProperty(False)

    def on_touch_down(self, touch) -> bool:
        if self.still:
            return self.collide_point(*touch.pos)
        return super().on_touch_down(touch)


class PhasePanel(BoxLayout):
    """One screen's layout: words on the left above the button bar, a ``PanelSide`` on the right.

    Children declared inside a ``PhasePanel`` go to the words column, except a ``PanelSide``, which
    goes to the right. A bar button whose text is empty is not shown. The bar's buttons fire
    ``on_leave``, ``on_secondary`` and ``on_primary``; ``tint`` colours the words' panel (a right
    answer's pale green, a wrong one's pale amber). ``note_title`` and ``note`` sit in the bar before
    its main button: a keypad's step and what is typed so far, where the learner looks for "Xong".
    """

    leave_text = StringProperty("")
    secondary_text = StringProperty("")
    primary_text = StringProperty("")
    note_title = StringProperty("")
    note = StringProperty("")
    has_note = AliasProperty(lambda self: bool(self.note_title or self.note), bind=["note_title", "note"], cache=True)
    side_share = NumericProperty(theme.PICTURE_SHARE)
    tint = ColorProperty((0, 0, 0, 0))
    # Between the words and the bar: 5 mm keeps a button among the words apart from the bar's;
    # words of text only need their own 3 mm gap and this padding (the 7-inch screen's height).
    bar_gap = NumericProperty(theme.GAP)
    __events__ = ("on_leave", "on_secondary", "on_primary")

    def on_kv_post(self, base_widget) -> None:
        """Move the children declared where the panel is used into their column."""
        parts = (self.ids.column, self.ids.side)
        for child in [c for c in reversed(self.children) if c not in parts]:
            self.remove_widget(child)
            self._place(child)
        self._placing = True

    def add_widget(self, widget, *args, **kwargs):
        if getattr(self, "_placing", False):
            return self._place(widget)
        return super().add_widget(widget, *args, **kwargs)

    def _place(self, widget) -> None:
        (self.ids.side if isinstance(widget, PanelSide) else self.ids.words).add_widget(widget)

    def on_leave(self) -> None: ...

    def on_secondary(self) -> None: ...

    def on_primary(self) -> None: ...


class VerdictMark(Widget):
    """A drawn tick (right) or cross (wrong) in a circle: clear at any size, no font needed."""

    verdict = OptionProperty("right", options=["right", "wrong"])


class TechnicianSign(Label):
    """A small, calm sign that something needs a technician; the details are on the staff screen."""


class IdlePrompt(ModalView):
    """"Bác còn học tiếp không?" with the seconds left; any touch keeps the session."""

    seconds_left = NumericProperty(0)
