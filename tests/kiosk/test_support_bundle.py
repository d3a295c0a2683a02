"""The support bundle carries the logs and checks to the ward, and nothing personal or secret."""
import zipfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kiosk.support_bundle import MAX_LOG_LINES, scrub, write_bundle
from kiosk.doctor import Finding
from sync.health import write_health

JOURNAL = """2026-03-02T09:30:01+0700 kiosk[812]: INFO sync: pushed 12 records for card-7K3QX9MA2
2026-03-02T09:30:02+0700 kiosk[812]: WARNING sync: 401 for Authorization: Bearer dev_4f1c.Zx9-secretpart
2026-03-02T09:30:03+0700 kiosk[812]: INFO qr: scanned WIFI:T:WPA;S:Cà phê Luka;P:matkhau\\;123;; (not stored)
2026-03-02T09:30:04+0700 kiosk[812]: INFO enroll: token=QWERTY123456 from ward
2026-03-02T09:30:05+0700 kiosk[812]: INFO learner anon-5b2c9e41d0 called 0912 345 678, mail ba.lan@gmail.com
2026-03-02T09:30:06+0700 kiosk[812]: INFO citizen id 079123456789 typed in a drill
2026-03-02T09:30:07+0700 kiosk[812]: ERROR outbox: mmc0: timeout waiting for hardware interrupt
"""


def fake_runner(argv):
    if argv[0] == "journalctl" and "-u" in argv:
        return JOURNAL if argv[argv.index("-b") + 1] == "0" else None
    return {"uname": "Linux kiosk 6.6.31+rpt-rpi-v8 aarch64\n"}.get(argv[0])


def test_the_bundle_holds_the_logs_with_personal_data_and_secrets_removed(kiosk_config, tmp_path: Path) -> None:
    settings = tmp_path / "kiosk.toml"
    settings.write_text('staff_pin = "480215"\nlanguage = "vi"\n')
    write_health(kiosk_config.data_dir, {"running": True, "pending": 3, "state": "synced"})
    usb = tmp_path / "usb"
    usb.mkdir()
    findings = [Finding("power", "fail", "The power supply is too weak.", "Use the official supply.")]
    path = write_bundle(kiosk_config, usb, "kiosk-7f3a", fake_runner, findings, settings_file=settings)
    assert path.parent == usb and path.name.startswith("bdhvs-support-kiosk-7f3a-") and path.suffix == ".zip"
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    journal = files["kiosk-journal-this-boot.txt"]
    assert "mmc0: timeout waiting for hardware interrupt" in journal and "pushed 12 records" in journal
    for secret in ("card-7K3QX9MA2", "secretpart", "matkhau", "QWERTY123456", "anon-5b2c9e41d0", "0912 345 678",
                   "ba.lan@gmail.com", "079123456789"):
        assert secret not in "".join(files.values()), secret
    assert "[learner]" in journal and "[phone]" in journal and "[email]" in journal and "[number]" in journal
    assert "480215" not in files["settings.toml"] and 'language = "vi"' in files["settings.toml"]
    assert '"pending": 3' in files["sync-health.json"]
    assert "The power supply is too weak." in files["doctor.json"]
    assert files["kiosk-journal-previous-boot.txt"].startswith("(could not be read")
    assert not list(usb.glob("*.part"))


def test_a_huge_log_is_cut_to_its_newest_lines(kiosk_config, tmp_path: Path) -> None:
    huge = "".join(f"line {n}\n" for n in range(MAX_LOG_LINES * 2))
    path = write_bundle(kiosk_config, tmp_path, "k", lambda argv: huge if argv[0] == "journalctl" else None)
    with zipfile.ZipFile(path) as archive:
        text = archive.read("kernel-this-boot.txt").decode()
    assert text.endswith(f"line {MAX_LOG_LINES * 2 - 1}\n") and "line 0\n" not in text


def test_times_and_log_fields_survive_the_scrub() -> None:
    line = "2026-03-02T09:30:01+0700 kiosk[812]: outbox seq 1234 to 1290, 1048576 bytes, device kiosk-7f3a"
    assert scrub(line) == line


@given(st.text(max_size=80), st.from_regex(r"0[35789]\d{8}", fullmatch=True),
       st.from_regex(r"[a-z]{2,8}\.[a-z]{2,6}@[a-z]{3,8}\.(vn|com)", fullmatch=True), st.text(max_size=80))
def test_phones_and_emails_never_survive_in_any_text(before: str, phone: str, email: str, after: str) -> None:
    cleaned = scrub(f"{before} {phone} {after} {email} {after}")
    assert phone not in cleaned and email not in cleaned


@given(st.from_regex(r"[A-Za-z0-9_.-]{6,30}", fullmatch=True))
def test_a_bearer_token_never_survives(token: str) -> None:
    assert token not in scrub(f"GET /api/v1/packs Authorization: Bearer {token} -> 401")
