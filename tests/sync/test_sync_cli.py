"""``kiosk-sync`` says how sync goes in the kiosk's language: refused and set-aside records, a copied
memory card, and the running kiosk's own view when it holds the outbox."""
from dataclasses import replace

import pytest

from kiosk import sync_cli
from kiosk.config import KioskConfig
from kiosk.i18n import _
from kiosk.sync_problems import problem_text
from sync.device import DeviceIdentity, hardware_fingerprint, load_device, save_device
from sync.outbox import Outbox
from sync.problems import Kind, Problem
from sync.worker import SyncWorker
from tests.helpers import enroll_kiosk
from tests.sync.factory import make_draft


@pytest.fixture
def config(tmp_path, monkeypatch) -> KioskConfig:
    monkeypatch.setenv("KIOSK_CONFIG", str(tmp_path / "kiosk.toml"))
    (tmp_path / "kiosk.toml").write_text(f'data_dir = "{tmp_path / "kiosk"}"\n')
    return KioskConfig(data_dir=tmp_path / "kiosk")


def counts_line(**counts) -> str:
    return _("pending {pending}, sent {sent}, refused by the ward {refused}, set aside as damaged {set_aside}, "
             "{bytes} bytes on disk").format(**counts)


def test_status_shows_refused_records_and_the_workers_problem(config, capsys):
    save_device(config.data_dir, DeviceIdentity("kiosk-status01"))
    with Outbox(config.outbox_dir) as outbox:  # the running kiosk holds its outbox
        records = [outbox.append(make_draft("kiosk-status01")) for _ in range(3)]
        outbox.quarantine([records[0].id], "seq 1 is already used by another record")
        worker = SyncWorker(outbox, None, health_dir=config.data_dir,
                            problem=Problem(Kind.UNREACHABLE, "https://ward7.example.vn"))
        worker._write_health()
        assert sync_cli.main(["status"]) == 0
        held = capsys.readouterr().out
        size = outbox.stats().bytes_on_disk
    assert counts_line(pending=2, sent="?", refused=1, set_aside=0, bytes="?") in held
    assert "  " + problem_text(Problem(Kind.UNREACHABLE, "https://ward7.example.vn")) in held
    assert sync_cli.main(["status"]) == 0
    out = capsys.readouterr().out
    assert _("{device}: not enrolled").format(device="kiosk-status01") in out
    assert counts_line(pending=2, sent=0, refused=1, set_aside=0, bytes=size) in out


def test_push_while_the_kiosk_holds_the_outbox_is_one_clear_refusal(config, ward_server, capsys):
    enroll_kiosk(config, ward_server)
    with Outbox(config.outbox_dir):
        assert sync_cli.main(["push"]) == 1
    err = capsys.readouterr().err
    assert _("The kiosk is running and holds its stored results: stop it first (sudo systemctl stop kiosk), "
             "or use the technician screen.") in err and "Traceback" not in err


def test_status_on_a_copied_card_says_it_must_be_enrolled_again(config, ward_server, capsys):
    if hardware_fingerprint() is None:
        pytest.skip("this machine has nothing that identifies its hardware")
    enroll_kiosk(config, ward_server)
    device = load_device(config.data_dir)
    with Outbox(config.outbox_dir) as outbox:
        outbox.append(make_draft(device.device_id))
    save_device(config.data_dir, replace(device, fingerprint="mac:the-original-board"))
    assert sync_cli.main(["status"]) == 0
    assert problem_text(Problem(Kind.COPIED_CARD)) in capsys.readouterr().out
    assert (config.data_dir / f"outbox-copied-from-{device.device_id}").is_dir()
    assert sync_cli.main(["push"]) == 1
    assert _("This kiosk is not enrolled; run `kiosk-sync enroll CODE` first.") in capsys.readouterr().err


def test_a_damaged_identity_file_is_one_sentence_and_exit_2(config, capsys):
    config.data_dir.mkdir(parents=True)
    (config.data_dir / "device.json").write_text('{"device_id": ')
    assert sync_cli.main(["status"]) == 2
    err = capsys.readouterr().err
    assert "device.json is damaged" in err and "Traceback" not in err
