"""The drill widgets the lesson player shows beside a step's text, one class per drill kind.

Each widget only renders its step and hands the learner's answer to ``answer_to``; grading lives
in the lesson engine. Their look is in ``drills.kv``.
"""
from pathlib import Path
from typing import Callable

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import mm
from kivy.properties import AliasProperty, BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_, _
from kiosk.widgets import theme
from kiosk.widgets.common import BigButton
from kiosk.widgets.phone import Icon, Phone  # noqa: F401 - drills.kv draws the phone drill in a Phone
from kiosk.widgets.keypad import DIGITS, KeyGrid, dots  # noqa: F401 - KeyGrid is used in drills.kv
from lessons.engine import LessonRun, entry_strength

Builder.load_file(str(Path(__file__).with_name("drills.kv")))

HOLD_S = 0.8
SWIPE_MM = 15


class AnswerButton(BigButton):
    """A button that answers with ``value``."""

    value = StringProperty("")


class Drill(BoxLayout):
    """Base of every drill view: the run it shows and where answers go. A drill knows no screen:
    it raises ``on_open_camera`` (a QR step); leaving the lesson is the bar's."""

    run: LessonRun = ObjectProperty(None)
    answer_to: Callable[[str], None] = ObjectProperty(None)
    __events__ = ("on_open_camera",)

    def on_open_camera(self) -> None: ...

    def refresh(self) -> None:
        """Redraw for the run's current state (a new order round, a new share card)."""


class AnswersDrill(Drill):
    """A drill answered by one of its buttons (in ``ids.buttons``)."""

    def _fill(self, answers: list[tuple[str, str]]) -> None:
        buttons = self.ids.buttons
        buttons.clear_widgets()
        for text, value in answers:
            buttons.add_widget(AnswerButton(text=text, value=value, on_release=self._pick))

    def _pick(self, button: AnswerButton) -> None:
        self.answer_to(button.value)


class OptionsDrill(AnswersDrill):
    """Multiple choice: one button per option."""

    def refresh(self) -> None:
        self._fill([(option.text, option.id) for option in self.run.step.options])


class OrderDrill(AnswersDrill):
    """Put steps in order on the phone: the next step is picked among at most three offered."""

    def refresh(self) -> None:
        self._fill([(item.text, item.id) for item in self.run.candidates()])


class ShareDrill(Drill):
    """"Share or not" for the current card, which arrives on the phone as a message."""

    card = StringProperty("")

    def refresh(self) -> None:
        self.card = self.run.card.text


class PhoneFrame(AnchorLayout):
    """A phone as tall as the drill's box with an app bar titled ``title``; the drill's widgets
    given in kv go on its screen, under the bar. It drops its status and navigation strips
    (``Phone.compact``) when the screen needs the height for its 20 mm targets."""

    title = StringProperty("")
    wrap_title = BooleanProperty(False)
    wide = BooleanProperty(False)  # as wide as the box: two columns of words need the width more than the shape
    gap = NumericProperty(theme.GAP)
    _built = False

    def add_widget(self, widget, *args, **kwargs):
        if self._built:  # the phone is in place: the drill's own widgets go on its screen
            return self.ids.body.add_widget(widget, *args, **kwargs)
        super().add_widget(widget, *args, **kwargs)
        self._built = isinstance(widget, Phone)


class QrDrill(Drill):
    """Opens the camera practice screen; its verdict comes back to the player."""


class PhoneElementButton(AnswerButton):
    """An element of the simulated phone, drawn in its ``style`` (an app: its icon with its name
    under it in a grid, beside it in a list; a list row, a button, a link or a field). For hold
    and swipe drills it counts only that gesture; the drill's "tap instead" button is the
    single-tap alternative."""

    gesture = StringProperty("tap")
    style = StringProperty("button")
    icon = StringProperty("")
    stacked = BooleanProperty(False)
    marked = BooleanProperty(False)
    always_release = BooleanProperty(True)
    gesture_done = BooleanProperty(False)

    def on_touch_down(self, touch) -> bool:
        if self.collide_point(*touch.pos):
            touch.ud["phone_start"] = (Clock.get_time(), touch.x)
        return super().on_touch_down(touch)

    def on_touch_up(self, touch) -> bool:
        started = touch.ud.get("phone_start")
        if started is not None and touch.grab_current is self:
            held, moved = Clock.get_time() - started[0], abs(touch.x - started[1])
            self.gesture_done = {"tap": self.collide_point(*touch.pos), "hold": held >= HOLD_S,
                                 "swipe": moved >= mm(SWIPE_MM)}[self.gesture]
        return super().on_touch_up(touch)


