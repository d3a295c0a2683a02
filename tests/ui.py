"""Driving the real kiosk app with touch events, for UI tests and ``make screenshots``.

A script is a generator that gets the running app, taps widgets and yields how many seconds to let
the app run before it goes on (frames render and the clock ticks in between). Any exception in the
script stops the app and is raised again from ``run_kiosk``.
"""
import os
import threading
import time
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
from kivy.metrics import mm  # noqa: E402
from kivy.tests.common import UnitTestTouch  # noqa: E402
from kivy.uix.behaviors import ButtonBehavior  # noqa: E402
from kivy.uix.label import Label  # noqa: E402
from kivy.uix.widget import Widget  # noqa: E402

from kiosk.app import KioskApp  # noqa: E402
from kiosk.i18n import _  # noqa: E402
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


# The staff screens

STAFF_PIN = "2468"
VOLUNTEER_PIN = "3579"


def type_pin(pin: str):
    """Tap ``pin`` on the staff PIN keypad, then Done."""
    for digit in pin:
        tap(find(digit))
        yield 0.05
    tap(find(_("Done")))
    yield 0.2


def open_staff(app, pin: str = STAFF_PIN):
    """From the welcome screen through the staff PIN."""
    tap(find(_("For volunteers")))
    yield 0.2
    assert screen_name(app) == "staff_pin"
    yield from type_pin(pin)


