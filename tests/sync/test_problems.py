"""What goes wrong reaches the technician as a sentence saying what is wrong and what to do, not as
an exception's name, in the kiosk's language on the kiosk (all on loopback)."""
import pytest
from babel.messages.pofile import read_po

from kiosk.i18n import LOCALE_DIR
from kiosk.sync_problems import problem_text
from sync.client import ServerUnavailable, SetupProblem, SyncClient
from sync.problems import ENGLISH, Kind, Problem
from tests.harness import WardServer, free_port
from tests.helpers import ScriptedProxy
from tests.sync.factory import enroll_kiosk, make_records

EXCEPTION_NAMES = ("ConnectionError", "SSLError", "ReadTimeout", "Timeout", "Exception", "Errno")


@pytest.fixture(scope="module")
def ward(tmp_path_factory):
    """One SQLite ward for the module: these tests are about the kiosk's side, the server's run on both backends."""
    server = WardServer(f"sqlite:///{tmp_path_factory.mktemp('ward') / 'ward.sqlite3'}").start()
    yield server
    server.stop()


def failure(client: SyncClient) -> Problem:
    with pytest.raises((ServerUnavailable, SetupProblem)) as failed:
        client.send_batch(make_records(client.credentials.device_id, 1))
    sentence = failed.value.problem.sentence()
    assert not any(name in sentence for name in EXCEPTION_NAMES), sentence
    return failed.value.problem


FAULTS = [("delay", Kind.TIMEOUT), ("truncate", Kind.BROKEN_OFF), ("reset_before", Kind.BROKEN_OFF),
          ("status_500", Kind.SERVER_ERROR), ("status_503", Kind.SERVER_ERROR)]


@pytest.mark.parametrize("fault, kind", FAULTS)
def test_network_faults_are_said_in_plain_words(ward, tmp_path, fault, kind):
    kiosk = enroll_kiosk(ward, tmp_path, f"kiosk-words1{FAULTS.index((fault, kind)):02d}")
    proxy = ScriptedProxy(ward.port, [fault], delay_s=3.0).start()
    try:
        problem = failure(kiosk.client(proxy.url, timeout=2.0))  # the upstream call behind "truncate" fits in it
    finally:
        proxy.stop()
    assert problem.kind == kind and problem.subject == proxy.url


def test_a_server_that_is_not_there_cannot_be_reached_at_its_address(ward, tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    problem = failure(enroll_kiosk(ward, tmp_path, "kiosk-words002").client(url, timeout=1))
    assert problem.kind == Kind.UNREACHABLE
    assert problem.sentence() == f"The ward server cannot be reached at {url}: check the network or the address."


def test_a_missing_ca_bundle_is_a_setting_to_fix(ward, tmp_path):
    missing = tmp_path / "ward-ca.pem"
    problem = failure(enroll_kiosk(ward, tmp_path, "kiosk-words003").client(ca_bundle=missing))
    assert problem.kind == Kind.CA_BUNDLE_UNREADABLE and str(missing) in problem.sentence()


def test_every_problem_is_said_in_vietnamese_on_the_kiosk():
    with open(LOCALE_DIR / "vi" / "LC_MESSAGES" / "kiosk.po", "rb") as handle:
        vi = {m.id: m.string for m in read_po(handle, locale="vi") if m.id}
    for kind in Kind:
        assert vi.get(ENGLISH[kind]), f"no Vietnamese for {kind}"
        assert problem_text(Problem(kind, "https://ward7.example.vn")).strip()
