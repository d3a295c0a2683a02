"""Signing lesson packs (ed25519) so a kiosk teaches only what the ward's staff published.

A pack travels from the ward server or on a USB stick; anyone could change a lesson on the way
(a "call this number" swapped in a scam lesson is the danger). The ward signs a manifest that
lists every file of the pack folder with its SHA-256, so changing, adding or removing any file
breaks the signature, and the verifier can say which file differs.

``signature.json`` holds the manifest's file list, its hash (the pack's content hash for
distribution), the id of the signing key and the base64 signature. The signed bytes are the
canonical JSON of the manifest, which any language can rebuild. Keys are stored as PEM or as raw
base64 (32 bytes), so a public key can also be pasted into a settings file.
"""
import base64
import binascii
import hashlib
import json
import os
from pathlib import Path
from typing import Iterable

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lessons.pack import PackError, PackProblem, unsafe_entries
from lessons.problems import problem

SIGNATURE_FILE = "signature.json"
MANIFEST_FORMAT = 1


class KeyFileError(ValueError):
    """A key file that is not an ed25519 key in PEM or raw base64."""


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short, stable name for a public key, so a signature says which key made it."""
    return hashlib.sha256(_raw_public(public_key)).hexdigest()[:16]


def public_key_text(public_key: Ed25519PublicKey) -> str:
    """The raw public key in base64: one line to paste into a kiosk's or server's settings."""
    return base64.b64encode(_raw_public(public_key)).decode()


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def generate_keypair(prefix: Path) -> tuple[Path, Path]:
    """Write a new private key to ``PREFIX.key`` (owner-only) and its public key to ``PREFIX.pub``.

    Never overwrites: losing the ward's private key would orphan every kiosk that trusts it.
    """
    private_key = Ed25519PrivateKey.generate()
    key_path, pub_path = Path(f"{prefix}.key"), Path(f"{prefix}.pub")
    for path in (key_path, pub_path):
        if path.exists():
            raise FileExistsError(f"{path} already exists; choose another name")
    private_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())
    public_pem = private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)
    with os.fdopen(os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(private_pem)
    pub_path.write_bytes(public_pem)
    return key_path, pub_path


def private_key_from_bytes(data: bytes) -> Ed25519PrivateKey:
    """Read a private key given as PEM (PKCS#8, unencrypted) or as 32 raw bytes in base64."""
    key = _from_bytes(data, serialization.load_pem_private_key, Ed25519PrivateKey.from_private_bytes, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError("not an ed25519 private key")
    return key


def public_key_from_bytes(data: bytes) -> Ed25519PublicKey:
    """Read a public key given as PEM (SubjectPublicKeyInfo) or as 32 raw bytes in base64."""
    key = _from_bytes(data, serialization.load_pem_public_key, Ed25519PublicKey.from_public_bytes)
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError("not an ed25519 public key")
    return key


def _from_bytes(data: bytes, from_pem, from_raw, **pem_options):
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return from_pem(data, **pem_options)
        return from_raw(base64.b64decode(data.strip(), validate=True))
    except (ValueError, TypeError, binascii.Error, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"not an ed25519 key in PEM or raw base64 ({exc})") from exc


def load_private_key(path: Path) -> Ed25519PrivateKey:
    return private_key_from_bytes(Path(path).read_bytes())


def load_public_key(path: Path) -> Ed25519PublicKey:
    return public_key_from_bytes(Path(path).read_bytes())


def pack_files(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (POSIX relative path -> hex), the signature excepted.

    Raises PackError naming each symbolic link or special file: what is signed and served is only
    what lies in the folder itself.
    """
    folder = Path(folder)
    problems = unsafe_entries(folder)
    if problems:
        raise PackError(problems)
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).as_posix() != SIGNATURE_FILE
    }


def manifest_bytes(files: dict[str, str]) -> bytes:
    """The exact bytes that are signed: canonical JSON, so every signer and verifier agree."""
    return json.dumps({"format": MANIFEST_FORMAT, "files": files}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True).encode()


def sign_pack(folder: Path, private_key: Ed25519PrivateKey) -> dict:
    """Sign every file in ``folder`` and write ``signature.json`` there (atomically); return its content."""
    folder = Path(folder)
    files = pack_files(folder)
    manifest = manifest_bytes(files)
    signature = {
        "format": MANIFEST_FORMAT,
        "algorithm": "ed25519",
        "key_id": key_id(private_key.public_key()),
        "content_hash": hashlib.sha256(manifest).hexdigest(),
        "signature": base64.b64encode(private_key.sign(manifest)).decode(),
        "files": files,
    }
    staging = folder / f".{SIGNATURE_FILE}.new"
    staging.write_text(json.dumps(signature, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(staging, folder / SIGNATURE_FILE)
    return signature


def read_signature(folder: Path) -> tuple[dict | None, list[PackProblem]]:
    """The pack's signature record, or the problems that make it unusable (a missing file included)."""
    path = Path(folder) / SIGNATURE_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [problem(path, "", "unsigned")]
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, [problem(path, "", "signature_unreadable", detail=str(exc))]
    if not isinstance(record, dict):
        return None, [problem(path, "", "signature_not_an_object")]
    if record.get("format") != MANIFEST_FORMAT:
        return None, [problem(path, "format", "signature_format", found=record.get("format"), expected=MANIFEST_FORMAT)]
    problems = [problem(path, name, "signature_field")
                for name, kind in (("key_id", str), ("content_hash", str), ("signature", str), ("files", dict))
                if not isinstance(record.get(name), kind)]
    return (None, problems) if problems else (record, [])


def check_unchanged(folder: Path) -> list[PackProblem]:
    """Whether the files still match what was signed, without saying who signed.

    Catches the everyday mistake (a pack edited after signing) where no trusted key is at hand;
    only ``verify_pack`` proves who published the pack.
    """
    record, problems = read_signature(folder)
    return problems if record is None else _unchanged(Path(folder), record)


def verify_pack(folder: Path, trusted_public_keys: Iterable[Ed25519PublicKey]) -> list[PackProblem]:
    """Check that a trusted key signed exactly the files now in ``folder``; no problems means verified."""
    folder = Path(folder)
    record, problems = read_signature(folder)
    if record is None:
        return problems
    path = folder / SIGNATURE_FILE
    trusted = {key_id(key): key for key in trusted_public_keys}
    key = trusted.get(record["key_id"])
    if key is None:
        return [problem(path, "key_id", "untrusted_key", key=record["key_id"], trusted=", ".join(sorted(trusted)) or "none")]
    try:
        key.verify(base64.b64decode(record["signature"], validate=True), manifest_bytes(record["files"]))
    except (InvalidSignature, binascii.Error, ValueError):
        return [problem(path, "signature", "bad_signature", key=record["key_id"])]
    return _unchanged(folder, record)


def _unchanged(folder: Path, record: dict) -> list[PackProblem]:
    """Compare the signed file list with the folder, naming each file that differs."""
    if hashlib.sha256(manifest_bytes(record["files"])).hexdigest() != record["content_hash"]:
        return [problem(folder / SIGNATURE_FILE, "content_hash", "file_list_altered")]
    try:
        current = pack_files(folder)
    except PackError as exc:
        return exc.problems
    except OSError as exc:
        return [problem(folder, "", "files_unreadable", detail=str(exc))]
    signed = record["files"]
    return ([problem(folder / name, "", "changed_after_signing")
             for name in sorted(signed.keys() & current.keys()) if signed[name] != current[name]]
            + [problem(folder / name, "", "added_after_signing") for name in sorted(current.keys() - signed.keys())]
            + [problem(folder / name, "", "removed_after_signing") for name in sorted(signed.keys() - current.keys())])
