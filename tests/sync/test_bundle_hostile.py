"""Hostile files on a USB stick: links, pipes, folders, huge and deeply nested files are refused one by
one with their reason, nothing is written through a planted link, and any bytes give BadBundle or a result."""
import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync import bundle as bundles
from sync.bundle import (BadBundle, Bundle, apply_receipt, export_bundle, read_bundle, receipt_path,
                         write_receipt)
from sync.credentials import Credentials
from sync.outbox import Outbox
from tests.sync.factory import Kiosk

KEY = "5e" * 32


@pytest.fixture
def kiosk(tmp_path) -> Kiosk:
    credentials = Credentials(server_url="https://ward.example", device_id="kiosk-usb00001", secret="s" * 43,
                              venue_id="ca-phe-luka", name="Cà phê Luka", bundle_key=KEY)
    kiosk = Kiosk(credentials, Outbox(tmp_path / "outbox"))
    kiosk.queue(20)
    return kiosk


def keys(device_id: str) -> str | None:
    return KEY if device_id == "kiosk-usb00001" else None


def ward_receipt(bundle: Path) -> Path:
    """The receipt the ward writes for ``bundle``: every record accepted."""
    read = read_bundle(bundle, keys)
    return write_receipt(bundle, read, [{"id": r["id"], "status": "accepted", "reason": None} for r in read.records], KEY)


def hostile_files(folder: Path) -> dict[str, str]:
    """A receipt-named file of each hostile kind in ``folder``, with the reason each must be refused for."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "1-zero.receipt.json").symlink_to("/dev/zero")
    os.mkfifo(folder / "2-pipe.receipt.json")
    (folder / "3-folder.receipt.json").mkdir()
    (folder / "4-deep.receipt.json").write_text('{"receipt":' + "[" * 200_000)
    with open(folder / "5-huge.receipt.json", "wb") as huge:
        huge.truncate(400 * 2**20)  # sparse: takes no room
    return {"1-zero": "symbolic link", "2-pipe": "not a regular file", "3-folder": "not a regular file",
            "4-deep": "nested too deeply", "5-huge": "more than"}


def test_each_hostile_receipt_is_refused_quickly_with_its_reason(kiosk, tmp_path):
    stick = tmp_path / "usb"
    for name, reason in hostile_files(stick).items():
        started = time.monotonic()
        with pytest.raises(BadBundle, match=reason):
            apply_receipt(stick / f"{name}.receipt.json", kiosk.outbox, kiosk.credentials)
        assert time.monotonic() - started < 3, name  # refused up front, not after reading it all
    assert kiosk.outbox.stats().pending == 20


def test_a_huge_or_linked_bundle_is_refused_before_it_is_read(tmp_path):
    stick = tmp_path / "usb"
    stick.mkdir()
    with open(stick / "huge.bundle.json", "wb") as huge:
        huge.truncate(400 * 2**20)
    (stick / "zero.bundle.json").symlink_to("/dev/zero")
    with pytest.raises(BadBundle, match="more than"):
        read_bundle(stick / "huge.bundle.json", keys)
    with pytest.raises(BadBundle, match="symbolic link"):
        read_bundle(stick / "zero.bundle.json", keys)
    with pytest.raises(BadBundle, match="cannot be opened"):
        read_bundle(stick / "missing.bundle.json", keys)


def test_the_staff_receipt_intake_skips_hostile_files_and_takes_in_the_good_one(kiosk, tmp_path):
    from kiosk.config import KioskConfig
    from kiosk.services import KioskServices

    config = KioskConfig(data_dir=tmp_path / "kiosk", usb_export_dir=tmp_path / "usb")
    kiosk.credentials.save(config.credentials_file)
    services = KioskServices(config)
    Kiosk(services.credentials, services.outbox).queue(7)
    bundle, _ = export_bundle(services.outbox, services.credentials, tmp_path / "usb")
    ward_receipt(bundle).rename(tmp_path / "usb" / "9-good.receipt.json")
    hostile_files(tmp_path / "usb")
    outcome = services.staff.export()
    assert outcome.ok and services.outbox.stats().pending == 0
    assert "7" in outcome.message and "5" in outcome.message  # 7 settled; 5 receipts could not be used


def test_a_link_planted_on_the_stick_is_never_written_through(kiosk, tmp_path):
    victim = tmp_path / "kiosk-file"
    victim.write_text("keep me")
    stick = tmp_path / "usb"
    bundle, _ = export_bundle(kiosk.outbox, kiosk.credentials, stick)
    receipt = receipt_path(bundle)
    receipt.symlink_to(victim)
    receipt.with_name(receipt.name + ".tmp").symlink_to(victim)  # where the temporary file used to go
    ward_receipt(bundle)
    assert victim.read_text() == "keep me"
    assert not receipt.is_symlink() and apply_receipt(receipt, kiosk.outbox, kiosk.credentials).accepted == 20
    assert [p.name for p in stick.iterdir() if p.name.endswith(".tmp") and not p.is_symlink()] == []


def test_a_bundle_too_big_for_one_stick_file_leaves_the_rest_for_the_next(kiosk, tmp_path, monkeypatch):
    one = len(json.dumps(kiosk.outbox.pending(1)[0].model_dump(mode="json")))
    monkeypatch.setattr(bundles, "MAX_BUNDLE_BYTES", 300 + 12 * (one + 1))
    first, count = export_bundle(kiosk.outbox, kiosk.credentials, tmp_path / "usb")
    assert 5 < count < 20 and len(read_bundle(first, keys).records) == count
    apply_receipt(ward_receipt(first), kiosk.outbox, kiosk.credentials)
    second, rest = export_bundle(kiosk.outbox, kiosk.credentials, tmp_path / "usb")
    assert rest == 20 - count and first.stat().st_size <= bundles.MAX_BUNDLE_BYTES


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)
RECEIPTISH = st.fixed_dictionaries({"receipt": st.fixed_dictionaries(
    {"format": st.sampled_from([1, 2]), "device_id": st.sampled_from(["kiosk-usb00001", "x"]), "results": JSON}),
    "mac": st.text(max_size=64)})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode())
       | RECEIPTISH.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_on_the_stick_give_a_result_or_bad_bundle(kiosk, tmp_path, content):
    path = tmp_path / "fuzz.receipt.json"
    path.write_bytes(content)
    with pytest.raises(BadBundle):
        apply_receipt(path, kiosk.outbox, kiosk.credentials)  # none is MAC'd with the key
    with pytest.raises(BadBundle):
        read_bundle(path, keys)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(results=JSON)
def test_a_signed_receipt_with_any_results_settles_or_is_refused(kiosk, tmp_path, results):
    path = write_receipt(tmp_path / "x.bundle.json", Bundle("b", "kiosk-usb00001", []), results, KEY)
    try:
        apply_receipt(path, kiosk.outbox, kiosk.credentials)
    except BadBundle:
        pass
