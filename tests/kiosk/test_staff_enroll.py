"""The technician screen's enrollment always answers in words: a missing CA file, a plain-http code,
a lost answer that a second tap recovers (the screen never stays busy)."""
from kiosk.config import KioskConfig
from kiosk.services import KioskServices
from kiosk.sync_problems import problem_text
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
    assert not lost.ok and lost.message == problem_text(Problem(Kind.BROKEN_OFF, proxy.url))
    assert again.ok and staff.services.credentials is not None
