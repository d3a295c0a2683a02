"""The staff entrance on the real app, by touch: PIN and lockout, enrolling by typing and by camera,
USB export accepted by the ward, volunteer mode, and the staff screen closing when left alone."""
import json
import threading
import time

import segno
from kivy.uix.progressbar import ProgressBar

from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.pin_gate import STATE_FILE
from kiosk.services import KioskServices
from kiosk.staff import grouped
from sync.bundle import read_bundle
from sync.credentials import Credentials
from sync.enrollment_code import EnrollmentCode
from sync.server.bundles import import_bundle
from tests.helpers import enroll_kiosk, write_pending_segments
from tests.sync.factory import make_records
from tests.ui import (STAFF_PIN, assert_big_targets, assert_nothing_overlaps, everything, find, open_staff, run_kiosk,
                      screen_name, shown, tap, type_pin, until)

PIN = STAFF_PIN


def kiosk(config: KioskConfig, **changes) -> KioskServices:
    return KioskServices(config.model_copy(update={"staff_pin": PIN, **changes}))


def test_without_a_pin_setting_the_staff_screen_stays_closed(kiosk_config):
    services = KioskServices(kiosk_config)

    def script(app):
        yield from open_staff(app, "0000")
        assert screen_name(app) == "staff_pin"
        assert shown(_("No usable staff PIN is set on this kiosk. A technician must set a KIOSK_STAFF_PIN "
                     "that is hard to guess."))

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
        assert_nothing_overlaps()
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
        yield from until(lambda: screen_name(app) == "welcome", timeout_s=10)
        assert app.root.screen_names == ["welcome"], \
            "a staff screen is never left open for the next learner, in volunteer mode too"
        assert not services.idle.enabled

    run_kiosk(services, script)


def test_typing_the_code_enrolls_and_records_then_reach_the_ward(kiosk_config, ward_server):
    services = kiosk(kiosk_config)
    token = ward_server.enrollment_token("Cà phê Luka")

    def type_and_enroll(app, text):
        tap(find(_("Enroll")))
        yield 0.2
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
        yield from until(lambda: shown(_("Enrolled at {venue}. Results will now be sent to the ward.").format(
            venue="Cà phê Luka")))
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
        tap(find(_("Enroll")))
        yield 0.2
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
    screen = lambda app: app.root.get_screen("staff")  # noqa: E731

    def script(app):
        services.begin_session()
        services.end_session("left")
        yield from open_staff(app)
        tap(find(_("Export to USB")))
        yield from until(lambda: screen(app).phase == "home")
        assert shown(_("Wrote {count} results to {folder}. Take the stick to the ward, then bring back its "
                       "receipt.").format(count=2, folder=usb))
        [bundle] = usb.glob("*.bundle.json")
        with ward_server.sessions() as session:
            import_bundle(session, bundle, ward_server.bundle_keys)
        assert ward_server.record_count() == 2
        assert services.outbox.stats().pending == 2
        tap(find(_("Export to USB")))
        yield from until(lambda: screen(app).phase == "home")
        assert services.outbox.stats().pending == 0
        assert shown(_("The ward's receipt settled {count} results.").format(count=2) + "\n"
                     + _("Nothing is waiting to be sent."))

    run_kiosk(services, script)


