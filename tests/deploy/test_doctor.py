"""kiosk doctor: each check's failing verdict, its fix, and the exit code; against fakes for the
hardware and the real camera adapters, outbox and ward server for the rest."""
import datetime as dt
import errno
import json
from pathlib import Path

import pytest

from kiosk import cli, doctor
from kiosk.config import KioskConfig
from kiosk.doctor import CameraProbe, Finding, Machine, fit, run_checks
from kiosk.i18n import use_language
from sync.health import write_health
from sync.outbox import Outbox
from sync.server import identity
from tests.helpers import draft, enroll_kiosk

TOUCH = """I: Bus=0018 Vendor=0000 Product=0000 Version=0000
N: Name="10-0038 generic ft5x06 (79)"
H: Handlers=mouse0 event2
B: PROP=2
B: EV=b
B: ABS=2608000 3

I: Bus=0003 Vendor=046d Product=c077 Version=0111
N: Name="Logitech USB Optical Mouse"
B: PROP=0
B: EV=17
B: REL=903
"""
MOUSE_ONLY = TOUCH.split("\n\n")[1]
BOOT = "6c9f64a7-4a0e-4e0a-9a51-2a1f3c3f7e11"
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone.utc)


class HealthyPi(Machine):
    """A kiosk where everything is right; each test breaks one thing."""

    environ_values = {"SDL_VIDEODRIVER": "kmsdrm"}
    connectors = {"card1-DSI-1": "connected", "card1-HDMI-A-1": "disconnected"}
    devices = TOUCH
    probe = CameraProbe(frames=12, codes=())
    throttled_text = "throttled=0x0"
    kernel = "[    1.2] mmc0: new high speed SDHC card at address aaaa\n[    2.0] EXT4-fs (mmcblk0p2): mounted filesystem\n"
    clock = NOW
    free = 20 * 1024 ** 3
    write_error: OSError | None = None
    server = None
    answer = None
    health = None
    counts = {"pending": 0, "set_aside": 0, "refused": 0}

    def environ(self):
        return dict(self.environ_values)

    def drm_connectors(self):
        return dict(self.connectors)

    def input_devices(self):
        return self.devices

    def camera(self, setting, seconds):
        return self.probe

    def write_probe(self, folder):
        if self.write_error is not None:
            raise self.write_error

    def free_bytes(self, folder):
        return self.free

    def now(self):
        return self.clock

    def throttled(self):
        return self.throttled_text

    def kernel_log(self):
        return self.kernel

    def enrolled_server(self, config):
        return self.server or super().enrolled_server(config)

    def ward_answer(self, config):
        return self.answer if self.server else super().ward_answer(config)

    def sync_health(self, config):
        return self.health if self.health is not None else super().sync_health(config)

    def outbox_counts(self, config):
        return self.counts if self.counts is not None else super().outbox_counts(config)

    def boot_id(self):
        return BOOT

    def monotonic(self):
        return 5000.0


@pytest.fixture(autouse=True)
def english():
    use_language("en")
    yield
    use_language("vi")


def pi(**facts) -> HealthyPi:
    machine = HealthyPi()
    for name, value in {"server": "https://ward.example", **facts}.items():
        setattr(machine, name, value)
    return machine


def by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {finding.check: finding for finding in findings}


def test_a_healthy_unit_is_fit(kiosk_config: KioskConfig) -> None:
    findings = by_check(run_checks(kiosk_config, pi(probe=CameraProbe(frames=3, codes=("WIFI:T:WPA;S:CaPheLuka;P:12345678;;",)))))
    assert {name: f.status for name, f in findings.items() if f.status != "ok"} == {"test_card": "warn"}
    assert fit(list(findings.values()))


@pytest.mark.parametrize("facts, check, words", [
    ({"connectors": {"card1-HDMI-A-1": "disconnected"}}, "display", "No screen is connected"),
    ({"devices": MOUSE_ONLY}, "touch", "No touch screen found"),
    ({"probe": CameraProbe(error="picamera2: the Pi camera could not start: Failed to acquire camera: Device or resource busy")},
     "camera", "in use by another program"),
    ({"probe": CameraProbe(error="the Pi camera could not start: Camera __init__ sequence did not complete.")},
     "camera", "failed to start"),
    ({"probe": CameraProbe(error="libcamera sees no camera number 0; is the ribbon cable in?")}, "camera", "No camera found"),
    ({"probe": CameraProbe(frames=0)}, "camera", "sends no pictures"),
    ({"write_error": OSError(errno.EROFS, "Read-only file system")}, "storage", "read-only"),
    ({"free": 50 * 1024 ** 2}, "storage", "Only 50 MB are free"),
    ({"write_error": OSError(errno.ENOSPC, "No space left on device")}, "storage", "Only 0 MB are free"),
    ({"clock": dt.datetime(1970, 1, 1, 0, 3, tzinfo=dt.timezone.utc)}, "clock", "it shows 1970-01-01"),
    ({"throttled_text": "throttled=0x50005"}, "power", "under-voltage"),
    ({"kernel": "[ 812.4] mmc0: Timeout waiting for hardware interrupt.\n"}, "sd_card", "1 storage errors"),
    ({"kernel": "[ 99.1] EXT4-fs error (device mmcblk0p2): ext4_find_entry:1455: inode #2: comm kiosk\n"
                "[ 99.2] Buffer I/O error on dev mmcblk0p2, logical block 0\n"}, "sd_card", "2 storage errors"),
])
def test_each_failing_check_says_what_is_wrong_and_how_to_fix_it(kiosk_config, facts, check, words) -> None:
    findings = run_checks(kiosk_config, pi(**facts))
    finding = by_check(findings)[check]
    assert finding.status == "fail" and words in finding.verdict, finding
    assert finding.fix
    assert not fit(findings)


