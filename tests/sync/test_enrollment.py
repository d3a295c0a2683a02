"""Enrollment is safe to retry: a lost, cut or late answer never locks a kiosk out (all on loopback)."""
import json
import stat
from pathlib import Path

import pytest

from kiosk import sync_cli
from kiosk.i18n import _
from kiosk.sync_problems import RETRY_ENROLLMENT, problem_text
from sync.client import ServerUnavailable, SetupProblem, SyncClient, push_pending
from sync.credentials import Credentials, secret_digest
from sync.device import PENDING_ENROLLMENT_FILE, load_device
from sync.enrollment import enroll_kiosk
from sync.enrollment_code import EnrollmentCode, InsecureServerUrl, parse_enrollment_code
from sync.outbox import Outbox
from sync.problems import Kind, Problem
from sync.server.db import Device
from tests.faultproxy import FaultProxy
from tests.harness import WardServer
from tests.helpers import ScriptedProxy
from tests.sync.factory import make_draft

TIMEOUT_S = 2.0  # a real enrollment through the proxy fits well within it on a loaded machine


@pytest.fixture(scope="module")
def ward(tmp_path_factory):
    """One SQLite ward for the module: these tests are about the kiosk's side, the server's run on both backends."""
    server = WardServer(f"sqlite:///{tmp_path_factory.mktemp('ward') / 'ward.sqlite3'}").start()
    yield server
    server.stop()


def enroll_through(proxy_url: str, token: str, data_dir: Path, tries: int = 12):
    """Enroll as a technician would: try again with the same code until it works; returns (enrolled, tries)."""
    for attempt in range(1, tries + 1):
        try:
            return enroll_kiosk(data_dir, EnrollmentCode(proxy_url, token), data_dir / "enrollment.json",
                                timeout=TIMEOUT_S), attempt
        except ServerUnavailable:
            continue
    raise AssertionError(f"not enrolled after {tries} tries")


@pytest.mark.parametrize("fault", ["drop_after", "truncate", "delay", "reset_after", "status_500"])
def test_an_answer_lost_after_the_server_spent_the_code_is_fetched_again(ward, tmp_path, fault):
    proxy = ScriptedProxy(ward.port, [fault], delay_s=TIMEOUT_S * 1.5).start()
    token = ward.enrollment_token()
    try:
        with pytest.raises(ServerUnavailable):
            enroll_kiosk(tmp_path, EnrollmentCode(proxy.url, token), tmp_path / "enrollment.json", timeout=TIMEOUT_S)
        pending = json.loads((tmp_path / PENDING_ENROLLMENT_FILE).read_text())
        assert stat.S_IMODE((tmp_path / PENDING_ENROLLMENT_FILE).stat().st_mode) == 0o600
        with ward.sessions() as session:  # the first try did reach the server
            assert session.get(Device, pending["device_id"]).secret_hash == secret_digest(pending["secret"])
        enrolled = enroll_kiosk(tmp_path, EnrollmentCode(proxy.url, token), tmp_path / "enrollment.json",
                                timeout=TIMEOUT_S)
    finally:
        proxy.stop()
    assert enrolled.credentials.secret == pending["secret"] and len(enrolled.credentials.bundle_key) == 64
    assert Credentials.load(tmp_path / "enrollment.json") == enrolled.credentials
    assert not (tmp_path / PENDING_ENROLLMENT_FILE).exists()
    assert load_device(tmp_path).venue_id == enrolled.credentials.venue_id != "unassigned"
    outbox = Outbox(tmp_path / "outbox")
    outbox.append(make_draft(enrolled.device.device_id))
    assert push_pending(outbox, SyncClient(enrolled.credentials.model_copy(update={"server_url": ward.url})))\
        .accepted == 1


def test_twenty_enrollments_through_a_flaky_link_all_succeed(ward, tmp_path):
    proxy = FaultProxy(ward.port, fault_rate=0.5, delay_s=TIMEOUT_S * 1.5, seed=9).start()
    try:
        results = [enroll_through(proxy.url, ward.enrollment_token(), tmp_path / f"kiosk{i:02d}")
                   for i in range(20)]
    finally:
        proxy.stop()
    print(f"\n20 enrollments through a 50 % faulty link: {sum(t for _, t in results)} tries; {dict(proxy.counts)}")
    assert any(tries > 1 for _, tries in results), "the link never failed; raise the fault rate"
    with ward.sessions() as session:
        for enrolled, _ in results:
            assert session.get(Device, enrolled.device.device_id).secret_hash == secret_digest(enrolled.credentials.secret)


