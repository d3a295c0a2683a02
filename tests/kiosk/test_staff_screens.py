"""The staff entrance on the real app, by touch: PIN and lockout, enrolling by typing and by camera,
USB export accepted by the ward, volunteer mode, and the staff screen closing when left alone."""
import time

import segno
from kivy.metrics import mm
from kivy.uix.behaviors import ButtonBehavior

from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.services import KioskServices
from sync.credentials import Credentials
from sync.enrollment_code import EnrollmentCode
from sync.server.bundles import import_bundle
from tests.helpers import enroll_kiosk
from tests.ui import everything, find, run_kiosk, screen_name, shown_texts, tap

PIN = "2468"


def kiosk(config: KioskConfig, **changes) -> KioskServices:
    return KioskServices(config.model_copy(update={"staff_pin": PIN, **changes}))


def type_pin(pin: str):
    for digit in pin:
        tap(find(digit))
        yield 0.05
    tap(find(_("Done")))
    yield 0.2


def open_staff(app, pin: str = PIN):
    tap(find(_("For volunteers")))
    yield 0.2
    assert screen_name(app) == "staff_pin"
    yield from type_pin(pin)


def until(condition, timeout_s: float = 20):
    """Let the app run until ``condition()`` holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"still waiting; shown: {shown_texts()}"
        yield 0.1


def assert_big_targets() -> None:
    """DESIGN.md: every button a finger can reach is at least 20 mm and inside the 800×480 window."""
    from kivy.core.window import Window

    for widget in everything():
        if isinstance(widget, ButtonBehavior) and not widget.disabled and widget.opacity > 0 and widget.x > -1000:
            x, y = widget.to_window(widget.x, widget.y)
            assert min(widget.size) >= mm(20) - 0.5, f"{widget.text!r} is {min(widget.size) / mm(1):.1f} mm"
            assert -1 <= x and x + widget.width <= Window.width + 1 and -1 <= y and y + widget.height <= Window.height + 1, \
                f"{widget.text!r} reaches outside the screen"


def shown(message: str) -> bool:
    return any(message in text for text in shown_texts())


def test_without_a_pin_setting_the_staff_screen_stays_closed(kiosk_config):
    services = KioskServices(kiosk_config)

    def script(app):
        yield from open_staff(app, "0000")
        assert screen_name(app) == "staff_pin"
        assert shown(_("No staff PIN is set on this kiosk. A technician must set KIOSK_STAFF_PIN first."))

    run_kiosk(services, script)


def test_five_wrong_pins_lock_the_keypad_then_the_right_pin_waits(kiosk_config):
    services = kiosk(kiosk_config)

    def script(app):
        yield from open_staff(app, "1111")
        assert shown(_("Wrong PIN. {tries} tries left before the keypad locks.").format(tries=4))
        for _try in range(4):
            yield from type_pin("1111")
        locked = _("Too many wrong PINs. Try again in {minutes} minutes.").format(minutes=5)
        assert shown(locked)
        yield from type_pin(PIN)
        assert screen_name(app) == "staff_pin" and shown(locked)
        assert_big_targets()

    run_kiosk(services, script)


def test_the_right_pin_opens_the_staff_screen_and_back_asks_for_it_again(kiosk_config):
    services = kiosk(kiosk_config)

    def script(app):
        yield from open_staff(app)
        assert screen_name(app) == "staff"
        assert shown(services.device.device_id) and shown(_("Not enrolled yet"))
        assert services.session is None, "the staff screens open no learner session"
        assert_big_targets()
        tap(find(_("Back to the start")))
        yield 0.2
        assert screen_name(app) == "welcome" and app.root.screen_names == ["welcome"]

    run_kiosk(services, script)


def test_volunteer_mode_and_the_staff_screen_closing_when_left_alone(kiosk_config):
    services = kiosk(kiosk_config, idle_prompt_s=1, idle_countdown_s=1)

    def script(app):
        yield from open_staff(app)
        tap(find(_("Volunteer mode: off")))
        yield 0.2
        assert not services.idle.enabled and find(_("Volunteer mode: on"))
        assert shown(_("Volunteer mode is on: learners are not sent back to the start after inactivity."))
        yield 2.5
        assert screen_name(app) == "welcome" and app.root.screen_names == ["welcome"], \
            "a staff screen is never left open for the next learner, in volunteer mode too"
        assert not services.idle.enabled

    run_kiosk(services, script)


def test_typing_the_code_enrolls_and_records_then_reach_the_ward(kiosk_config, ward_server):
    services = kiosk(kiosk_config)
    token = ward_server.enrollment_token("Cà phê Luka")

    def type_and_enroll(app, text):
        tap(find(_("Type the code")))
        yield 0.2
        app.root.get_screen("staff").ids.code.insert_text(text)
        tap(find(_("Enroll")))
        yield 0.2

    def script(app):
        services.begin_session()
        services.end_session("left")
        yield from open_staff(app)
        yield from type_and_enroll(app, f"{ward_server.url} {token}")
        yield from until(lambda: services.credentials is not None)
        assert shown(_("Enrolled at {venue}. Results will now be sent to the ward.").format(venue="Cà phê Luka"))
        assert Credentials.load(kiosk_config.credentials_file) == services.credentials
        assert kiosk_config.credentials_file.stat().st_mode & 0o777 == 0o600
        assert services.device.venue_id == services.credentials.venue_id != "unassigned"
        yield from until(lambda: ward_server.record_count() == 2)
        yield from type_and_enroll(app, f"{ward_server.url} {token}")  # the same code again: used
        yield from until(lambda: app.root.get_screen("staff").phase == "home")
        assert shown(_("The ward server refused this code: it has expired or was already used, or this kiosk is "
                       "still enrolled. Ask the ward for a new code."))
        assert "Máy chủ của phường không nhận mã này" in app.root.get_screen("staff").message

    run_kiosk(services, script)


def test_scanning_the_enrollment_qr_code_enrolls(kiosk_config, ward_server, tmp_path):
    code = EnrollmentCode(ward_server.url, ward_server.enrollment_token("Cà phê Luka"), "Cà phê Luka")
    folder = tmp_path / "camera"
    folder.mkdir()
    segno.make(code.text(), error="m").save(str(folder / "enroll.png"), scale=6, border=4)
    services = kiosk(kiosk_config, camera=f"replay:{folder}")

    def script(app):
        yield from open_staff(app)
        tap(find(_("Scan the enrollment code")))
        yield 0.2
        yield from until(lambda: services.credentials is not None)
        yield from until(lambda: app.root.get_screen("staff").phase == "home")
        assert shown(_("Enrolled at {venue}. Results will now be sent to the ward.").format(venue="Cà phê Luka"))
        assert services.sync.client is not None

    run_kiosk(services, script)


def test_usb_export_is_accepted_by_the_ward_and_its_receipt_acks_the_records(kiosk_config, ward_server, tmp_path):
    enroll_kiosk(kiosk_config, ward_server)
    offline = Credentials.load(kiosk_config.credentials_file).model_copy(update={"server_url": "http://127.0.0.1:9"})
    offline.save(kiosk_config.credentials_file)  # a venue without a network
    usb = tmp_path / "usb"
    services = kiosk(kiosk_config, usb_export_dir=usb)

    def script(app):
        services.begin_session()
        services.end_session("left")
        yield from open_staff(app)
        tap(find(_("Export to USB")))
        yield 0.3
        assert shown(_("Wrote {count} results to {folder}. Take the stick to the ward, then bring back its "
                       "receipt.").format(count=2, folder=usb))
        [bundle] = usb.glob("*.bundle.json")
        with ward_server.sessions() as session:
            import_bundle(session, bundle)
        assert ward_server.record_count() == 2
        assert services.outbox.stats().pending == 2
        tap(find(_("Export to USB")))
        yield 0.3
        assert services.outbox.stats().pending == 0
        assert shown(_("The ward's receipt settled {count} results.").format(count=2) + "\n"
                     + _("Nothing is waiting to be sent."))

    run_kiosk(services, script)
