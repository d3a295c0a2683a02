"""Lesson packs over the network: the wire format, and installing a downloaded pack only if it verifies.

The ward server sends the signed pack folder as one JSON document (every file base64-encoded, with
the pack's content hash, which is also its ETag), so a kiosk asks ``If-None-Match`` and usually
gets a bodyless 304. A downloaded pack is unpacked beside the current one, checked with
``lessons.signing.verify_pack`` against the keys the kiosk trusts, and only then swapped in by two
renames; a pack that fails is deleted and the last good one stays. File names from the network are
untrusted: only plain relative paths are written.
"""
import base64
import binascii
import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lessons.signing import pack_files, read_signature, verify_pack

log = logging.getLogger(__name__)

FORMAT = 1
MAX_FILES = 2000


class BadPackDownload(ValueError):
    """The server's answer is not a pack document this kiosk can unpack."""


def content_hash(folder: Path) -> str | None:
    """The signed content hash of the pack in ``folder`` (its ETag), or None when it has no signature."""
    record, _ = read_signature(folder)
    return record["content_hash"] if record else None


def encode_pack(folder: Path) -> tuple[str, bytes]:
    """The pack in ``folder`` as (ETag, JSON body); ValueError when it is not signed."""
    etag = content_hash(folder)
    if etag is None:
        raise ValueError(f"{folder} holds no signed lesson pack")
    files = {name: base64.b64encode((folder / name).read_bytes()).decode()
             for name in [*pack_files(folder), "signature.json"]}
    return etag, json.dumps({"format": FORMAT, "content_hash": etag, "files": files}).encode()


def _safe_name(name: object) -> PurePosixPath:
    path = PurePosixPath(name) if isinstance(name, str) else None
    if (path is None or path.is_absolute() or not path.parts or "\\" in name
            or any(part in ("", ".", "..") for part in path.parts)):
        raise BadPackDownload(f"refusing the file name {name!r}")
    return path


def decode_pack(body: bytes, into: Path) -> None:
    """Unpack a pack document into the new folder ``into``; BadPackDownload when it is malformed."""
    try:
        document = json.loads(body)
        files = document["files"]
        if document.get("format") != FORMAT or not isinstance(files, dict) or len(files) > MAX_FILES:
            raise BadPackDownload("not a pack document of format 1")
        contents = {_safe_name(name): base64.b64decode(data, validate=True) for name, data in files.items()}
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise BadPackDownload(f"the pack download is malformed ({exc})") from exc
    into.mkdir(parents=True)
    for name, data in contents.items():
        target = into.joinpath(*name.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@dataclass
class PackUpdate:
    status: Literal["unchanged", "installed", "refused"]
    problems: list[str] = field(default_factory=list)


class PackInstaller:
    """Keeps ``folder`` holding the newest pack that verifies with one of ``trusted_keys``."""

    def __init__(self, folder: Path, trusted_keys: Iterable[Ed25519PublicKey]) -> None:
        self.folder = Path(folder)
        self.trusted_keys = list(trusted_keys)
        self._incoming = self.folder.with_name(self.folder.name + ".incoming")
        self._old = self.folder.with_name(self.folder.name + ".old")
        if not self.folder.exists() and self._old.exists():  # a crash between the two renames
            self._old.rename(self.folder)

    @property
    def etag(self) -> str | None:
        """The content hash of the installed pack: what to send as ``If-None-Match``."""
        return content_hash(self.folder) if self.folder.exists() else None

    def install(self, body: bytes) -> PackUpdate:
        """Unpack, verify and swap in a downloaded pack; on any problem keep the current one."""
        shutil.rmtree(self._incoming, ignore_errors=True)
        try:
            decode_pack(body, self._incoming)
            problems = [str(problem) for problem in verify_pack(self._incoming, self.trusted_keys)]
        except (BadPackDownload, OSError) as exc:
            problems = [str(exc)]
        if problems:
            shutil.rmtree(self._incoming, ignore_errors=True)
            log.error("packs: a downloaded lesson pack was refused, the current one stays: %s", "; ".join(problems))
            return PackUpdate("refused", problems)
        shutil.rmtree(self._old, ignore_errors=True)
        if self.folder.exists():
            self.folder.rename(self._old)
        self._incoming.rename(self.folder)
        shutil.rmtree(self._old, ignore_errors=True)
        log.info("packs: installed lesson pack %s", self.etag)
        return PackUpdate("installed")