def test_throttling_is_a_warning_and_no_pi_is_a_skip(kiosk_config) -> None:
    assert by_check(run_checks(kiosk_config, pi(throttled_text="throttled=0xe0000")))["power"].status == "warn"
    findings = run_checks(kiosk_config, pi(throttled_text=None, kernel=None))
    assert (by_check(findings)["power"].status, by_check(findings)["sd_card"].status) == ("skip", "skip")
    assert fit(findings)


def test_the_real_camera_reads_a_printed_practice_card(kiosk_config, qr_camera) -> None:
    found = doctor.camera_findings(kiosk_config.model_copy(update={"camera": qr_camera}), Machine(), seconds=5)
    assert [(f.check, f.status) for f in found] == [("camera", "ok"), ("test_card", "ok")]
    assert "Practice card" in found[1].verdict


def test_a_missing_webcam_is_named(kiosk_config) -> None:
    found = doctor.camera_findings(kiosk_config.model_copy(update={"camera": "replay:/nonexistent-camera-folder"}), Machine(), 1)
    assert found[0].status == "fail" and found[1].status == "skip"


def test_the_real_data_folder_is_writable(kiosk_config) -> None:
    kiosk_config.data_dir.mkdir(parents=True)
    assert doctor.check_storage(kiosk_config, Machine()).status in ("ok", "warn")


def test_the_ward_server_answers_and_accepts_the_token(kiosk_config, ward_server) -> None:
    device = enroll_kiosk(kiosk_config, ward_server)
    assert doctor.check_ward(kiosk_config, Machine()).status == "ok"
    with ward_server.sessions() as session:
        identity.revoke(session, device)
    refused = doctor.check_ward(kiosk_config, Machine())
    assert refused.status == "fail" and "enroll" in refused.fix.lower()
    ward_server.stop()
    unreachable = doctor.check_ward(kiosk_config, Machine())
    assert unreachable.status == "fail" and "cannot be reached" in unreachable.verdict


def test_not_enrolled_fails(kiosk_config) -> None:
    finding = doctor.check_ward(kiosk_config, Machine())
    assert finding.status == "fail" and "not enrolled" in finding.verdict


def test_pending_records_and_set_aside_counts_from_the_outbox(kiosk_config) -> None:
    with Outbox(kiosk_config.outbox_dir) as outbox:
        for _ in range(3):
            outbox.append(draft())
    findings = by_check(doctor.queue_findings(kiosk_config, pi(counts=None)))
    assert findings["records"].verdict.startswith("3 results waiting to be sent; last sent: never")
    assert findings["records"].status == "warn"
    assert findings["set_aside"].status == "ok"


def test_a_running_kiosk_is_read_from_its_health_file(kiosk_config) -> None:
    health = {"running": True, "boot_id": BOOT, "alive_monotonic": 4990.0, "pending": 7, "set_aside": 2,
              "last_sync": (NOW - dt.timedelta(minutes=5)).isoformat(), "problem_kind": None}
    write_health(kiosk_config.data_dir, health)
    with Outbox(kiosk_config.outbox_dir):  # the kiosk holds the outbox
        findings = by_check(doctor.queue_findings(kiosk_config, pi(counts=None)))
    assert findings["records"].status == "ok" and findings["records"].verdict.startswith("7 results waiting")
    assert findings["set_aside"].status == "warn" and "2 results were set aside" in findings["set_aside"].verdict


def test_a_kiosk_whose_sync_stopped_reporting_is_not_fit(kiosk_config) -> None:
    stale = {"running": True, "boot_id": BOOT, "alive_monotonic": 1000.0, "pending": 7, "set_aside": 0}
    write_health(kiosk_config.data_dir, stale)
    with Outbox(kiosk_config.outbox_dir):
        findings = doctor.queue_findings(kiosk_config, pi(counts=None))
    assert findings[0].status == "fail" and "stopped reporting" in findings[0].verdict


def test_a_check_that_breaks_is_a_failed_finding(kiosk_config) -> None:
    def broken(config, machine):
        raise RuntimeError("boom")

    findings = run_checks(kiosk_config, pi(), checks=(broken, doctor.check_clock))
    assert [f.status for f in findings] == ["fail", "ok"] and "boom" in findings[0].verdict


def test_kiosk_doctor_prints_json_and_exits_1_when_not_fit(kiosk_config, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KIOSK_CONFIG", str(Path(kiosk_config.data_dir).parent / "missing.toml"))
    monkeypatch.setenv("KIOSK_DATA_DIR", str(kiosk_config.data_dir))
    monkeypatch.setenv("KIOSK_LANGUAGE", "en")
    monkeypatch.setattr(doctor, "Machine", lambda: pi(devices=MOUSE_ONLY))
    assert cli.main(["doctor", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["fit"] is False
    assert {c["check"]: c["status"] for c in document["checks"]}["touch"] == "fail"
    monkeypatch.setattr(doctor, "Machine", lambda: pi())
    assert cli.main(["doctor"]) == 0
    assert capsys.readouterr().out.strip().endswith("This kiosk is fit to be used.")


def test_the_verdicts_are_in_vietnamese_by_default(kiosk_config) -> None:
    use_language("vi")
    finding = by_check(run_checks(kiosk_config, pi(devices=MOUSE_ONLY)))["touch"]
    assert finding.verdict == "Không tìm thấy màn hình cảm ứng."
