"""USB bundles: export, import with a receipt, import twice, tampering, and the kiosk-sync/ward-server commands."""
import json
import os
from pathlib import Path

import pytest

from kiosk.i18n import _
from kiosk.sync_cli import main as kiosk_sync
from sync.bundle import BadBundle, apply_receipt, export_bundle, receipt_path
from sync.credentials import Credentials, secret_digest
from sync.outbox import Outbox
from sync.server import identity
from sync.server.audit import audit
from sync.server.bundles import import_bundle
from sync.server.db import Device
from sync.server.cli import main as ward_server_cli
from tests.sync.factory import Kiosk, enroll_kiosk

RECORDS = 300  # more than two outbox segments


@pytest.fixture
def kiosk(ward_server, tmp_path) -> Kiosk:
    kiosk = enroll_kiosk(ward_server, tmp_path, "kiosk-usb00001")
    kiosk.queue(RECORDS)
    return kiosk


def ward_cli(ward_server, *args: object) -> int:
    """``ward-server`` on the test server's database and bundle key file."""
    return ward_server_cli(["--database", ward_server.database_url,
                            "--bundle-key-file", str(ward_server.app_options["bundle_key_file"]), *map(str, args)])


def import_(ward_server, path: Path):
    with ward_server.sessions() as session:
        return import_bundle(session, path, ward_server.bundle_keys)


def test_a_bundle_carries_pending_records_and_its_receipt_acks_them(ward_server, kiosk, tmp_path):
    stick = tmp_path / "usb"
    bundle, count = export_bundle(kiosk.outbox, kiosk.credentials, stick)
    assert count == RECORDS and kiosk.outbox.stats().pending == RECORDS  # nothing forgotten until the ward says so
    receipt, results = import_(ward_server, bundle)
    assert receipt == receipt_path(bundle) and {r.status for r in results} == {"accepted"}
    assert ward_server.record_count() == RECORDS

    outcome = apply_receipt(receipt, kiosk.outbox, kiosk.credentials)
    assert outcome.accepted == RECORDS and kiosk.outbox.stats().pending == 0
    with ward_server.sessions() as session:
        assert audit(session)[0].missing == []


def test_importing_a_bundle_twice_changes_nothing(ward_server, kiosk, tmp_path):
    bundle, _ = export_bundle(kiosk.outbox, kiosk.credentials, tmp_path / "usb")
    import_(ward_server, bundle)
    before = [(r.id, r.content_hash, r.received_at) for r in ward_server.records()]
    receipt, results = import_(ward_server, bundle)
    assert {r.status for r in results} == {"duplicate"}
    assert [(r.id, r.content_hash, r.received_at) for r in ward_server.records()] == before
    assert apply_receipt(receipt, kiosk.outbox, kiosk.credentials).duplicate == RECORDS


def tamper(path: Path, change) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize("change, reason", [
    (lambda d: d["bundle"]["records"][5]["payload"].update(correct=True), "altered"),
    (lambda d: d["bundle"]["records"].pop(), "altered"),
    (lambda d: d["bundle"].update(device_id="kiosk-other001"), "not known here"),
    (lambda d: d["bundle"].update(device_id="kiosk\u0000" + "x" * 10_000), "not known here"),  # never queried
    (lambda d: d["bundle"].update(device_id=["kiosk-usb00001"]), "not known here"),
    (lambda d: d.update(mac="0" * 64), "altered"),
    (lambda d: d.pop("bundle"), "not a readable bundle"),
])
def test_a_tampered_bundle_is_refused_with_its_reason_and_changes_nothing(ward_server, kiosk, tmp_path, change, reason):
    bundle, _ = export_bundle(kiosk.outbox, kiosk.credentials, tmp_path / "usb")
    tamper(bundle, change)
    with pytest.raises(BadBundle, match=reason):
        import_(ward_server, bundle)
    assert ward_server.record_count() == 0 and not receipt_path(bundle).exists()


