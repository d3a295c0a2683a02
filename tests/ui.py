"""Driving the real kiosk app with touch events, for UI tests and ``make screenshots``.

A script is a generator that gets the running app, taps widgets and yields how many seconds to let
the app run before it goes on (frames render and the clock ticks in between). Any exception in the
script stops the app and is raised again from ``run_kiosk``.
"""
import os
from typing import Callable, Generator, Iterable

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_DPI", "133")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")  # narration plays into no sound card

from kivy.config import Config  # noqa: E402

Config.set("graphics", "width", os.environ.get("KIOSK_TEST_WIDTH", "800"))
Config.set("graphics", "height", os.environ.get("KIOSK_TEST_HEIGHT", "480"))
Config.set("input", "mouse", "mouse,disable_multitouch")

from kivy.clock import Clock  # noqa: E402
from kivy.core.window import Window  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402
from kivy.uix.label import Label  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402

from kiosk.app import KioskApp  # noqa: E402
from kiosk.services import KioskServices  # noqa: E402

Script = Callable[[KioskApp], Generator[float, None, None]]


def run_kiosk(services: KioskServices, script: Script, timeout_s: float = 90) -> None:
    """Run the kiosk app with ``script`` driving it; stop when the script ends."""
    app = KioskApp(services)
    errors: list[BaseException] = []
    steps = None
    first_frame = Clock.frames

    def step(_dt: float) -> None:
        nonlocal steps
        if steps is None and (app.root is None or Clock.frames - first_frame < 3):
            Clock.schedule_once(step, 0.1)  # touch only once the first screen has been laid out and drawn
            return
        try:
            steps = steps or script(app)
            delay = next(steps)
        except StopIteration:
            app.stop()
            return
        except BaseException as exc:  # noqa: BLE001 - handed back to the test below
            errors.append(exc)
            app.stop()
            return
        Clock.schedule_once(step, delay)

    def give_up(_dt: float) -> None:
        errors.append(TimeoutError(f"the UI script did not finish within {timeout_s} s"))
        app.stop()

    Clock.schedule_once(step, 0.3)
    watchdog = Clock.schedule_once(give_up, timeout_s)
    try:
        app.run()
    finally:
        watchdog.cancel()
        for leftover in list(Window.children):  # a failed script must not leave its screens to the next test
            Window.remove_widget(leftover)
    if errors:
        raise errors[0]


def everything() -> Iterable[Widget]:
    """Every widget in the window, modal views included."""
    for child in Window.children:
        yield from child.walk(restrict=True)


def find(text: str | None = None, **attributes) -> Widget:
    """The one visible, enabled label or button showing ``text`` (and having ``attributes``)."""
    found = [w for w in everything() if isinstance(w, Label)
             and (text is None or w.text == text)
             and all(getattr(w, name, None) == value for name, value in attributes.items())
             and not getattr(w, "disabled", False) and w.opacity > 0]
    if len(found) != 1:
        raise LookupError(f"expected one widget with text={text!r} {attributes}, found {len(found)}; "
                          f"shown: {shown_texts()}")
    return found[0]


def shown_texts() -> list[str]:
    """The text of every label and button that can be seen now."""
    return [w.text for w in everything() if isinstance(w, Label) and w.opacity > 0 and w.text]


def tap(widget: Widget) -> None:
    """A finger down and up on the middle of ``widget``, through Kivy's input pipeline."""
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    touch.touch_up()


def screen_name(app: KioskApp) -> str:
    return app.root.current
