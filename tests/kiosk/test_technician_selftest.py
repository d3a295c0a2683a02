"""The technician's self-test, "Send now" and the support file, by touch on the running kiosk: each
check's verdict and fix on screen (fakes for the failing ones), a sync sent at once to a real ward
server on loopback, and a support file on a stick that holds no learner id, token or phone number."""
import zipfile

from kiosk.config import KioskConfig
from kiosk.doctor import run_checks
from kiosk.i18n import _
from kiosk.screens.staff_selftest import finding_text
from kiosk.services import KioskServices
from kiosk.staff import StaffDesk
from kiosk.sync_problems import problem_text
from sync.credentials import Credentials
from sync.health import health_path
from sync.problems import Kind, Problem
from sync.records import RecordDraft
from tests.helpers import BrokenMachine, enroll_kiosk
from tests.ui import (STAFF_PIN, assert_big_targets, assert_nothing_overlaps, find, held, open_staff, run_kiosk, shown,
                      shown_texts, tap, until)

LEARNER = "anon-5b2c9e41d0aa4c7f9e2b6a1d3c5e7f90"
JOURNAL = (f"2026-03-02T09:30:01+0700 kiosk[812]: INFO session: {LEARNER} started lesson 3\n"
           "2026-03-02T09:30:02+0700 kiosk[812]: WARNING sync: 401 for Authorization: Bearer {secret}\n"
           "2026-03-02T09:30:05+0700 kiosk[812]: INFO drill: typed 0912 345 678\n"
           "2026-03-02T09:30:07+0700 kiosk[812]: ERROR outbox: mmc0: timeout waiting for hardware interrupt\n")


def kiosk(config: KioskConfig, **desk) -> KioskServices:
    services = KioskServices(config.model_copy(update={"staff_pin": STAFF_PIN}))
    services.staff = StaffDesk(services, **desk)
    return services


def test_the_self_test_shows_every_check_with_its_fix_and_writes_the_support_file(enrolled_config, tmp_path,
                                                                                   monkeypatch):
    settings = tmp_path / "kiosk.toml"
    settings.write_text('staff_pin = "2468"\nlanguage = "vi"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(settings))
    usb = tmp_path / "usb"
    usb.mkdir()
    secret = Credentials.load(enrolled_config.credentials_file).secret
    journal = JOURNAL.replace("{secret}", secret)
    services = kiosk(enrolled_config.model_copy(update={"usb_export_dir": usb}), machine=BrokenMachine(),
                     commands=lambda argv: journal if argv[0] == "journalctl" else None)
    expected = [finding_text(finding) for finding in run_checks(services.config, BrokenMachine())
                if finding.check not in ("records", "set_aside", "storage")]  # the running kiosk, free space: they change

    def script(app):
        services.begin_session()
        services.end_session("left")
        yield from open_staff(app)
        checking = held(services.staff, "self_test")
        tap(find(_("Self-test")))
        yield 0.1
        assert shown(_("Checking the kiosk, please wait (about half a minute)…"))
        checking.release()
        screen = app.root.get_screen("staff_selftest")
        yield from until(lambda: screen.phase == "results" and screen.ids.findings.children)
        assert shown(_("This kiosk needs attention before it is used."))
        assert screen.ids.findings.children[-1].text.startswith(_("Fix") + ": "), "what needs fixing comes first"
        seen = []
        for page in range(screen.pages):
            yield 0.2
            assert_big_targets()
            assert_nothing_overlaps()
            seen += [label.text for label in screen.ids.findings.children]
            if page + 1 < screen.pages:
                tap(find(_("Next page")))
        assert screen.pages > 1
        for text in expected:
            assert text in seen, f"{text!r} is not on any page"
        statuses = [finding.status for finding in screen.findings]
        assert statuses == sorted(statuses, key=["fail", "warn", "skip", "ok"].index), "what needs fixing comes first"
        assert _("What to do: {fix}").format(fix=_("Use the official Raspberry Pi power supply and its own short cable, "
                                                   "not a phone charger: a weak supply damages the SD card.")) in "\n".join(seen)
        tap(find(_("Support file to USB")))
        yield from until(lambda: screen.phase == "results" and screen.message)
        [bundle] = usb.glob("bdhvs-support-*.zip")
        assert shown(_("The support file {name} is on the USB stick. Give it to the ward's technician.").format(
            name=bundle.name))
        with zipfile.ZipFile(bundle) as archive:
            files = {name: archive.read(name).decode() for name in archive.namelist()}
        everything = "\n".join(files.values())
        assert "mmc0: timeout waiting for hardware interrupt" in files["kiosk-journal-this-boot.txt"]
        assert '"check": "power"' in files["doctor.json"] and "language" in files["settings.toml"]
        for personal in (LEARNER, secret, "0912 345 678", "2468", services.credentials.bundle_key):
            assert personal not in everything
        tap(find(_("Previous page")))
        yield 0.2
        assert not screen.message and screen.page == screen.pages - 2

    run_kiosk(services, script)


def test_send_now_sends_at_once_and_says_when_the_ward_cannot_be_reached(kiosk_config, ward_server):
    enroll_kiosk(kiosk_config, ward_server)
    services = kiosk(kiosk_config.model_copy(update={"sync_interval_s": 3600}))
    home = lambda app: app.root.get_screen("staff")  # noqa: E731

    def queue_quietly() -> None:
        """A record in the outbox without waking sync: left alone it would wait an hour."""
        device = services.device
        services.outbox.append(RecordDraft(type="session_started", payload={}, device_id=device.device_id,
                                           venue_id=device.venue_id))

    sending = held(services.staff, "send_now")

    def send_now(app):
        tap(find(_("Send now")))
        yield 0.05
        assert shown(_("Sending the results to the ward, please wait…"))
        sending.release()
        yield from until(lambda: home(app).phase == "home")

    def script(app):
        yield from open_staff(app)
        # Once its first round is over, sync next sends in an hour, or when a lesson's record wakes it.
        yield from until(lambda: health_path(kiosk_config.data_dir).exists())
        for _record in range(3):
            queue_quietly()
        yield 0.5
        assert ward_server.record_count() == 0
        yield from send_now(app)
        assert shown(_("Everything has been sent to the ward.")) and not home(app).failed
        assert ward_server.record_count() == 3
        assert_nothing_overlaps()

        ward_server.stop()
        queue_quietly()
        yield from send_now(app)
        assert home(app).failed
        assert shown(problem_text(Problem(Kind.UNREACHABLE, ward_server.url))), shown_texts()
        ward_server.start()
        yield from send_now(app)
        assert shown(_("Everything has been sent to the ward.")), home(app).message
        assert ward_server.record_count() == 4

    run_kiosk(services, script)


def test_send_now_before_enrolling_says_to_enroll(kiosk_config):
    services = KioskServices(kiosk_config)
    assert services.staff.send_now().message == _("This kiosk is not enrolled yet: enroll it first, then send.")
    services.stop()