def test_a_copy_of_the_ward_database_cannot_forge_a_bundle(ward_server, kiosk, tmp_path):
    with ward_server.sessions() as session:
        stored_hash = session.get(Device, kiosk.device_id).secret_hash  # all a database copy holds
    assert stored_hash == secret_digest(kiosk.credentials.secret)
    forger = kiosk.credentials.model_copy(update={"bundle_key": stored_hash})
    bundle, _ = export_bundle(kiosk.outbox, forger, tmp_path / "usb")
    with pytest.raises(BadBundle, match="signature does not match"):
        import_(ward_server, bundle)
    assert ward_server.record_count() == 0


def test_the_bundle_key_comes_from_the_ward_key_file_not_the_secret(ward_server, kiosk):
    assert kiosk.credentials.bundle_key == ward_server.bundle_keys.for_device(kiosk.device_id)
    assert kiosk.credentials.bundle_key != secret_digest(kiosk.credentials.secret)


def test_a_revoked_kiosks_bundle_is_refused(ward_server, kiosk, tmp_path):
    bundle, _ = export_bundle(kiosk.outbox, kiosk.credentials, tmp_path / "usb")
    with ward_server.sessions() as session:
        identity.revoke(session, kiosk.device_id)
    with pytest.raises(BadBundle, match="revoked"):
        import_(ward_server, bundle)
    assert ward_server.record_count() == 0


def test_a_forged_or_foreign_receipt_acks_nothing(ward_server, kiosk, tmp_path):
    bundle, _ = export_bundle(kiosk.outbox, kiosk.credentials, tmp_path / "usb")
    receipt, _ = import_(ward_server, bundle)
    other = enroll_kiosk(ward_server, tmp_path, "kiosk-usb00002")
    with pytest.raises(BadBundle, match="not known here"):
        apply_receipt(receipt, other.outbox, other.credentials)
    tamper(receipt, lambda d: d["receipt"]["results"].append({"id": "x", "status": "accepted"}))
    with pytest.raises(BadBundle, match="altered"):
        apply_receipt(receipt, kiosk.outbox, kiosk.credentials)
    assert kiosk.outbox.stats().pending == RECORDS


def test_records_already_imported_are_acked_as_duplicates_on_the_next_sync(ward_server, kiosk, tmp_path):
    from sync.client import push_pending

    bundle, _ = export_bundle(kiosk.outbox, kiosk.credentials, tmp_path / "usb")
    import_(ward_server, bundle)  # the receipt never comes back: the stick was lost
    result = push_pending(kiosk.outbox, kiosk.client())
    assert result.duplicate == RECORDS and kiosk.outbox.stats().pending == 0 and ward_server.record_count() == RECORDS


