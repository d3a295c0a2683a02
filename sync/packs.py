"""Lesson packs over the network: the wire format, and installing a downloaded pack only if it verifies.

The ward server sends the signed pack folder as one JSON document (every file base64-encoded, with
the pack's content hash, which is also its ETag), so a kiosk asks ``If-None-Match`` and usually
gets a bodyless 304. A downloaded pack is unpacked beside the current one, checked with
``lessons.signing.verify_pack`` against the keys the kiosk trusts, and only then swapped in by two
renames; a pack that fails is deleted and the last good one stays. The download is untrusted: file
names must be plain relative paths of ordinary characters (no NUL, no ``..``, no hidden names), the
JSON is bounded in nesting and number size, and whatever else is wrong with it is one refusal with
a reason, never an exception that could stop the sync thread.
"""
import base64
import binascii
import json
import logging
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lessons.signing import pack_files, read_signature, verify_pack

log = logging.getLogger(__name__)

FORMAT = 1
MAX_FILES = 2000
MAX_NAME_PARTS = 8
NAME_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
MAX_DEPTH = 4  # the document is {"files": {name: text}}: anything deeper is not a pack
MAX_NUMBER_DIGITS = 20


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
    parts = name.split("/") if isinstance(name, str) and len(name) <= 255 else []
    if not 1 <= len(parts) <= MAX_NAME_PARTS or not all(NAME_PART.fullmatch(part) for part in parts):
        raise BadPackDownload(f"refusing the file name {str(name)[:80]!r}")
    return PurePosixPath(*parts)


def _depth(value: object, limit: int = MAX_DEPTH) -> int:
    """How deep ``value`` nests, counting no further than ``limit`` + 1."""
    if limit < 0 or not isinstance(value, (dict, list)):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(child, limit - 1) for child in children), default=0)


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER_DIGITS:
        raise BadPackDownload("a number in the pack document is absurdly long")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _parse(body: bytes) -> dict:
    """The pack document's JSON object, bounded in nesting and number size."""
    try:
        document = json.loads(body, parse_int=_number, parse_float=_number)
    except RecursionError:
        raise BadPackDownload("the pack document is nested too deeply") from None
    except (ValueError, TypeError) as exc:  # BadPackDownload included
        raise BadPackDownload(f"the pack download is not valid JSON ({str(exc)[:120]})") from None
    if not isinstance(document, dict) or _depth(document) > MAX_DEPTH:
        raise BadPackDownload("not a pack document of format 1")
    return document


def decode_pack(body: bytes, into: Path) -> None:
    """Unpack a pack document into the new folder ``into``; BadPackDownload when it is malformed.

    Nothing is written unless every name and every file decodes; nothing is written outside ``into``.
    """
    document = _parse(body)
    files = document.get("files")
    if document.get("format") != FORMAT or not isinstance(files, dict) or len(files) > MAX_FILES:
        raise BadPackDownload("not a pack document of format 1")
    contents: dict[PurePosixPath, bytes] = {}
    for name, data in files.items():
        path = _safe_name(name)
        if path in contents or not isinstance(data, str):
            raise BadPackDownload(f"the file {name!r} is repeated or not base64 text")
        try:
            contents[path] = base64.b64decode(data, validate=True)
        except (ValueError, binascii.Error):
            raise BadPackDownload(f"the file {name!r} is not valid base64") from None
    folders = {parent for path in contents for parent in path.parents}
    if clash := folders & contents.keys():
        raise BadPackDownload(f"{str(min(clash))!r} is both a file and a folder")
    try:
        into.mkdir(parents=True)
        for name, data in contents.items():
            target = into.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as handle:
                handle.write(data)
    except OSError as exc:
        raise BadPackDownload(f"the pack could not be unpacked ({exc.strerror or exc})") from exc


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
        except BadPackDownload as exc:
            problems = [str(exc)]
        except Exception as exc:  # noqa: BLE001 - a hostile pack must not stop sync; it is refused
            problems = [f"the pack could not be checked ({exc.__class__.__name__}: {str(exc)[:200]})"]
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
