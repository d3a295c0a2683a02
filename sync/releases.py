"""Kiosk releases, as both ends see them: the signed release folder, its archive, and the manifest the
ward server hands out before the archive.

A release is a folder (``bdhvs-release-<version>/``: ``release.json``, ``wheels/``, ``signature.json``)
signed like a lesson pack (``lessons.signing``: ed25519 over every file's SHA-256), made with
``kiosk-update build`` on the ward's signing computer. The ward server publishes it as one .tar
(``ward-server release add``) and serves, to enrolled kiosks only, a small manifest naming the newest
release's version, the archive's size and SHA-256 and the key that signed it; ``kiosk-update fetch``
reads the manifest first, so a release signed with a key the kiosk does not trust, or one it runs
already, is never downloaded. Every archive is untrusted: only plain files and folders, bounded in
size and count; the signature is checked on the unpacked folder before anything is installed.
"""
import hashlib
import json
import re
import tarfile
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from lessons.signing import verify_pack

RELEASE_FILE = "release.json"
RELEASE_FORMAT = 1
VERSION = re.compile(r"^[0-9][0-9A-Za-z.+_-]{0,39}$")  # fits the heartbeat's app_version
MAX_RELEASE_BYTES = 500_000_000
MAX_RELEASE_FILES = 500
MAX_MANIFEST_BYTES = 4096


class ReleaseRefused(Exception):
    """The release cannot be used; the message says why, for the technician."""


class ReleaseManifest(BaseModel):
    """What the ward server says about its newest release, before the kiosk downloads it."""

    format: int = Field(RELEASE_FORMAT, ge=RELEASE_FORMAT, le=RELEASE_FORMAT)
    version: str = Field(pattern=VERSION.pattern)
    size: int = Field(gt=0, le=MAX_RELEASE_BYTES, description="bytes of the release archive")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the release archive")
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$", description="the signing key's id (lessons.signing.key_id)")
    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="the release's signed content hash")

    @classmethod
    def parse(cls, body: bytes) -> "ReleaseManifest":
        """The manifest in a server's answer; ReleaseRefused when it is not one."""
        if len(body) > MAX_MANIFEST_BYTES:
            raise ReleaseRefused("the ward server's release manifest is larger than one can be")
        try:
            return cls.model_validate_json(body)
        except ValidationError as exc:
            raise ReleaseRefused(f"the ward server's release manifest cannot be read ({exc.errors()[0]['msg']})") from None


def release_version(folder: Path) -> str:
    """The version ``release.json`` names, once the folder holds that version's kiosk wheel."""
    try:
        document = json.loads((folder / RELEASE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReleaseRefused(f"{RELEASE_FILE} cannot be read ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != RELEASE_FORMAT:
        raise ReleaseRefused(f"{RELEASE_FILE} is not a release description this kiosk reads")
    version = document.get("version")
    if not isinstance(version, str) or not VERSION.match(version):
        raise ReleaseRefused(f"{RELEASE_FILE} does not name a release version this kiosk reads")
    if not list((folder / "wheels").glob(f"bdhvs_kiosk-{version}-*.whl")):
        raise ReleaseRefused(f"the release holds no bdhvs_kiosk {version} wheel")
    return version


def read_release(folder: Path, keys: list) -> str:
    """The version of the signed release in ``folder``; ReleaseRefused if it is not one we trust."""
    problems = verify_pack(folder, keys)
    if problems:
        raise ReleaseRefused("the release's signature does not verify: " + "; ".join(str(p) for p in problems[:3]))
    return release_version(folder)


def unpack_archive(archive: Path, into: Path) -> Path:
    """The release folder in the .tar ``archive``, unpacked into ``into``/release with only plain
    files and folders, bounded in size and count."""
    folder = into / "release"
    try:
        with tarfile.open(archive) as tar:
            members = []
            for member in tar:
                members.append(member)
                if len(members) > MAX_RELEASE_FILES or sum(m.size for m in members) > MAX_RELEASE_BYTES:
                    raise ReleaseRefused("the release archive is larger than a release can be")
            if any(not (m.isfile() or m.isdir()) for m in members):
                raise ReleaseRefused("the release archive holds links or special files")
            tar.extractall(folder, filter="data")
    except (OSError, tarfile.TarError) as exc:
        raise ReleaseRefused(f"{archive.name} is not a release folder or archive ({exc})") from None
    entries = list(folder.iterdir()) if folder.is_dir() else []
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else folder


def pack_archive(folder: Path, version: str, target: Path) -> tuple[int, str]:
    """Write the release ``folder`` as the .tar ``target`` (``bdhvs-release-<version>/…``, plain files
    only, in a stable order); its (size, SHA-256)."""
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(folder, arcname=f"bdhvs-release-{version}", recursive=False)
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                raise ReleaseRefused(f"{path} is a link or a special file; a release holds plain files only")
            tar.add(path, arcname=f"bdhvs-release-{version}/{path.relative_to(folder).as_posix()}", recursive=False)
    return target.stat().st_size, file_sha256(target)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