def test_the_volunteer_and_ward_commands(ward_server, enrolled_config, monkeypatch, tmp_path, capsys):
    settings = tmp_path / "kiosk.toml"
    settings.write_text(f'data_dir = "{enrolled_config.data_dir}"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(settings))
    credentials = Credentials.load(enrolled_config.credentials_file)
    outbox = Outbox(enrolled_config.outbox_dir)
    Kiosk(credentials, outbox).queue(30)
    del outbox  # the commands open the outbox themselves, as a separate process would
    stick = tmp_path / "usb"

    assert kiosk_sync(["export", str(stick)]) == 0
    assert "wrote 30 records" in capsys.readouterr().out
    [bundle] = stick.glob("*.bundle.json")
    assert ward_cli(ward_server, "import", bundle) == 0
    assert "30 new, 0 already held, 0 refused" in capsys.readouterr().out
    assert ward_cli(ward_server, "import", bundle) == 0
    assert "0 new, 30 already held" in capsys.readouterr().out
    assert kiosk_sync(["import-receipt", str(stick)]) == 0
    assert "the ward holds 30, refused 0" in capsys.readouterr().out
    assert kiosk_sync(["status"]) == 0
    status = _("pending {pending}, sent {sent}, refused by the ward {refused}, set aside as damaged {set_aside}, "
               "{bytes} bytes on disk").format(pending=0, sent=30, refused=0, set_aside=0, bytes="…")
    assert status.split("…")[0] in capsys.readouterr().out  # the size on disk varies

    bundle.write_text(bundle.read_text().replace('"correct":false', '"correct":true', 1))
    assert ward_cli(ward_server, "import", bundle) == 1
    assert "refused" in capsys.readouterr().err
    assert ward_server.record_count() == 30


def test_ward_import_reports_a_hostile_bundle_and_imports_the_ones_around_it(ward_server, kiosk, tmp_path, capsys):
    stick = tmp_path / "usb"
    first, _ = export_bundle(kiosk.outbox, kiosk.credentials, stick / "a")
    later = enroll_kiosk(ward_server, tmp_path, "kiosk-usb00002")
    later.queue(5)
    last, _ = export_bundle(later.outbox, later.credentials, stick / "c")
    hostile = {stick / "zero.bundle.json": "symbolic link", stick / "deep.bundle.json": "nested too deeply",
               stick / "pipe.bundle.json": "not a regular file", stick / "huge.bundle.json": "more than"}
    (stick / "zero.bundle.json").symlink_to("/dev/zero")
    (stick / "deep.bundle.json").write_text('{"bundle":' + "{\"a\":" * 100_000)
    os.mkfifo(stick / "pipe.bundle.json")
    with open(stick / "huge.bundle.json", "wb") as huge:
        huge.truncate(400 * 2**20)
    assert ward_cli(ward_server, "import", first, *hostile, last) == 1
    out, err = capsys.readouterr()
    assert f"{first}: {RECORDS} new" in out and f"{last}: 5 new" in out
    lines = err.splitlines()
    assert len(lines) == len(hostile)
    for path, reason in hostile.items():
        [line] = [line for line in lines if f"refused: {path} " in line]
        assert reason in line
    assert ward_server.record_count() == RECORDS + 5


def test_hostile_records_in_a_signed_bundle_are_refused_one_by_one(ward_server, kiosk, tmp_path):
    """A kiosk's own key signed them (a tampered kiosk): the ward still checks every record."""
    from sync.bundle import Bundle, _write_signed

    good = [r.model_dump(mode="json") for r in kiosk.outbox.pending(3)]
    deep: object = 1
    for _ in range(900):
        deep = [deep]
    hostile = [1, "x", None, {**good[0], "id": "not-a-uuid"}, {**good[1], "payload": {"deep": deep}},
               {**good[2], "seq": 2**70}, {**good[2], "payload": {"a\u0000b": 1}}]
    document = {"format": 1, "id": "b", "device_id": kiosk.device_id, "created_at": "now", "records": hostile + good}
    path = _write_signed(tmp_path / "x.bundle.json", "bundle", document, kiosk.credentials.bundle_key)
    receipt, results = import_(ward_server, path)
    assert [r.status for r in results] == ["rejected"] * len(hostile) + ["accepted"] * 3
    assert ward_server.record_count() == 3


def test_ward_import_knows_the_lessons_of_the_pack_it_serves(ward_server, tmp_path, capsys):
    """A lesson that only the ward's served pack has: refused without ``--packs``, stored with it."""
    kiosk = enroll_kiosk(ward_server, tmp_path, "kiosk-usb00003")
    kiosk.queue(4, lesson_id="moi-kieu-luyen-tap",
                payload={"step_id": "chon-ung-dung", "answer": "tin-nhan", "correct": True, "attempt": 1})
    bundle, _ = export_bundle(kiosk.outbox, kiosk.credentials, tmp_path / "usb")
    assert ward_cli(ward_server, "import", bundle) == 0
    assert "0 new, 0 already held, 4 refused" in capsys.readouterr().out
    served = Path(__file__).resolve().parents[1] / "fixtures" / "drill-pack"
    assert ward_cli(ward_server, "import", "--packs", served, bundle) == 0
    assert "4 new" in capsys.readouterr().out and ward_server.record_count() == 4