def test_the_same_code_from_another_kiosk_is_refused(ward, tmp_path):
    token = ward.enrollment_token()
    enroll_kiosk(tmp_path / "a", EnrollmentCode(ward.url, token), tmp_path / "a" / "enrollment.json")
    with pytest.raises(Exception) as refused:
        enroll_kiosk(tmp_path / "b", EnrollmentCode(ward.url, token), tmp_path / "b" / "enrollment.json")
    assert refused.value.problem.kind == Kind.CODE_REFUSED


def test_kiosk_sync_enroll_run_again_after_a_lost_answer_enrolls(ward, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "kiosk"))
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "none.toml"))
    proxy = ScriptedProxy(ward.port, ["drop_after"]).start()
    token = ward.enrollment_token()
    try:
        assert sync_cli.main(["enroll", proxy.url, token]) == 1
        err = capsys.readouterr().err
        assert problem_text(Problem(Kind.BROKEN_OFF, proxy.url)) in err and _(RETRY_ENROLLMENT) in err
        assert sync_cli.main(["enroll", proxy.url, token]) == 0
    finally:
        proxy.stop()
    assert Credentials.load(tmp_path / "kiosk" / "enrollment.json") is not None


def test_a_missing_ca_bundle_is_one_clear_sentence_and_exit_2(ward, tmp_path, monkeypatch, capsys):
    missing = tmp_path / "ward-ca.pem"
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "kiosk"))
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("KIOSK_SERVER_CA_BUNDLE", str(missing))
    assert sync_cli.main(["enroll", ward.url, ward.enrollment_token()]) == 2
    err = capsys.readouterr().err
    assert problem_text(Problem(Kind.CA_BUNDLE_UNREADABLE, str(missing))) in err and "Traceback" not in err


@pytest.mark.parametrize("url", ["http://ward7.example.vn", "http://192.168.1.10:8000", "http://127.0.0.1.nip.io"])
def test_plain_http_is_refused_except_to_this_machine(url):
    with pytest.raises(InsecureServerUrl):
        parse_enrollment_code(f"{url} OhfmZE7zufrbQ2dMNKdvDkNtFBWxjsUC")
    with pytest.raises(InsecureServerUrl):
        parse_enrollment_code(EnrollmentCode(url, "OhfmZE7zufrbQ2dMNKdvDkNtFBWxjsUC").text())
    saved = Credentials(server_url=url, device_id="kiosk-0000abcd", secret="s" * 43, venue_id="v", name="n",
                        bundle_key="0" * 64)
    with pytest.raises(SetupProblem) as refused:
        SyncClient(saved)
    assert refused.value.problem.kind == Kind.INSECURE_URL


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000", "https://w.vn"])
def test_https_and_loopback_http_are_accepted(url):
    assert parse_enrollment_code(f"{url} OhfmZE7zufrbQ2dMNKdvDkNtFBWxjsUC").url == url


def test_an_enrollment_file_from_before_bundle_keys_asks_for_enrollment_instead_of_failing(tmp_path, caplog):
    old = {"server_url": "https://ward7.example.vn", "device_id": "kiosk-0000abcd", "secret": "s" * 43,
           "venue_id": "ca-phe-luka", "name": "Cà phê Luka"}
    (tmp_path / "enrollment.json").write_text(json.dumps(old))
    assert Credentials.load(tmp_path / "enrollment.json") is None
    assert "must be enrolled again" in caplog.text


def test_a_saved_plain_http_enrollment_is_not_used(tmp_path):
    from kiosk.config import KioskConfig
    from kiosk.services import KioskServices

    config = KioskConfig(data_dir=tmp_path / "kiosk")
    Credentials(server_url="http://ward7.example.vn", device_id="kiosk-0000abcd", secret="s" * 43, venue_id="v",
                name="n", bundle_key="0" * 64).save(config.credentials_file)
    services = KioskServices(config)
    assert services.sync_client() is None
    status = services.sync_status()
    assert status.state == "needs_enrollment" and status.problem.kind == Kind.INSECURE_URL
