"""The kiosk releases the ward publishes (``ward-server release add``) and hands out to its kiosks.

The folder holds each published release as ``<version>.tar`` with its manifest ``<version>.json``
(``sync.releases.ReleaseManifest``), and ``latest``, the version kiosks are offered. Each file is
written beside its place and renamed into it, so a kiosk never downloads half a release and the
route always finds the archive its manifest names. The ward server holds no signing key: it only
publishes a release whose files still match its signature, and with ``--key`` one a trusted key
signed; the kiosk checks the signature itself before installing.
"""
import logging
import os
import re
import tempfile
from pathlib import Path

from lessons.signing import check_unchanged, load_public_key, read_signature, verify_pack
from sync.releases import ReleaseManifest, ReleaseRefused, pack_archive, release_version, unpack_archive
from sync.server.api.schemas import VERSION_PATTERN

log = logging.getLogger(__name__)

LATEST = "latest"
KEEP_PUBLISHED = 3  # the newest and two before it, for kiosks still downloading those


def default_releases_dir(database_url: str) -> Path:
    """Beside the SQLite file when there is one (``var/releases`` for the default), else ``var/releases``."""
    if database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
        return Path(database_url.removeprefix("sqlite:///")).parent / "releases"
    return Path("var/releases")


class ReleaseSource:
    """The published releases in ``folder``; a missing folder is a ward that has published none."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def latest(self) -> ReleaseManifest | None:
        """The manifest of the release kiosks are offered, None when there is none (or it cannot be read)."""
        try:
            version = (self.folder / LATEST).read_text(encoding="utf-8").strip()
            return self.manifest(version)
        except OSError:
            return None

    def manifest(self, version: str) -> ReleaseManifest | None:
        if not re.fullmatch(VERSION_PATTERN, version) or version == "unknown":
            return None
        try:
            return ReleaseManifest.parse((self.folder / f"{version}.json").read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ReleaseRefused) as exc:
            log.error("releases: the manifest of %s cannot be read: %s", version, exc)
            return None

    def archive(self, version: str) -> Path | None:
        """The archive of a published release, or None."""
        manifest = self.manifest(version)
        path = self.folder / f"{version}.tar"
        return path if manifest is not None and path.is_file() and not path.is_symlink() else None

    def publish(self, source: Path, public_key: Path | None = None) -> ReleaseManifest:
        """Publish the signed release folder or .tar ``source`` as the one kiosks are offered."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".publishing-", dir=self.folder) as scratch:
            folder = source if source.is_dir() else unpack_archive(source, Path(scratch))
            problems = verify_pack(folder, [load_public_key(public_key)]) if public_key else check_unchanged(folder)
            if problems:
                raise ReleaseRefused("the release's signature does not verify: " + "; ".join(map(str, problems[:3])))
            version = release_version(folder)
            if not re.fullmatch(VERSION_PATTERN, version) or version == "unknown":
                raise ReleaseRefused(f"{version!r} is not a version a kiosk's heartbeat can report (like 1.4.2)")
            staged = Path(scratch) / "release.tar"
            size, sha256 = pack_archive(folder, version, staged)
            signature = read_signature(folder)[0]
            manifest = ReleaseManifest(version=version, size=size, sha256=sha256, key_id=signature["key_id"],
                                       content_hash=signature["content_hash"])
            held = self.manifest(version)
            if held is None or self.archive(version) is None:
                os.replace(staged, self.folder / f"{version}.tar")
                _write(self.folder / f"{version}.json", manifest.model_dump_json())
            elif held.content_hash == manifest.content_hash:
                manifest = held  # the same release again: kiosks downloading it keep the same archive
            else:
                raise ReleaseRefused(f"release {version} is published already with other contents; "
                                     "build the new one with a new version")
            _write(self.folder / LATEST, version + "\n")
        self._prune(version)
        return manifest

    def published(self) -> list[ReleaseManifest]:
        """Every published release, newest first."""
        paths = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        return [m for m in (self.manifest(p.stem) for p in paths) if m is not None]

    def _prune(self, keep: str) -> None:
        for old in [m.version for m in self.published() if m.version != keep][KEEP_PUBLISHED - 1:]:
            for suffix in (".json", ".tar"):
                (self.folder / f"{old}{suffix}").unlink(missing_ok=True)


def _write(path: Path, text: str) -> None:
    staged = path.with_name(f".{path.name}.new")
    staged.write_text(text, encoding="utf-8")
    os.replace(staged, path)


def describe(manifest: ReleaseManifest) -> str:
    return f"{manifest.version}\t{manifest.size / 1e6:.1f} MB\tkey {manifest.key_id}\tsha256 {manifest.sha256[:12]}"

