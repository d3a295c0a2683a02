"""Signed packs: any change to the files, or a key the kiosk does not trust, fails with a reason."""
import base64
import json
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lessons.signing import (SIGNATURE_FILE, KeyFileError, check_unchanged, generate_keypair, key_id,
                             load_private_key, load_public_key, private_key_from_bytes, public_key_from_bytes,
                             public_key_text, sign_pack, verify_pack)
from tests.helpers import LESSON, LESSON_FILE, write_pack
from tests.helpers import run_lessons_cli as run_cli


@pytest.fixture
def ward_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def signed_pack(tmp_path, ward_key):
    folder = write_pack(tmp_path / "vi")
    (folder / "hinh").mkdir()
    (folder / "hinh" / "ghi-chu.txt").write_text("Ảnh do nhóm tự vẽ.", encoding="utf-8")
    sign_pack(folder, ward_key)
    return folder


def messages(problems) -> list[tuple[str, str, str]]:
    return [(problem.file.name, problem.where, problem.message) for problem in problems]


def test_a_signed_pack_verifies_and_lists_every_file_but_the_signature(signed_pack, ward_key):
    assert verify_pack(signed_pack, [Ed25519PrivateKey.generate().public_key(), ward_key.public_key()]) == []
    record = json.loads((signed_pack / SIGNATURE_FILE).read_text())
    assert sorted(record["files"]) == [LESSON_FILE, "hinh.png", "hinh/ghi-chu.txt", "pack.yaml"]
    assert record["key_id"] == key_id(ward_key.public_key()) and len(record["content_hash"]) == 64


def test_signing_again_gives_the_same_content_hash(signed_pack, ward_key):
    first = json.loads((signed_pack / SIGNATURE_FILE).read_text())["content_hash"]
    assert sign_pack(signed_pack, ward_key)["content_hash"] == first


@pytest.mark.parametrize("change, expected", [
    (lambda folder: (folder / LESSON_FILE).write_text("id: bai-khac\n", encoding="utf-8"),
     (LESSON_FILE, "", "changed since the pack was signed")),
    (lambda folder: (folder / "hinh" / "ghi-chu.txt").write_text("khác", encoding="utf-8"),
     ("ghi-chu.txt", "", "changed since the pack was signed")),
    (lambda folder: (folder / "02-bai-moi.yaml").write_text("id: bai-moi\n", encoding="utf-8"),
     ("02-bai-moi.yaml", "", "added after the pack was signed")),
    (lambda folder: (folder / "hinh.png").unlink(),
     ("hinh.png", "", "removed after the pack was signed")),
], ids=["lesson changed", "file in a subfolder changed", "file added", "file removed"])
def test_any_change_to_the_files_is_named(signed_pack, ward_key, change, expected):
    change(signed_pack)
    assert messages(verify_pack(signed_pack, [ward_key.public_key()])) == [expected]
    assert messages(check_unchanged(signed_pack)) == [expected]


def test_a_key_that_is_not_trusted(signed_pack, ward_key):
    stranger = Ed25519PrivateKey.generate().public_key()
    [(name, where, message)] = messages(verify_pack(signed_pack, [stranger]))
    assert (name, where) == (SIGNATURE_FILE, "key_id")
    assert f"signed with key {key_id(ward_key.public_key())}, which is not a trusted key (trusted: {key_id(stranger)})" in message


def test_a_signature_made_by_another_key_under_the_trusted_key_id(signed_pack, ward_key):
    forger = Ed25519PrivateKey.generate()
    record = json.loads((signed_pack / SIGNATURE_FILE).read_text())
    forged = sign_pack(signed_pack, forger)
    record["signature"] = forged["signature"]
    (signed_pack / SIGNATURE_FILE).write_text(json.dumps(record))
    assert messages(verify_pack(signed_pack, [ward_key.public_key()])) == [
        (SIGNATURE_FILE, "signature", f"does not verify with key {record['key_id']}; "
                                      "the signature file was altered or made with another key")]


def test_a_file_list_rewritten_to_match_a_changed_file(signed_pack, ward_key):
    (signed_pack / LESSON_FILE).write_text("id: gia-mao\n", encoding="utf-8")
    record = json.loads((signed_pack / SIGNATURE_FILE).read_text())
    record["files"][LESSON_FILE] = "0" * 64
    (signed_pack / SIGNATURE_FILE).write_text(json.dumps(record))
    assert messages(verify_pack(signed_pack, [ward_key.public_key()]))[0][1] == "signature"
    assert messages(check_unchanged(signed_pack)) == [
        (SIGNATURE_FILE, "content_hash", "does not match the signed file list; the signature file was altered")]


@pytest.mark.parametrize("content, expected", [
    (None, ("", "missing: the pack is not signed")),
    ("{not json", ("", "cannot be read as a signature file")),
    ('{"format": 1, "key_id": "abc", "signature": "", "files": {}}', ("content_hash", "is missing or has the wrong type")),
    ('{"format": 9}', ("format", "is 9; this version reads format 1")),
])
def test_an_unusable_signature_file(tmp_path, ward_key, content, expected):
    folder = write_pack(tmp_path / "vi")
    if content is not None:
        (folder / SIGNATURE_FILE).write_text(content)
    [(name, where, message)] = messages(verify_pack(folder, [ward_key.public_key()]))
    assert name == SIGNATURE_FILE and where == expected[0] and message.startswith(expected[1])


