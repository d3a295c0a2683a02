"""Lesson packs from the ward: ETag and 304, signature checked on the kiosk, the last good pack kept."""
import base64
import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings, strategies as st
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lessons.signing import sign_pack
from sync.heartbeat import collect_heartbeat
from sync.packs import BadPackDownload, PackInstaller, decode_pack, encode_pack
from sync.server.db import Device
from sync.worker import SyncWorker
from tests.harness import WardServer
from tests.sync.factory import enroll_kiosk

PACK = Path(__file__).resolve().parents[2] / "lessons" / "packs" / "vi"
WARD_KEY = Ed25519PrivateKey.generate()


def signed_pack(folder: Path, key: Ed25519PrivateKey = WARD_KEY, tamper: bool = False) -> Path:
    shutil.copytree(PACK, folder, ignore=shutil.ignore_patterns("signature.json"))
    sign_pack(folder, key)
    if tamper:  # "call this number" swapped into a lesson after it was signed
        lesson = next(folder.glob("*.yaml"))
        lesson.write_text(lesson.read_text(encoding="utf-8") + "\n# gọi 0900000000\n", encoding="utf-8")
    return folder


@pytest.fixture
def pack_server(database_url, tmp_path):
    server = WardServer(database_url, packs_dir=signed_pack(tmp_path / "ward-pack")).start()
    yield server
    server.stop()


def test_a_signed_pack_is_installed_once_then_answered_304(pack_server, tmp_path):
    client = enroll_kiosk(pack_server, tmp_path, "kiosk-pack0001").client()
    installer = PackInstaller(tmp_path / "kiosk" / "pack", [WARD_KEY.public_key()])
    body = client.get_pack(installer.etag)
    assert installer.install(body).status == "installed"
    assert sorted(p.name for p in installer.folder.iterdir()) == sorted(p.name for p in (tmp_path / "ward-pack").iterdir())
    assert installer.etag == encode_pack(tmp_path / "ward-pack")[0]
    assert client.get_pack(installer.etag) is None


@pytest.mark.parametrize("key, tamper, problem", [
    (WARD_KEY, True, "changed since the pack was signed"),
    (Ed25519PrivateKey.generate(), False, "not a trusted key"),
])
def test_a_bad_pack_is_refused_and_the_last_good_one_stays(database_url, tmp_path, key, tamper, problem):
    installer = PackInstaller(tmp_path / "kiosk" / "pack", [WARD_KEY.public_key()])
    _, good = encode_pack(signed_pack(tmp_path / "good"))
    assert installer.install(good).status == "installed"
    server = WardServer(database_url, packs_dir=signed_pack(tmp_path / "bad", key, tamper)).start()
    try:
        body = enroll_kiosk(server, tmp_path, "kiosk-pack0002").client().get_pack(None)
    finally:
        server.stop()
    update = installer.install(body)
    assert update.status == "refused" and problem in " ".join(update.problems)
    assert installer.etag == encode_pack(tmp_path / "good")[0]
    assert not installer.folder.with_name("pack.incoming").exists()


@pytest.mark.parametrize("names", [["../evil.yaml"], ["/etc/passwd"], ["a/../../b"], [""]])
def test_file_names_from_the_network_cannot_escape_the_pack_folder(tmp_path, names):
    body = ('{"format": 1, "content_hash": "x", "files": {%s}}' % ", ".join(f'"{n}": "AA=="' for n in names)).encode()
    with pytest.raises(BadPackDownload):
        decode_pack(body, tmp_path / "incoming")
    assert not (tmp_path / "incoming").exists()


def test_packs_need_a_device_token_and_a_pack(ward_server, tmp_path):
    assert requests.get(f"{ward_server.url}/api/v1/packs", timeout=5).status_code == 401
    assert enroll_kiosk(ward_server, tmp_path, "kiosk-pack0003").client().get_pack(None) is None  # 404: none to give


