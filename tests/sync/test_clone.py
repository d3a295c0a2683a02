"""A cloned SD card: the copy notices it runs on other hardware and asks for enrollment; records the
ward refuses are logged, counted, shown and reported, and never pass for "synced"."""
import logging
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.services import KioskServices
from kiosk.sync_problems import problem_text
from sync.credentials import Credentials
from sync.device import DeviceIdentity, hardware_fingerprint, load_device, save_device, start_device
from sync.enrollment_code import EnrollmentCode
from sync.problems import ENGLISH, Kind
from sync.server.db import Device
from tests.helpers import enroll_kiosk, wait_for

ORIGINAL, COPY = "mac:original-board", "mac:second-board"


def board(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize("files, source", [
    ({"sys/firmware/devicetree/base/serial-number": "10000000c0ffee42\x00",
      "proc/cpuinfo": "Serial\t\t: 00000000deadbeef\n"}, "pi-serial"),
    ({"proc/cpuinfo": "processor\t: 0\nSerial\t\t: 10000000c0ffee42\nModel\t: Raspberry Pi 4\n"}, "pi-serial"),
    ({"sys/class/dmi/id/product_uuid": "4c4c4544-0042-3510-8052-b4c04f4e3732\n"}, "product-uuid"),
    ({"sys/class/net/lo/address": "00:00:00:00:00:00\n", "sys/class/net/eth0/address": "dc:a6:32:01:02:03\n"}, "mac"),
])
def test_the_fingerprint_comes_from_the_board(tmp_path, files, source):
    fingerprint = hardware_fingerprint(board(tmp_path, files))
    assert fingerprint.startswith(source + ":") and fingerprint == hardware_fingerprint(tmp_path)
    assert "c0ffee42" not in fingerprint and "dc:a6" not in fingerprint


def test_virtual_interfaces_and_made_up_addresses_are_not_the_board(tmp_path):
    board(tmp_path, {"sys/class/net/eth0/address": "dc:a6:32:01:02:03\n",
                     "sys/class/net/eth0/addr_assign_type": "0\n",
                     "sys/class/net/docker0/address": "02:42:ac:11:00:02\n",
                     "sys/class/net/docker0/addr_assign_type": "3\n"})
    only_eth0 = hardware_fingerprint(tmp_path)
    (tmp_path / "sys/class/net/docker0").rename(tmp_path / "sys/class/net/aaa-random")
    assert hardware_fingerprint(tmp_path) == only_eth0
    shutil.rmtree(tmp_path / "sys/class/net/eth0")
    assert hardware_fingerprint(tmp_path) is None


def test_the_card_s_machine_id_is_not_a_fingerprint(tmp_path):
    assert hardware_fingerprint(board(tmp_path, {"etc/machine-id": "0123456789abcdef0123456789abcdef\n",
                                                 "proc/cpuinfo": "processor\t: 0\n"})) is None
    assert hardware_fingerprint(tmp_path / "nothing-here") is None


def kiosk_config(folder: Path) -> KioskConfig:
    return KioskConfig(data_dir=folder, sync_interval_s=0.05, sync_backoff_max_s=0.2)


def test_a_cloned_card_sets_the_copied_outbox_aside_and_asks_for_enrollment(ward_server, tmp_path):
    original = kiosk_config(tmp_path / "original")
    save_device(original.data_dir, DeviceIdentity("kiosk-0riginal", fingerprint=ORIGINAL))
    enroll_kiosk(original, ward_server)
    first = KioskServices(original, fingerprint=lambda: ORIGINAL)
    first.begin_session()
    first.end_session("left")
    copy = kiosk_config(tmp_path / "copy")
    shutil.copytree(original.data_dir, copy.data_dir)

    second = KioskServices(copy, fingerprint=lambda: COPY)
    assert second.device.device_id != "kiosk-0riginal" and second.device.copied_from == "kiosk-0riginal"
    assert second.credentials is None and not copy.credentials_file.exists()
    assert second.outbox.stats().pending == 0
    aside = copy.data_dir / "outbox-copied-from-kiosk-0riginal"
    assert sorted(p.name for p in aside.iterdir()) == sorted(p.name for p in original.outbox_dir.iterdir())
    status = second.sync_status()
    assert status.state == "needs_enrollment" and status.problem.kind == Kind.COPIED_CARD
    assert second.sync_problem_text() == _(ENGLISH[Kind.COPIED_CARD])
    assert start_device(copy.data_dir, copy.outbox_dir, copy.credentials_file, lambda: COPY) == second.device, \
        "set aside once, not at each start"

    outcome = second.staff.enroll(EnrollmentCode(ward_server.url, ward_server.enrollment_token()).text())
    assert outcome.ok, outcome.message
    assert load_device(copy.data_dir).copied_from is None and second.sync_status().problem is None
    second.start()
    second.begin_session()
    second.end_session("left")
    wait_for(lambda: second.outbox.stats().pending == 0, 20)
    second.stop()
    first.start()
    wait_for(lambda: first.outbox.stats().pending == 0, 20)
    first.stop()
    held = Counter(r.device_id for r in ward_server.records())
    assert held == {"kiosk-0riginal": 2, second.device.device_id: 2}, "both kiosks' records, none refused"


def test_hardware_that_cannot_be_identified_changes_nothing(tmp_path):
    save_device(tmp_path, DeviceIdentity("kiosk-0riginal", fingerprint=ORIGINAL))
    assert start_device(tmp_path, tmp_path / "outbox", tmp_path / "enrollment.json", lambda: None).device_id == \
        "kiosk-0riginal"
    save_device(tmp_path, DeviceIdentity("kiosk-older001"))  # from before fingerprints: adopts this board's
    assert start_device(tmp_path, tmp_path / "outbox", tmp_path / "enrollment.json", lambda: COPY).fingerprint == COPY


def test_records_the_ward_refuses_are_logged_counted_shown_and_reported(ward_server, tmp_path, caplog):
    """An undetected copy (say, a board whose identity cannot be read) reuses the original's seqs."""
    original = kiosk_config(tmp_path / "original")
    device_id = enroll_kiosk(original, ward_server)
    copy = kiosk_config(tmp_path / "copy")
    shutil.copytree(original.data_dir, copy.data_dir)
    kiosks = [KioskServices(config, fingerprint=lambda: None) for config in (original, copy)]
    for kiosk in kiosks:
        for _visit in range(3):
            kiosk.begin_session()
        kiosk.start()
        wait_for(lambda: kiosk.sync.status.state in ("synced", "refused"), 20)
        kiosk.stop()
    first, second = (kiosk.sync.status for kiosk in kiosks)
    assert first.state == "synced" and first.refused == 0
    assert second.state == "refused" and second.refused == 3 and second.pending == 0
    assert second.problem.kind == Kind.RECORDS_REFUSED and "3" in problem_text(second.problem)
    assert _("{count} refused by the ward").format(count=3) in kiosks[1].sync_text()
    assert any("refused 3 of 3 records" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    with ward_server.sessions() as session:
        assert session.get(Device, device_id).heartbeat["quarantined"] == 3
    assert Credentials.load(copy.credentials_file).device_id == device_id

