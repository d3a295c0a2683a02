"""The staff PIN screen, and what every staff screen shares: it closes by itself when left alone.

The PIN comes only from the ``staff_pin`` setting; without one the screen says so and opens
nothing. Five wrong PINs lock the keypad, for longer after each lockout and across restarts
(``kiosk.pin_gate.PinGate``).
"""
import math
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.i18n import _
from kiosk.session import IdleWatch
from kiosk.widgets.common import KioskScreen
from kiosk.widgets.keypad import DIGITS, KeyGrid  # noqa: F401 - KeyGrid is used in the .kv rules

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

MAX_PIN_DIGITS = 12


class StaffScreen(KioskScreen):
    """A staff screen: after the learner's inactivity time without a touch it goes back to the
    welcome screen, in volunteer mode too, so it is never left open for the next walk-up learner."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        config = App.get_running_app().services.config
        self._idle = IdleWatch(config.idle_prompt_s, config.idle_countdown_s)
        self._watch = None

    def on_enter(self, *_args) -> None:
        self._idle.touch()
        Window.bind(on_touch_down=self._touched)
        self._watch = Clock.schedule_interval(self._check, 0.5)

    def on_leave(self, *_args) -> None:
        self._stop_watching()

    def on_manager(self, _screen, manager) -> None:
        if manager is None:  # removed when the session is wiped
            self._stop_watching()

    def _stop_watching(self) -> None:
        Window.unbind(on_touch_down=self._touched)
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None

    def _touched(self, *_args) -> bool:
        self._idle.touch()
        return False

    def _check(self, _dt: float) -> None:
        if self._idle.state() == "expired":
            self.close()
        else:
            self.tick()

    def tick(self) -> None:
        """Called twice a second while shown."""

    def close(self) -> None:
        """Back to the welcome screen, forgetting every staff screen: the PIN is asked again next time."""
        App.get_running_app().end_session("staff")


class StaffPinScreen(StaffScreen):
    """The technician's keypad; the volunteer's (kiosk.screens.volunteer_pin) is the same with its own gate."""

    typed = StringProperty("")
    message = StringProperty("")
    title = StringProperty("")
    target = "staff"  # the screen the right PIN opens
    other = "volunteer_pin"  # the other keypad, one tap away

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.gate = self.make_gate()
        self._standing = ""
        self.ids.keypad.fill(DIGITS, self.type_digit, self.erase, self.submit)

    def make_gate(self):
        return App.get_running_app().services.staff.gate

    def heading(self) -> str:
        return _("Staff PIN")

    def other_label(self) -> str:
        return _("Volunteer")

    def prompt(self) -> str:
        return _("Type the staff PIN, then press Done.")

    def on_pre_enter(self, *_args) -> None:
        self.typed = ""
        self.title = self.heading()
        self._standing = self._standing_message()
        self.message = self._standing or self.prompt()

    def _standing_message(self) -> str:
        """Why the keypad cannot open anything now, or "" when it can."""
        if not self.gate.configured:
            return self.no_pin_message()
        return self._lockout_message()

    def no_pin_message(self) -> str:
        return _("No usable staff PIN is set on this kiosk. A technician must set a KIOSK_STAFF_PIN "
                 "that is hard to guess.")

    def _lockout_message(self) -> str:
        minutes = self.gate.minutes_left()
        if minutes > 90:
            return _("Too many wrong PINs. Try again in {hours} hours.").format(hours=math.ceil(minutes / 60))
        if minutes:
            return _("Too many wrong PINs. Try again in {minutes} minutes.").format(minutes=minutes)
        return ""

    def tick(self) -> None:
        """Count the lockout's minutes down, and say so when the keypad opens again."""
        standing = self._standing_message()
        if standing != self._standing:
            self.message = standing or self.prompt()
        self._standing = standing

    def type_digit(self, digit: str) -> None:
        if len(self.typed) < MAX_PIN_DIGITS:
            self.typed += digit

    def erase(self) -> None:
        self.typed = self.typed[:-1]

    def submit(self) -> None:
        typed, self.typed = self.typed, ""
        result = self.gate.check(typed)
        if result == "open":
            App.get_running_app().show(self.target)
        elif result == "wrong":
            self.message = _("Wrong PIN. {tries} tries left before the keypad locks.").format(tries=self.gate.tries_left)
        else:
            self._standing = self.message = self._standing_message()