def test_the_worker_fetches_a_new_pack_after_syncing(pack_server, tmp_path):
    kiosk = enroll_kiosk(pack_server, tmp_path, "kiosk-pack0004")
    kiosk.queue(1)
    installer = PackInstaller(tmp_path / "kiosk" / "pack", [WARD_KEY.public_key()])
    worker = SyncWorker(kiosk.outbox, kiosk.client(), interval_s=0.05, packs=installer).start()
    deadline = time.monotonic() + 10
    while installer.etag is None and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
    assert installer.etag == encode_pack(tmp_path / "ward-pack")[0]
    kiosk.client().send_heartbeat(beat := collect_heartbeat(kiosk.outbox, None, installer.etag))
    with pack_server.sessions() as session:  # the ward sees which pack this kiosk shows
        assert session.get(Device, kiosk.device_id).heartbeat["pack_version"] == beat.pack_version


def pack_document(files: dict) -> bytes:
    return json.dumps({"format": 1, "content_hash": "x", "files": files}).encode()


@pytest.mark.parametrize("body, why", [
    (pack_document({"a\x00b.yaml": "AA=="}), "file name"),
    (pack_document({".hidden": "AA=="}), "file name"),
    (pack_document({"a\\b.yaml": "AA=="}), "file name"),
    (pack_document({"a": "AA==", "a/b": "AA=="}), "both a file and a folder"),
    (pack_document({"a.yaml": 12}), "not base64 text"),
    (pack_document({"a.yaml": "***"}), "not valid base64"),
    (b'{"format": 1, "files": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    (b'{"format": 1, "files": {"a": [[[[[[1]]]]]]}}', "not a pack document"),
    (b'{"format": 1, "size": ' + b"9" * 5000 + b', "files": {}}', "number"),
    (b'[1, 2, 3]', "not a pack document"),
    (b'"files"', "not a pack document"),
    (b'\xff\xfe{', "not valid JSON"),
])
def test_a_malformed_pack_download_is_refused_with_a_reason(tmp_path, body, why):
    with pytest.raises(BadPackDownload, match=why):
        decode_pack(body, tmp_path / "incoming")
    installer = PackInstaller(tmp_path / "pack", [WARD_KEY.public_key()])
    update = installer.install(body)
    assert update.status == "refused" and not installer.folder.with_name("pack.incoming").exists()


names = st.one_of(st.text(max_size=30), st.sampled_from(["a.yaml", "x/y.png", "../up", "/abs", "a/../b", "a//b", "."]))
documents = st.one_of(
    st.binary(max_size=300),
    st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
                 lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                 max_leaves=20).map(lambda doc: json.dumps(doc).encode()),
    st.dictionaries(names, st.one_of(st.just("AA=="), st.binary(max_size=20).map(lambda b: base64.b64encode(b).decode()),
                                     st.text(max_size=10), st.integers()), max_size=6).map(pack_document),
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_untrusted_pack_downloads_never_raise_anything_but_a_refusal_nor_write_outside(body):
    with tempfile.TemporaryDirectory() as root:
        into = Path(root) / "incoming"
        try:
            decode_pack(body, into)
        except BadPackDownload:
            pass
        written = [p for p in Path(root).rglob("*")]
        assert all(p == into or into in p.parents for p in written)
        assert not any(p.is_symlink() for p in written)


def test_a_link_planted_in_the_served_pack_is_not_served_and_records_still_flow(pack_server, tmp_path):
    """The ward's pack folder gains a symbolic link after signing: the server refuses to read through it
    (503, a retry later), the kiosk keeps its pack, and its records still reach the ward."""
    (tmp_path / "ward-pack" / "extra.png").symlink_to("/etc/passwd")
    kiosk = enroll_kiosk(pack_server, tmp_path, "kiosk-pack0005")
    kiosk.queue(3)
    client = kiosk.client()
    response = requests.get(f"{pack_server.url}/api/v1/packs", timeout=10, headers={
        "Authorization": f"Bearer {client.credentials.device_id}.{client.credentials.secret}"})
    assert response.status_code == 503 and "passwd" not in response.text
    installer = PackInstaller(tmp_path / "kiosk" / "pack", [WARD_KEY.public_key()])
    assert SyncWorker(kiosk.outbox, client, packs=installer).sync_once()
    assert installer.etag is None and pack_server.record_count() == 3
