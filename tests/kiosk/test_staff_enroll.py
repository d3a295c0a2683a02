"""The technician screen's enrollment always answers in words: a missing CA file, a plain-http code,
a lost answer that a second tap recovers (the screen never stays busy)."""
from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.services import KioskServices
from kiosk.sync_problems import RETRY_ENROLLMENT, problem_text
from sync.device import DeviceIdentity, save_device
from sync.enrollment_code import EnrollmentCode
from sync.problems import Kind, Problem
from tests.helpers import ScriptedProxy


def desk(tmp_path, **settings):
    return KioskServices(KioskConfig(data_dir=tmp_path / "kiosk", **settings)).staff


def test_a_missing_ca_file_is_said_and_the_screen_gets_its_answer(ward_server, tmp_path):
    missing = tmp_path / "ward-ca.pem"
    outcome = desk(tmp_path, server_ca_bundle=missing).enroll(f"{ward_server.url} {ward_server.enrollment_token()}")
    assert not outcome.ok and outcome.message == problem_text(Problem(Kind.CA_BUNDLE_UNREADABLE, str(missing)))


def test_a_plain_http_code_is_refused_in_words(tmp_path):
    code = EnrollmentCode("http://ward7.example.vn", "OhfmZE7zufrbQ2dMNKdvDkNtFBWxjsUC").text()
    outcome = desk(tmp_path).enroll(code)
    assert not outcome.ok and outcome.message == problem_text(Problem(Kind.INSECURE_URL, "http://ward7.example.vn"))


def test_a_lost_answer_is_said_and_the_same_code_then_enrolls(ward_server, tmp_path):
    proxy = ScriptedProxy(ward_server.port, ["drop_after"]).start()
    staff = desk(tmp_path)
    code = EnrollmentCode(proxy.url, ward_server.enrollment_token()).text()
    try:
        lost = staff.enroll(code)
        again = staff.enroll(code)
    finally:
        proxy.stop()
    assert not lost.ok and lost.message.startswith(problem_text(Problem(Kind.BROKEN_OFF, proxy.url)))
    assert lost.message.endswith(_(RETRY_ENROLLMENT))
    assert again.ok and staff.services.credentials is not None


def test_the_staff_screen_says_this_kiosk_is_a_copy_of_another(tmp_path):
    from tests.ui import find, run_kiosk, screen_name, shown_texts, tap

    config = KioskConfig(data_dir=tmp_path / "kiosk", staff_pin="2468")
    save_device(config.data_dir, DeviceIdentity("kiosk-0riginal", fingerprint="mac:the-original-board"))
    services = KioskServices(config, fingerprint=lambda: "mac:this-board")
    sentence = problem_text(Problem(Kind.COPIED_CARD))

    def script(app):
        tap(find(_("For volunteers")))
        yield 0.2
        for key in [*"2468", _("Done")]:
            tap(find(key))
            yield 0.05
        yield 0.3
        assert screen_name(app) == "staff"
        assert any(sentence in text for text in shown_texts()), shown_texts()

    run_kiosk(services, script)
