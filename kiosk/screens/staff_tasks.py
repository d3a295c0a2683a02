"""What the technician's screens share: long actions off the UI thread, and scanning a code.

Joining Wi-Fi, enrolling, the self-test, sending and writing to a stick each take seconds to a
minute, so ``StaffTaskScreen.in_background`` runs them on a thread of their own and hands the
answer back through the clock; an error nobody foresaw is logged and said, so a screen never
stays on "please wait". The camera comes from ``CodeScanning`` (the Wi-Fi and the enrollment
screens take different codes).
"""
import logging
import threading
from typing import Callable, TypeVar

from kivy.app import App
from kivy.clock import Clock

from kiosk.i18n import _
from kiosk.screens.code_scanning import CodeScanning
from kiosk.screens.staff_pin import StaffScreen
from kiosk.staff import Outcome

log = logging.getLogger(__name__)
Result = TypeVar("Result")


class StaffTaskScreen(CodeScanning, StaffScreen):
    """A staff screen with background actions and, when its .kv has a ``preview``, a camera."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.services = App.get_running_app().services

    def in_background(self, name: str, action: Callable[[], Result], done: Callable[[Result], None]) -> None:
        """Run ``action`` on a thread, then ``done(result)`` on the UI thread; an unforeseen error
        becomes a failed ``Outcome``."""
        def run() -> None:
            try:
                result = action()
            except Exception:
                log.exception("staff: %s failed", name)
                result = Outcome(False, _("This did not work; the kiosk's log says why. Try again, or tell a technician."))
            Clock.schedule_once(lambda _dt: done(result))

        threading.Thread(target=run, name=name, daemon=True).start()

    def keep_open(self) -> None:
        """A long action is running: the screen does not close as if left alone."""
        self._idle.touch()