def test_keys_load_from_pem_and_from_raw_base64(tmp_path):
    key_path, pub_path = generate_keypair(tmp_path / "ward")
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    private_key, public_key = load_private_key(key_path), load_public_key(pub_path)
    assert key_id(private_key.public_key()) == key_id(public_key)
    assert key_id(public_key_from_bytes(public_key_text(public_key).encode() + b"\n")) == key_id(public_key)
    raw_private = base64.b64encode(private_key.private_bytes_raw())
    assert key_id(private_key_from_bytes(raw_private).public_key()) == key_id(public_key)


def test_keygen_never_overwrites_a_key(tmp_path):
    key_path, _ = generate_keypair(tmp_path / "ward")
    before = key_path.read_bytes()
    with pytest.raises(FileExistsError):
        generate_keypair(tmp_path / "ward")
    assert key_path.read_bytes() == before


@pytest.mark.parametrize("data", [b"not a key", base64.b64encode(b"short"), b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"])
def test_a_bad_key_is_refused_with_a_reason(data):
    with pytest.raises(KeyFileError, match="not an ed25519 key in PEM or raw base64"):
        public_key_from_bytes(data)


def test_a_public_key_is_not_a_private_key(tmp_path):
    _, pub_path = generate_keypair(tmp_path / "ward")
    with pytest.raises(KeyFileError):
        load_private_key(pub_path)


def test_ward_staff_keygen_sign_and_validate_from_the_command_line(tmp_path):
    folder = write_pack(tmp_path / "vi")
    keygen = run_cli("keygen", tmp_path / "ward")
    assert keygen.returncode == 0 and "public key in base64: " in keygen.stdout
    signed = run_cli("sign", folder, "--key", tmp_path / "ward.key")
    assert signed.returncode == 0 and signed.stdout.startswith(f"signed {folder}: thu (vi) version 1, 3 files, key ")
    trusted = run_cli("validate", folder, "--trust", tmp_path / "ward.pub")
    assert trusted.returncode == 0 and ", signed by trusted key " in trusted.stdout
    run_cli("keygen", tmp_path / "other")
    untrusted = run_cli("validate", folder, "--trust", tmp_path / "other.pub")
    assert untrusted.returncode == 1 and "which is not a trusted key" in untrusted.stdout


def test_trusting_a_key_requires_a_signature(tmp_path):
    folder = write_pack(tmp_path / "vi")
    run_cli("keygen", tmp_path / "ward")
    result = run_cli("validate", folder, "--trust", tmp_path / "ward.pub")
    assert result.returncode == 1 and f"ERROR {folder / SIGNATURE_FILE}: missing: the pack is not signed" in result.stdout


def test_a_broken_pack_is_not_signed(tmp_path):
    folder = write_pack(tmp_path / "vi", LESSON.replace("kind: choice", "kind: dance"))
    run_cli("keygen", tmp_path / "ward")
    result = run_cli("sign", folder, "--key", tmp_path / "ward.key")
    assert result.returncode == 1 and "not signed: " in result.stdout
    assert not (folder / SIGNATURE_FILE).exists()


def test_an_unreadable_key_is_a_usage_error(tmp_path):
    folder = write_pack(tmp_path / "vi")
    (tmp_path / "bad.key").write_text("hello")
    for result in (run_cli("sign", folder, "--key", tmp_path / "bad.key"), run_cli("sign", folder, "--key", tmp_path / "none.key"),
                   run_cli("validate", folder, "--trust", tmp_path / "bad.key")):
        assert result.returncode == 2 and result.stderr.startswith("error: cannot use key "), result.stderr


def test_signing_refuses_a_pack_with_a_symbolic_link_and_names_it(tmp_path, ward_key):
    from lessons.pack import PackError
    from lessons.signing import pack_files

    folder = write_pack(tmp_path / "vi")
    (folder / "hinh.png").unlink()
    (folder / "hinh.png").symlink_to("/etc/passwd")
    with pytest.raises(PackError, match="hinh.png: is a symbolic link"):
        pack_files(folder)
    with pytest.raises(PackError, match="hinh.png: is a symbolic link"):
        sign_pack(folder, ward_key)
    key_path, _ = generate_keypair(tmp_path / "ward")
    result = run_cli("sign", folder, "--key", key_path)
    assert result.returncode == 1 and f"{folder / 'hinh.png'}: is a symbolic link" in result.stdout
    assert not (folder / SIGNATURE_FILE).exists()


def test_a_link_added_after_signing_fails_verification_by_name(signed_pack, ward_key):
    (signed_pack / "hinh" / "ghi-chu.txt").unlink()
    (signed_pack / "hinh" / "ghi-chu.txt").symlink_to("/etc/passwd")
    [problem] = verify_pack(signed_pack, [ward_key.public_key()])
    assert problem.file.name == "ghi-chu.txt" and "symbolic link" in problem.message


def test_the_ward_server_will_not_hand_out_a_linked_file(signed_pack):
    from lessons.pack import PackError
    from sync.packs import encode_pack

    (signed_pack / "hinh.png").unlink()
    (signed_pack / "hinh.png").symlink_to("/etc/passwd")
    with pytest.raises(PackError, match="hinh.png: is a symbolic link"):
        encode_pack(signed_pack)