GESTURE_HINTS = {"hold": N_("Keep your finger on it a little longer."), "swipe": N_("Slide your finger across it.")}
TAP_INSTEAD = N_("Tap instead")  # the words lesson 1 teaches: "a button to tap instead"
APP_ICON = "apps"


class PhoneDrill(Drill):
    """The step's screen on the simulated phone: its title in the app bar, an optional message
    (an SMS) and the elements to touch; after a gesture that did not count, a hint in the app bar.
    Hold and swipe drills name a one-tap alternative (``instead``), which the screen puts in its
    bar of buttons, so the phone keeps the whole height for its 20 mm targets."""

    columns = NumericProperty(1)
    title = StringProperty("")
    message = StringProperty("")
    hint = StringProperty("")
    gesture = StringProperty("tap")

    def _instead(self) -> str:
        return "" if self.gesture == "tap" else _(TAP_INSTEAD)

    instead = AliasProperty(_instead, bind=["gesture"])

    def refresh(self) -> None:
        step = self.run.step
        phone = step.phone
        self.columns, self.title, self.message = phone.columns, phone.title, phone.message or ""
        self.gesture, self.hint = step.gesture, ""
        grid = self.ids.elements
        grid.clear_widgets()
        for element in phone.elements:
            grid.add_widget(PhoneElementButton(
                text=element.label, value=element.id, gesture=step.gesture, style=element.style,
                icon=element.icon or (APP_ICON if element.style == "app" else ""), stacked=phone.columns > 1,
                min_height=mm(step.target_mm), on_release=self._released))

    def mark_correct(self) -> None:
        """Ring the right element, for the feedback that keeps the phone in view (without the
        gesture's hint: the gesture is done)."""
        self.hint = ""
        for button in self.ids.elements.children:
            button.marked = button.value == self.run.step.correct

    def _released(self, button: PhoneElementButton) -> None:
        if button.gesture_done:
            self.answer_to(button.value)
        else:
            self.hint = _(GESTURE_HINTS[button.gesture])

    def tap_instead(self) -> None:
        """The single-tap alternative to hold and swipe: counts as doing the gesture on the right element."""
        self.answer_to(self.run.step.correct)


STRENGTH_WORDS = (N_("Weak"), N_("Weak"), N_("Fair"), N_("Strong"), N_("Very strong"))


class KeypadDrill(Drill):
    """Digits (a PIN or an OTP) or word tiles (a passphrase), with the strength meter. The keys go
    under the step's words across the whole width (six 20 mm keys a row only fit across the 7-inch
    screen); ``display`` and "Xong" (``submit``) are in the lesson's bar."""

    entry = StringProperty("")

    def refresh(self) -> None:
        step = self.run.step
        self.ids.key_grid.fill(DIGITS if step.mode == "pin" else step.words, self._type, self.erase)

    def _display(self) -> str:
        """Dots for what is typed (a PIN is never shown on a public screen) and the meter."""
        if self.run is None:
            return ""
        step = self.run.step
        shown = dots(len(self.entry), step.length) if step.mode == "pin" else self.entry
        if step.expected or not self.entry:
            return shown
        return f"{shown} · {_(STRENGTH_WORDS[entry_strength(step, self.entry)])}"

    display = AliasProperty(_display, bind=["entry", "run"], cache=True)  # cached: a change is dispatched to the bar

    def _type(self, key: str) -> None:
        step = self.run.step
        if step.mode == "pin":
            if len(self.entry) < step.length:
                self.entry += key
        else:
            self.entry = f"{self.entry} {key}".strip()

    def erase(self) -> None:
        self.entry = self.entry[:-1] if self.run.step.mode == "pin" else " ".join(self.entry.split()[:-1])

    def submit(self) -> None:
        if self.entry:
            entry, self.entry = self.entry, ""
            self.answer_to(entry)


DRILLS: dict[str, type[Drill]] = {
    "choice": OptionsDrill, "order": OrderDrill, "share": ShareDrill, "tap": PhoneDrill,
    "keypad": KeypadDrill, "qr": QrDrill,
}