def test_a_long_export_shows_its_progress_while_the_kiosk_goes_on(kiosk_config, tmp_path):
    """The stick is slow: the export waits after its first batch, and the screen must say how far it got,
    keep drawing and let records be stored, then come back with the answer."""
    credentials = Credentials(server_url="https://ward.example", device_id="kiosk-usb00001", secret="s" * 43,
                              venue_id="ca-phe-luka", name="Cà phê Luka", bundle_key="7a" * 32)
    credentials.save(kiosk_config.credentials_file)
    write_pending_segments(kiosk_config.outbox_dir, make_records("kiosk-usb00001", 1200))
    usb = tmp_path / "usb"
    services = kiosk(kiosk_config, usb_export_dir=usb)
    stick_ready = threading.Event()
    whole_queue = services.outbox.iter_pending

    def slow_stick(batch: int = 500):
        for number, records in enumerate(whole_queue(batch)):
            yield records
            if number == 0:
                stick_ready.wait(20)

    services.outbox.iter_pending = slow_stick

    def script(app):
        yield from open_staff(app)
        tap(find(_("Export to USB")))
        writing = _("Writing to the USB stick… {done}/{total}").format(done=500, total="1.200")
        yield from until(lambda: shown(writing))
        bar = next(w for w in everything() if isinstance(w, ProgressBar))
        assert (bar.value, bar.max) == (500, 1200) and bar.opacity == 1
        assert_nothing_overlaps()
        started = time.monotonic()
        services.begin_session()  # a learner walks up while the stick is written: records are stored
        services.end_session("left")
        assert time.monotonic() - started < 5 and services.outbox.stats().pending == 1202  # the stick holds on for 20 s
        yield 0.3
        assert shown(writing), "the screen stays on the export until it is done"
        stick_ready.set()
        yield from until(lambda: app.root.get_screen("staff").phase == "home")
        [bundle] = usb.glob("*.bundle.json")
        count = len(read_bundle(bundle, lambda device: credentials.bundle_key).records)
        assert count in (1200, 1202) and shown(_("Wrote {count} results to {folder}. Take the stick to the ward, "
                                                  "then bring back its receipt.").format(count=grouped(count), folder=usb))
        assert_big_targets()

    run_kiosk(services, script)


def test_the_staff_screen_says_what_was_set_aside_and_refused(kiosk_config):
    records = make_records("kiosk-usb00001", 10)
    write_pending_segments(kiosk_config.outbox_dir, records, damaged={3, 4, 5})
    services = kiosk(kiosk_config)
    services.outbox.quarantine([records[0].id], "the ward refused it")

    def script(app):
        yield from open_staff(app)
        assert shown(_("{count} results are set aside because the memory card is damaged.").format(count=3))
        assert shown(_("{count} results were refused by the ward.").format(count=1))
        assert_big_targets()
        assert_nothing_overlaps()

    run_kiosk(services, script)


def test_an_export_that_fails_unforeseen_comes_back_with_a_message(kiosk_config, tmp_path):
    Credentials(server_url="https://ward.example", device_id="kiosk-usb00001", secret="s" * 43, venue_id="ca-phe-luka",
                name="Cà phê Luka", bundle_key="7a" * 32).save(kiosk_config.credentials_file)
    services = kiosk(kiosk_config, usb_export_dir=tmp_path / "usb")
    services.begin_session()

    def broken_card(batch: int = 500):
        raise RuntimeError("the memory card stopped answering")
        yield

    services.outbox.iter_pending = broken_card

    def script(app):
        yield from open_staff(app)
        tap(find(_("Export to USB")))
        yield from until(lambda: app.root.get_screen("staff").phase == "home")
        assert shown(_("This did not work; the kiosk's log says why. Try again, or tell a technician."))
        assert list((tmp_path / "usb").iterdir()) == [], "no half-written file is left on the stick"

    run_kiosk(services, script)


def test_a_lockout_from_before_a_restart_still_holds_and_says_hours(kiosk_config):
    kiosk_config.data_dir.mkdir(parents=True)
    (kiosk_config.data_dir / STATE_FILE).write_text(
        json.dumps({"wrong": 0, "lockouts": 4, "locked_until": time.time() + 4 * 3600 - 60}))
    services = kiosk(kiosk_config)

    def script(app):
        yield from open_staff(app)
        assert screen_name(app) == "staff_pin"
        assert shown(_("Too many wrong PINs. Try again in {hours} hours.").format(hours=4))

    run_kiosk(services, script)