def until(condition, timeout_s: float = 20):
    """Let the app run until ``condition()`` holds, then one frame more: a panel that has just moved
    into view is laid out before a finger taps what it shows."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"still waiting; shown: {shown_texts()}"
        yield 0.1
    yield 0.1


def held(owner: object, name: str) -> threading.Semaphore:
    """Make each call of ``owner.name`` wait for one ``release()`` of the returned gate: a background action
    on a fast machine may end within a frame, so a test that checks its "please wait" holds it open."""
    gate, action = threading.Semaphore(0), getattr(owner, name)

    def when_released(*args, **kwargs):
        gate.acquire(timeout=20)
        return action(*args, **kwargs)

    setattr(owner, name, when_released)
    return gate


def assert_big_targets() -> None:
    """DESIGN.md: every button a finger can reach is at least 20 mm and inside the 800×480 window."""
    for widget in everything():
        if isinstance(widget, ButtonBehavior) and not widget.disabled and widget.opacity > 0 and widget.x > -1000:
            x, y = widget.to_window(widget.x, widget.y)
            assert min(widget.size) >= mm(20) - 0.5, f"{widget.text!r} is {min(widget.size) / mm(1):.1f} mm"
            assert -1 <= x and x + widget.width <= Window.width + 1 and -1 <= y and y + widget.height <= Window.height + 1, \
                f"{widget.text!r} reaches outside the screen"


def assert_nothing_overlaps() -> None:
    """No text shown on screen runs into another (a column of lines too tall for 800×480 would)."""
    boxes = []
    for widget in everything():
        if isinstance(widget, Label) and widget.text.strip() and widget.opacity > 0 and widget.x > -1000:
            x, y = widget.to_window(widget.x, widget.y)
            boxes.append((widget.text, x, y, x + widget.width, y + widget.height))
    for index, (text, left, bottom, right, top) in enumerate(boxes):
        assert bottom >= -1, f"{text!r} runs off the screen"
        for other, left2, bottom2, right2, top2 in boxes[index + 1:]:
            assert min(right, right2) - max(left, left2) <= 1 or min(top, top2) - max(bottom, bottom2) <= 1, \
                f"{text!r} runs into {other!r}"


def shown(message: str) -> bool:
    return any(message in text for text in shown_texts())


def type_card_code(code: str):
    """Tap a learner card's short code (``7MCZ-76P7-K61``) on the card entrance's keypad, turning to each key's
    page first when it is not the one shown (the strong blue page key)."""
    from kiosk.card_entry import PAGES

    for char in code.replace("-", "").upper():
        page = find(next(page for page, keys in PAGES.items() if char in keys))
        if not page.primary:
            tap(page)
            yield 0.05
        tap(find(char))
        yield 0.05


TOUR_NETWORKS = "Cà phê Luka:82:WPA2\nNhà văn hoá khu phố 3:48:WPA2\nThư viện phường:20:\n"


CARD_ENTRANCE = _("Have a learner card?") + "\n\n" + _("Scan it or type its code")


def volunteer_tour(app, services, look: Callable[[str], Generator[float, None, None]]):
    """From the welcome screen through the learner card entrance (scanning a code that is not a learner card,
    the keypad, a mistyped code), then the volunteer PIN and the volunteer screen's phases (a class with a
    demonstration run, typing a card's code, the class's summary), back to the welcome screen."""
    from kiosk.card_entry import CODE_LENGTH

    tap(find(CARD_ENTRANCE))
    yield 0.6  # the camera's first pictures are decoded
    yield from look("card-entry-scan")
    tap(find(_("Type the card's code")))
    yield 0.2
    yield from type_card_code("7MCZ-76P")
    yield from look("card-entry-keypad")
    yield from type_card_code("7" * (CODE_LENGTH - 7))  # the check character is wrong
    yield from look("card-entry-wrong-code")
    tap(find(_("Back")))
    yield 0.2
    tap(find(_("For volunteers")))
    yield 0.2
    tap(find(_("Volunteer")))
    yield 0.2
    yield from look("volunteer-pin")
    yield from type_pin(VOLUNTEER_PIN)
    yield from look("volunteer")
    tap(find(_("Start a class")))
    services.begin_session(demo=True)
    yield 0.6  # the live view refreshes twice a second
    yield from look("volunteer-class")
    tap(find(_("Type a card code")))
    yield 0.2
    yield from look("volunteer-type-card")
    tap(find(_("Back")))
    yield 0.2
    tap(find(_("End the class")))
    yield 0.2
    yield from look("volunteer-class-ended")
    tap(find(_("Back to the start")))
    yield 0.2


def technician_tour(app, services, look: Callable[[str], Generator[float, None, None]]):
    """From the staff screen through every technician screen and back to it, with ``look(name)`` on
    each (the accessibility walk measures, ``make screenshots`` saves). NetworkManager refuses the
    password and the machine has every fault (``tests.helpers``), so the answers are shown too."""
    from kiosk.staff import StaffDesk
    from tests.helpers import WRONG_PASSWORD, BrokenMachine, FakeNmcli

    services.staff = StaffDesk(services, nmcli=FakeNmcli(4, stderr=WRONG_PASSWORD, networks=TOUR_NETWORKS),
                               machine=BrokenMachine(), commands=lambda argv: None)
    tap(find(_("Enroll")))
    yield 0.2
    yield from look("staff-enroll")
    tap(find(_("Type the code")))
    yield 0.2
    yield from look("staff-enroll-type")
    tap(find(_("Cancel")))
    yield 0.2
    tap(find(_("Wi-Fi")))
    yield 0.2
    yield from look("staff-wifi")
    wifi = app.root.get_screen("staff_wifi")
    tap(find(_("Choose a network")))
    yield from until(lambda: wifi.phase == "list")
    yield 0.2  # the networks' buttons are laid out
    yield from look("staff-wifi-networks")
    tap(find("Cà phê Luka\n" + _("strong signal")))
    yield 0.2
    yield from look("staff-wifi-password")
    wifi.ids.password.insert_text("matkhau123")
    tap(find(_("Connect")))
    yield from until(lambda: wifi.phase == "home")
    yield from look("staff-wifi-wrong-password")
    tap(find(_("Back")))
    yield 0.2
    checking = held(services.staff, "self_test")
    tap(find(_("Self-test")))
    yield 0.1
    yield from look("staff-selftest-running")
    checking.release()
    selftest = app.root.get_screen("staff_selftest")
    yield from until(lambda: selftest.phase == "results" and selftest.ids.findings.children)
    for page in range(1, selftest.pages + 1):
        yield from look(f"staff-selftest-page-{page}")
        if page < selftest.pages:
            tap(find(_("Next page")))
            yield 0.2
    tap(find(_("Support file to USB")))
    yield from until(lambda: selftest.phase == "results" and selftest.message)
    yield from look("staff-selftest-support-file")
    tap(find(_("Back")))
    yield 0.2
    tap(find(_("Send now")))
    yield from until(lambda: app.root.get_screen("staff").phase == "home")
    yield from look("staff-send-now")


def queued_records(services) -> list:
    """The records the kiosk queued, read from its outbox folder once the app has stopped (stopping
    releases the folder to its next owner)."""
    from sync.outbox import Outbox

    outbox = Outbox(services.config.outbox_dir)
    try:
        return outbox.pending(limit=10_000)
    finally:
        outbox.close()
